"""Write newspairs' embedded default data: the seed pair plus short articles the project wrote itself.

Run once (needs the test extra for NLTK, the reference):

    python scripts/make_default_data.py [--seed DIR] [--out DIR]

It reads the seed pair from ``../shared/seed`` (``000_*.txt`` raw, ``001_*.txt`` normalized) and
overwrites the package's ``newspairs/data/default`` unless ``--out`` says where else to write.
The normalized side of the project's own articles comes from NLTK's TreebankWordTokenizer, lowercased,
so the embedded data is a true reference pair, independent of newspairs' own normalizer.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from newspairs.sources import DEFAULT_DATA

SHARED_SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed"

# Invented news-style articles (no copied text), one sentence per line, chosen to exercise quotes,
# contractions, brackets, numbers, abbreviations and dashes.
OWN_ARTICLES = {
    "harbour-bridge.txt": [
        'LISBURN (Newspairs) - The town council voted 7-2 on Tuesday to repair the old harbour bridge, which "can\'t wait another winter," its chairwoman said.',
        "Repairs will cost about $4.5 million, roughly 12% more than the estimate published in March.",
        "Traffic will be diverted via Mill Road (the B104) until the work ends in late October.",
        'Residents who\'d asked for a new crossing said they weren\'t surprised: "We\'ve heard this before."',
    ],
    "orchard-harvest.txt": [
        "Apple growers in the valley expect a record harvest this year, the regional growers' association said on Friday.",
        "Warm weather in May -- and no late frost -- helped the blossom set, according to its report.",
        "Prices, however, could fall by as much as a third...",
        "\"It's good news for shoppers, less so for us,\" said one grower, who didn't want to be named.",
    ],
    "library-hours.txt": [
        "The city library will open on Sundays from next month, after a petition gathered 3,200 signatures.",
        "Staff won't be asked to work extra hours; the council is hiring four part-time assistants.",
        "Opening hours are 10 a.m. to 4 p.m., the library's director, Dr. Ann Ruiz, told reporters.",
    ],
    "rail-strike.txt": [
        "Rail workers will strike for 48 hours next week over pay, their union announced on Monday.",
        "The operator said it would run a reduced timetable [about half of its usual services] on both days.",
        "Talks broke down late on Sunday; neither side's offer was made public.",
        "Commuters are advised to check times before travelling.",
        "The union says it's \"open to further talks\" at any time.",
    ],
    "museum-loan.txt": [
        "The national museum has lent 40 paintings to a gallery in Porto for a six-month exhibition.",
        "It's the largest loan the museum has made since 1998, a spokesman said.",
        "Insurance for the works -- valued at more than EUR 60 million -- is paid by the gallery.",
    ],
    "flood-warning.txt": [
        "Forecasters issued a flood warning for the lower valley on Wednesday night.",
        "Up to 80 mm of rain could fall in 24 hours; rivers are already high.",
        'Officials told residents near the river: "Don\'t wait for the water to reach your door."',
    ],
    "bakery-award.txt": [
        "A family bakery in Dunmore won the county's bread prize for the third year running.",
        "Its sourdough (baked overnight in a wood-fired oven) impressed the judges, who called it \"faultless.\"",
    ],
    "startup-funding.txt": [
        "A software start-up based in Tallinn said on Thursday it had raised $12 million from investors.",
        "The company, which makes tools for small farms, plans to double its staff to 60 by next year.",
        "Its chief executive declined to give the firm's valuation.",
    ],
    "bus-fares.txt": [
        "Bus fares in the city will rise by 5 cents from January, the transport company said.",
        "Single tickets will cost $1.85; monthly passes are unchanged.",
        "Night buses won't be affected.",
    ],
    "marathon-record.txt": [
        "A 31-year-old runner from Kisumu set a course record at the city marathon on Sunday.",
        "She finished in 2:19:48, beating the old mark by 41 seconds.",
        '"I didn\'t expect it at all," she said afterwards.',
    ],
    "chess-prize.txt": [
        "A 14-year-old from Ormond won the national junior chess title on Saturday, losing only one game in nine rounds.",
        "Her coach called it 'a remarkable week' and said she'd now prepare for the European championship in Riga.",
    ],
}


def reference(line: str) -> str:
    from nltk.tokenize import TreebankWordTokenizer  # the test extra: needed to write, not for --help

    return " ".join(TreebankWordTokenizer().tokenize(line)).lower()


def seed_files(folder: Path) -> tuple[Path, Path]:
    """The seed pair's raw and normalized files in ``folder``; a ValueError saying what is missing."""
    found = [sorted(folder.glob(pattern)) if folder.is_dir() else [] for pattern in ("000_*.txt", "001_*.txt")]
    if [len(files) for files in found] != [1, 1]:
        raise ValueError(f"no seed pair in {folder} (one 000_*.txt raw and one 001_*.txt normalized file): "
                         "give its folder with --seed")
    return found[0][0], found[1][0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=Path, default=SHARED_SEED, help=f"the seed pair's folder (default: {SHARED_SEED})")
    parser.add_argument("--out", type=Path, default=DEFAULT_DATA, help="where to write raw/ and normalized/ (default: the package's data)")
    args = parser.parse_args(argv)
    try:  # before anything is written: a missing seed leaves the data as it was
        seed_raw, seed_normalized = seed_files(args.seed)
    except ValueError as error:
        parser.error(str(error))
    raw_dir, normalized_dir = args.out / "raw", args.out / "normalized"
    raw_dir.mkdir(parents=True, exist_ok=True)
    normalized_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(seed_raw, raw_dir / "seed-reuters-2017.txt")
    shutil.copyfile(seed_normalized, normalized_dir / "seed-reuters-2017.txt")
    for name, lines in OWN_ARTICLES.items():
        (raw_dir / name).write_text("\n".join(lines), encoding="utf-8")
        (normalized_dir / name).write_text("\n".join(reference(line) for line in lines), encoding="utf-8")
    print(f"wrote {1 + len(OWN_ARTICLES)} pairs to {args.out}")


if __name__ == "__main__":
    main()
