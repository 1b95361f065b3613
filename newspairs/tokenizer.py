"""The normalization tokenizer: a `tokenizers.Tokenizer` built from the rule table, and its file.

Only built-in components are used, so `tokenizer.json` stands alone: anyone holding it reproduces
the normalization in any `tokenizers` binding, with no newspairs code.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

from newspairs.rules import (
    CASE_LOOKALIKES, LAID_OUT_BREAK, LAID_OUT_END, LAID_OUT_START, LAYOUT, LOWERCASING, PASSES, WHITESPACE_CLASS,
    Pass, build_passes,
)

UNK_TOKEN = "[UNK]"


def encode_sequentially_in_forked_children() -> None:
    """Turn tokenizers' thread pool off in a forked child (run by `os.fork` in every child).

    A forked child inherits the parent's memory but not its threads: once the parent has run a
    parallel ``encode_batch``, the child's first parallel call waits on a pool whose threads do not
    exist, forever. tokenizers guards against this only while ``TOKENIZERS_PARALLELISM`` is unset;
    set to ``true``, DataLoader workers and ``map(num_proc=...)`` children hang. In a child the
    processes are the parallelism, so each encodes sequentially (tokenizers reads the variable at
    every call). Every fork of this interpreter runs it, a ``subprocess`` started with a
    ``preexec_fn`` too (the program it then runs inherits the variable); ``subprocess`` without one,
    the ``spawn`` and ``forkserver`` methods start no fork of this interpreter and are left alone.
    """
    os.environ["TOKENIZERS_PARALLELISM"] = "false"


# Registered here, in the module every way of getting a newspairs tokenizer goes through
# (`import newspairs` imports it): a hand-made DataLoader's workers are safe without torch imported.
os.register_at_fork(after_in_child=encode_sequentially_in_forked_children)


def _normalizer_of(step: Pass) -> normalizers.Normalizer:
    if step.kind == "lowercase":
        return normalizers.Lowercase()
    if step.kind == "prepend":
        return normalizers.Prepend(step.content)
    pattern = step.pattern if step.literal else Regex(step.pattern)
    return normalizers.Replace(pattern, step.content)


def build_normalizer(passes: tuple[Pass, ...] = PASSES) -> normalizers.Normalizer:
    """The normalizer: one built-in component per pass of the rule table, in order."""
    return normalizers.Sequence([_normalizer_of(step) for step in passes])


class SkippingNormalizer:
    """The rule table's normalizer that, per text, leaves out the passes that cannot fire on it.

    A pass with triggers matches only where one of them occurs in the lowercased text (and the
    lowercase cannot hide one: a text holding a character that Python's ``(?i)`` matches against an
    ASCII letter runs every pass), so leaving it out of a text without them changes nothing. The
    result is the full normalizer's, byte for byte; the work is still done by built-in components.
    """

    def __init__(self, passes: tuple[Pass, ...] = PASSES, *, skip_layout: bool = False, skip_lowercasing: bool = False):
        if skip_layout:  # the caller lays lines out as the layout passes would (see normalize_lines)
            layout = [rule.name for rule in LAYOUT]
            if [step.rules for step in passes[: len(layout)]] != [(name,) for name in layout]:
                raise ValueError(f"the passes do not start with the layout passes {layout}")
            passes = passes[len(layout) :]
        if skip_lowercasing:
            # the caller lowercases the result with str.lower, the reference's own last step, which
            # the lowercasing passes exist to reproduce in tokenizers (see newspairs.normalize)
            lowercasing = [rule.name for rule in LOWERCASING]
            kept = len(passes)
            while kept and set(passes[kept - 1].rules).issubset(lowercasing):
                kept -= 1
            # compiled alone, the lowercasing rules give the passes they compile into in the table
            compiled = {fuse: build_passes(tuple(LOWERCASING), fuse=fuse) for fuse in (True, False)}
            if tuple(passes[kept:]) not in compiled.values():
                raise ValueError(f"the passes do not end with the lowercasing passes {lowercasing[:3]}...")
            passes = passes[:kept]
        self._components = [_normalizer_of(step) for step in passes]
        self._gated = [(index, step.triggers) for index, step in enumerate(passes) if step.triggers]
        # Each distinct trigger is looked for once per text, shortest first, and one holding a
        # shorter trigger (``d'ye`` holds ``'``) only where that one was found: a third fewer
        # scans of the text on news articles.
        triggers = sorted({t for _, ts in self._gated for t in ts}, key=lambda t: (len(t), t))
        self._triggers = [(t, next((u for u in triggers if u != t and u in t), None)) for t in triggers]
        self._by_key: dict[tuple[bool, ...], normalizers.Normalizer] = {}
        # the normalizer for each set of triggers found (as `_found` lists them): most texts are
        # short, where working out the passes from the triggers cost more than the passes
        self._by_found: dict[tuple[str, ...] | None, normalizers.Normalizer] = {}

    def _normalizer_for(self, key: tuple[bool, ...]) -> normalizers.Normalizer:
        normalizer = self._by_key.get(key)
        if normalizer is None:
            skipped = {index for (index, _), active in zip(self._gated, key) if not active}
            normalizer = normalizers.Sequence([c for i, c in enumerate(self._components) if i not in skipped])
            self._by_key[key] = normalizer
        return normalizer

    def _found(self, text: str) -> tuple[str, ...] | None:
        """The triggers ``text`` holds, in `_triggers` order; None: run every pass."""
        for character in CASE_LOOKALIKES:
            if character in text:
                return None
        lowered = text.lower()
        found: list[str] = []
        for trigger, inside in self._triggers:
            if (inside is None or inside in found) and trigger in lowered:
                found.append(trigger)
        return tuple(found)

    def _passes_on(self, text: str) -> tuple[bool, ...]:
        """For each gated pass, whether ``text`` holds one of its triggers."""
        return self._key_of(self._found(text))

    def _key_of(self, found: tuple[str, ...] | None) -> tuple[bool, ...]:
        if found is None:
            return (True,) * len(self._gated)
        return tuple(not set(found).isdisjoint(triggers) for _, triggers in self._gated)

    def normalize_str(self, text: str) -> str:
        found = self._found(text)
        normalizer = self._by_found.get(found)
        if normalizer is None:
            normalizer = self._by_found[found] = self._normalizer_for(self._key_of(found))
        return normalizer.normalize_str(text)


def lay_out(lines: list[str]) -> str:
    """Lines (none holding a line break) joined and padded as the rule table's layout passes do."""
    return LAID_OUT_START + LAID_OUT_BREAK.join(lines) + LAID_OUT_END


def build_pre_tokenizer() -> pre_tokenizers.PreTokenizer:
    """Split on exactly the characters Python's ``str.split()`` splits on, dropping them."""
    return pre_tokenizers.Split(Regex(f"{WHITESPACE_CLASS}+"), behavior="removed")


def build_tokenizer(passes: tuple[Pass, ...] = PASSES) -> Tokenizer:
    """A Tokenizer whose normalizer and pre-tokenizer reproduce the normalization exactly.

    Its model is a one-token `WordLevel` placeholder for the normalization alone; `newspairs
    train-tokenizer` replaces it with a model trained on a corpus, keeping normalizer and
    pre-tokenizer as they are.
    """
    tokenizer = Tokenizer(models.WordLevel({UNK_TOKEN: 0}, unk_token=UNK_TOKEN))
    tokenizer.normalizer = build_normalizer(passes)
    tokenizer.pre_tokenizer = build_pre_tokenizer()
    return tokenizer


def tokenizer_json(tokenizer: Tokenizer) -> str:
    """The text of ``tokenizer.json``: what ``Tokenizer.save`` writes, byte for byte."""
    return tokenizer.to_str(pretty=True)


def save_tokenizer(tokenizer: Tokenizer, path: str | os.PathLike) -> Path:
    """Write ``tokenizer.json`` (``path`` may be the file or its folder); returns the file written.

    Written as `write_files` writes: a failure (a full disk) leaves the file as it was, and is an
    `OSError` naming it."""
    path = Path(path)
    if path.suffix != ".json":
        path = path / "tokenizer.json"
    if path.is_dir():  # tokenizers' own error is a bare Exception ("Is a directory") naming no file
        raise ValueError(f"{path}: exists and is not a file; the tokenizer cannot be written there")
    write_files({path: tokenizer_json(tokenizer)})
    return path


def check_writable(folder: str | os.PathLike) -> None:
    """A ValueError naming ``folder`` when no file can be made in it (read-only, another user's, a
    read-only file system, immutable): the probe makes an empty file of its own and removes it."""
    probe = Path(folder) / f".newspairs-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        probe.open("xb").close()
    except OSError as error:
        raise ValueError(f"{folder}: no file can be written in the folder ({error.strerror or error}); choose another") from None
    with contextlib.suppress(OSError):
        probe.unlink()


def write_files(texts: Mapping[Path, str]) -> None:
    """Write each text (as UTF-8) to its file, all or none, creating the folders.

    Every text goes to a temporary name beside its file first and is synced, and only when all are
    written are they renamed into place: a failure (a full disk, a folder that cannot be written,
    an interruption) replaces no file and leaves no temporary file or new folder behind, where
    `tokenizers`' own ``save`` left a truncated ``tokenizer.json`` and raised a bare Exception. Such
    a failure is an `OSError` naming the file (``filename``) and saying that nothing was replaced.
    """
    made: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in texts.items():
            made += _made_folders(path.parent)
            temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
            try:
                with open(temporary, "xb") as file:  # "x": never another's file; the umask's permissions, as a new file gets
                    staged.append((temporary, path))
                    with contextlib.suppress(OSError):  # a file replaced keeps its permissions, as one written over does
                        os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
                    file.write(text.encode("utf-8"))
                    file.flush()
                    os.fsync(file.fileno())  # a full disk can show only here, and the rename must not outrun the data
            except OSError as error:
                raise OSError(error.errno, f"cannot be written ({error.strerror or error}); no file was replaced", str(path)) from None
        for number, (temporary, path) in enumerate(staged):
            try:
                os.replace(temporary, path)
            except OSError as error:
                done = [str(done) for _, done in staged[:number]]
                left = f"only {', '.join(done)} {'was' if number == 1 else 'were'} replaced" if done else "no file was replaced"
                raise OSError(error.errno, f"cannot be put in place ({error.strerror or error}); {left}", str(path)) from None
    except BaseException:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _made_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; returns those it created, outermost first."""
    missing = []
    for candidate in [folder, *folder.parents]:
        if candidate.is_dir():
            break
        missing.append(candidate)
    made = []
    for candidate in reversed(missing):
        try:
            candidate.mkdir()
        except FileExistsError:  # made meanwhile by another
            if not candidate.is_dir():
                raise
            continue
        except BaseException:
            for folder in reversed(made):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise
        made.append(candidate)
    return made


def load_tokenizer_file(path: str | os.PathLike) -> Tokenizer:
    """Load a ``tokenizer.json`` (or the folder holding one); a `ValueError` naming ``path`` for a
    file `tokenizers` cannot read."""
    given, path = path, Path(path)
    if path.is_dir():
        path = path / "tokenizer.json"
    if not path.is_file():
        raise ValueError(f"no tokenizer file at {str(path)!r}")
    try:
        return Tokenizer.from_file(str(path))
    except Exception as error:  # tokenizers raises a bare Exception for a file it cannot parse, naming none
        raise ValueError(f"{os.fspath(given)}: not a tokenizers tokenizer.json ({error})") from None
