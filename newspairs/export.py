"""Export: what the builder built, as Parquet shards plus a card that plain `datasets.load_dataset` reads.

The folder mirrors what ``push_to_hub`` writes, so the Hub helper can upload it as it is::

    OUT/README.md                                   card: YAML `configs` (data_files, default) + `dataset_info`
    OUT/newspairs_stamp.json                        the normalization stamp (also under `newspairs_stamp` in the YAML)
    OUT/newspairs_report.json                       per config: articles read/written/rejected, the rejects
    OUT/<config>/<split>-00000-of-00001.parquet     one or more shards per config and split

``datasets.load_dataset(OUT)`` gives the ``articles`` config and ``load_dataset(OUT, "lines")`` the
line pairs, row for row what `newspairs.load` gives, with no newspairs code and no network.

Public names (stable; the card/Hub helper calls them):

- `export(source, out, *, configs=..., max_shard_size=..., card=None, ...) -> ExportResult`
- `export_summary(out) -> dict[config, ConfigSummary]`: features and split sizes per config, read
  back from an exported folder's card (pure: reads files, builds nothing)
- `card_data(infos, default=..., stamp=...) -> huggingface_hub.DatasetCardData`: the YAML part
- `REPORT_FILENAME`, `DEFAULT_CARD_BODY`
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import datasets
from datasets.info import DatasetInfosDict
from datasets.splits import SplitDict, SplitInfo
from datasets.utils.metadata import MetadataConfigs
from datasets.utils.py_utils import convert_file_size_to_int
from huggingface_hub import DatasetCard, DatasetCardData

from newspairs.builder import CONFIG_NAMES, BuildReport, prepare
from newspairs.stamp import STAMP_FILENAME, Stamp, normalization_stamp

REPORT_FILENAME = "newspairs_report.json"
CARD_FILENAME = "README.md"
DEFAULT_MAX_SHARD_SIZE = "500MB"

DEFAULT_CARD_BODY = """\
# newspairs export

Raw/normalized news article pairs exported by [newspairs](https://pypi.org/project/newspairs/).
The normalization, per line, is `" ".join(nltk.tokenize.TreebankWordTokenizer().tokenize(raw)).lower()`;
`newspairs_stamp` in the YAML above says which rule table and versions made it.

```python
import datasets
articles = datasets.load_dataset("{where}")           # id, raw, normalized, agrees, metadata
lines = datasets.load_dataset("{where}", "lines")     # article_id, line, raw, normalized
```
"""


@dataclass(frozen=True)
class ConfigSummary:
    """One exported config: its features and the number of rows per split."""

    features: datasets.Features
    splits: dict[str, int]


@dataclass
class ExportResult:
    """What `export` wrote: the folder, each config's summary and build report, the files, the stamp."""

    out: Path
    configs: dict[str, ConfigSummary]
    reports: dict[str, BuildReport]
    files: list[Path] = field(default_factory=list)
    stamp: Optional[Stamp] = None

    def summary(self) -> str:
        lines = [f"exported to {self.out}"]
        for name, config in self.configs.items():
            sizes = ", ".join(f"{split} {rows}" for split, rows in config.splits.items())
            lines.append(f"  {name}: {sizes}")
        lines.extend(f"  {report.summary()}" for report in self.reports.values())
        return "\n".join(lines)


def _shard_paths(config: str, split: str, num_shards: int) -> list[str]:
    return [f"{config}/{split}-{index:05d}-of-{num_shards:05d}.parquet" for index in range(num_shards)]


def _write_split(dataset: datasets.Dataset, folder: Path, config: str, split: str, max_shard_size: int) -> list[Path]:
    num_shards = max(1, math.ceil(dataset.data.nbytes / max_shard_size))
    written = []
    for index, relative in enumerate(_shard_paths(config, split, num_shards)):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        dataset.shard(num_shards, index, contiguous=True).to_parquet(str(path))
        written.append(path)
    return written


def card_data(infos: dict[str, datasets.DatasetInfo], *, default: str = "articles", stamp: Optional[Stamp] = None) -> DatasetCardData:
    """The card's YAML: ``configs`` (data_files per split, ``default: true``), ``dataset_info``, ``newspairs_stamp``."""
    data = DatasetCardData()
    configs = {
        name: {
            "data_files": [{"split": split, "path": f"{name}/{split}-*"} for split in info.splits],
            **({"default": True} if name == default else {}),
        }
        for name, info in infos.items()
    }
    MetadataConfigs(configs).to_dataset_card_data(data)
    DatasetInfosDict(infos).to_dataset_card_data(data)
    if stamp is not None:
        data["newspairs_stamp"] = json.loads(stamp.to_json())
    return data


def _prepare_out(out: Path) -> Path:
    """A fresh staging folder beside ``out``; ``out`` itself must be absent, empty or a previous export."""
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"{out}: exists and is not a folder")
        if any(out.iterdir()) and not (out / STAMP_FILENAME).is_file():
            raise ValueError(f"{out}: the folder is not empty and is not a newspairs export; choose another")
    staging = out.with_name(out.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def export(
    source: Any,
    out: Any,
    *,
    configs: Sequence[str] = CONFIG_NAMES,
    max_shard_size: Any = DEFAULT_MAX_SHARD_SIZE,
    card: Optional[str] = None,
    num_proc: Optional[int] = None,
    errors: str = "raise",
    cache_dir: Optional[str] = None,
    engine: str = "local",
    address: Optional[str] = None,
    num_cpus: Optional[int] = None,
    **config_kwargs,
) -> ExportResult:
    """Build ``configs`` of ``source`` (None: the embedded default) and write them to ``out`` as Parquet shards plus a card.

    ``card`` is the markdown body under the YAML (default: a short `DEFAULT_CARD_BODY`); the YAML
    is always written here. The first config is the default one of ``load_dataset(out)``.
    ``out`` is replaced atomically: it must be absent, empty, or a previous newspairs export.
    ``engine="ray"`` builds on Ray Data (`newspairs.ray`) at ``address`` (or ``RAY_ADDRESS``, or a
    local Ray of ``num_cpus``): the same export, built across a cluster.
    """
    if engine not in ("local", "ray") or (engine == "ray" and num_proc is not None):
        raise ValueError(f"engine must be 'local' or 'ray' (num_proc is for 'local'), got {engine!r}, num_proc={num_proc!r}")
    configs = list(configs)
    unknown = [name for name in configs if name not in CONFIG_NAMES]
    if not configs or unknown:
        raise ValueError(f"configs must be among {CONFIG_NAMES}, got {configs!r}")
    out = Path(out)
    shard_bytes = convert_file_size_to_int(max_shard_size)
    staging = _prepare_out(out)
    try:
        infos: dict[str, datasets.DatasetInfo] = {}
        reports: dict[str, BuildReport] = {}
        files: list[Path] = []
        if engine == "ray":
            from newspairs.ray import export_configs

            built = export_configs(
                source, staging, configs, shard_bytes, errors=errors, address=address, num_cpus=num_cpus, **config_kwargs
            )
        for name in configs:
            if engine == "ray":
                infos[name], reports[name], written = built[name]
                files.extend(written)
                continue
            builder = prepare(source, name, num_proc=num_proc, errors=errors, cache_dir=cache_dir, **config_kwargs)
            reports[name] = builder.report()
            splits = SplitDict()
            download_size = 0
            for split, split_info in builder.info.splits.items():
                written = _write_split(builder.as_dataset(split), staging, name, split, shard_bytes)
                files.extend(written)
                download_size += sum(path.stat().st_size for path in written)
                splits.add(SplitInfo(name=split, num_bytes=split_info.num_bytes, num_examples=split_info.num_examples))
            infos[name] = datasets.DatasetInfo(
                config_name=name,
                features=builder.info.features,
                splits=splits,
                download_size=download_size,
                dataset_size=sum(split.num_bytes for split in splits.values()),
            )
        stamp = normalization_stamp()
        body = card if card is not None else DEFAULT_CARD_BODY.format(where=out.name)
        DatasetCard(f"---\n{card_data(infos, default=configs[0], stamp=stamp).to_yaml()}\n---\n\n{body}").save(
            staging / CARD_FILENAME
        )
        (staging / STAMP_FILENAME).write_text(stamp.to_json(), encoding="utf-8")
        (staging / REPORT_FILENAME).write_text(
            json.dumps({name: report.to_dict() for name, report in reports.items()}, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    summaries = {name: ConfigSummary(info.features, {s: i.num_examples for s, i in info.splits.items()}) for name, info in infos.items()}
    return ExportResult(
        out=out, configs=summaries, reports=reports, files=[out / f.relative_to(staging) for f in files], stamp=stamp
    )


def export_summary(out: Any) -> dict[str, ConfigSummary]:
    """Features and rows per split of each config of an exported folder, read from its card's YAML."""
    path = Path(out) / CARD_FILENAME
    if not path.is_file():
        raise ValueError(f"{out}: no {CARD_FILENAME}; not a newspairs export")
    infos = DatasetInfosDict.from_dataset_card_data(DatasetCard.load(path).data)
    if not infos:
        raise ValueError(f"{path}: the card has no dataset_info")
    return {
        name: ConfigSummary(info.features, {split: s.num_examples for split, s in (info.splits or {}).items()})
        for name, info in infos.items()
    }
