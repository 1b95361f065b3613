"""Export: the builder's rows, as Parquet shards plus a card that plain `datasets.load_dataset` reads.

The export reads the source once for all its configs (`newspairs.onepass`: each batch of articles
normalized once for ``raw`` and ``lines``) and writes the shards as it goes, with no `datasets`
cache: in one process, in ``num_proc`` forked processes, or on Ray (``engine="ray"``,
`newspairs.ray`). Its rows are the builder's, row for row (tests).

The folder mirrors what ``push_to_hub`` writes, so the Hub helper can upload it as it is::

    OUT/README.md                                   card: YAML `configs` (data_files, default) + `dataset_info`
    OUT/newspairs_stamp.json                        the normalization stamp (also under `newspairs_stamp` in the YAML)
    OUT/newspairs_sentences.json                    whether and by what sentences were split (also in the YAML)
    OUT/newspairs_report.json                       per config: articles read/written/rejected, the rejects
                                                    (files named relative to the source, as the ids are)
    OUT/newspairs_export.json                       the manifest: the files the export wrote (all a later one may replace)
    OUT/<config>/<digest>/<split>-00000-of-00001.parquet
                                                    one or more shards per config and split; <digest>
                                                    names the config's shards by their content

``datasets.load_dataset(OUT)`` gives the ``articles`` config and ``load_dataset(OUT, "lines")`` the
line pairs, row for row what `newspairs.load` gives, with no newspairs code and no network.

Public names (stable; the card/Hub helper calls them):

- `export(source, out, *, configs=..., max_shard_size=..., card=None, ...) -> ExportResult`
- `export_summary(out) -> dict[config, ConfigSummary]`: features and split sizes per config, read
  back from an exported folder's card (pure: reads files, builds nothing)
- `shard_files(out, config, split) -> list[Path]`: the shards the card names for a config's split
- `card_data(infos, default=..., stamp=..., data_dirs=...) -> huggingface_hub.DatasetCardData`: the YAML part
- `out_folder(out) -> Path`, `check_out(out, files, folders) -> Path`, `staged(out)`, `install(staging, out, written)`:
  what an export checks of ``out`` before it builds, the folder it builds in beside ``out``, and how
  it puts what it built in place (the Hub helper builds a repository the same way)
- `check_options(configs, max_shard_size, num_proc, errors, config_kwargs)`: what `export` checks of
  its options before it reads anything (as `newspairs.load` does), also for the Hub helper
- `load_usage(where, columns) -> list[str]`: a card's ``load_dataset`` lines, one per config, the default first
- `REPORT_FILENAME`, `DEFAULT_CARD_BODY` (its ``{usage}``: `load_usage`'s lines), `TOP_FILES`
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import datasets
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from datasets.utils.py_utils import convert_file_size_to_int
from fsspec.utils import glob_translate
from huggingface_hub import DatasetCard, DatasetCardData

from newspairs import onepass, sentences
from newspairs.builder import CONFIG_NAMES, BuildReport, NothingToError, check_options as check_load_options
from newspairs.sources import EXPORT_MANIFEST, resolve_source, twin_relpath
from newspairs.stamp import STAMP_FILENAME, Stamp, normalization_stamp

logger = logging.getLogger(__name__)

REPORT_FILENAME = "newspairs_report.json"
DATA_DIR_DIGITS = 16  # hex digits of the content digest naming a config's shard folder
# What the export wrote, relative to the folder: all a later export may replace or delete there.
MANIFEST_FILENAME = EXPORT_MANIFEST
# The card YAML's list of the metadata columns whose strings are JSON text (`json_text_columns`)
JSON_TEXT_KEY = "newspairs_json_text"
# A staging folder is `.<out>.<random><suffix>` beside ``out``: made by one call, removed by it.
STAGING_SUFFIX = ".newspairs-partial"
CARD_FILENAME = "README.md"
# The files every export writes at the top of its folder (beside one folder per config).
TOP_FILES = (CARD_FILENAME, STAMP_FILENAME, sentences.SENTENCES_FILENAME, REPORT_FILENAME, MANIFEST_FILENAME)
DEFAULT_MAX_SHARD_SIZE = "500MB"

DEFAULT_CARD_BODY = """\
# newspairs export

Raw/normalized news article pairs exported by `newspairs`.
The normalization, per line, is `" ".join(nltk.tokenize.TreebankWordTokenizer().tokenize(raw)).lower()`;
`newspairs_stamp` in the YAML above says which rule table and versions made it.

```python
import datasets
{usage}
```
"""


def load_usage(where: str, columns: dict[str, Sequence[str]]) -> list[str]:
    """The ``datasets.load_dataset`` lines of a card: one per config of ``columns`` (config -> its
    columns), the first the default one, loaded without a name; each commented with its columns.
    The export's card and the Hub's (`newspairs.card`) both say it so."""
    quoted = json.dumps(where, ensure_ascii=False)  # a Python string literal too, whatever the folder's name holds
    calls = [f"{name} = datasets.load_dataset({quoted}" + (f', "{name}")' if index else ")")
             for index, name in enumerate(columns)]
    width = max(len(call) for call in calls) + 2
    return [f"{call:<{width}}# " + ", ".join(names) + (" (the default config)" if index == 0 else "")
            for index, (call, names) in enumerate(zip(calls, columns.values()))]


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


def _seal_config(folder: Path, config: str, written: list[Path], digests: dict[Path, str]) -> tuple[str, list[Path]]:
    """Move a config's shards into ``<config>/<digest>/``, the digest naming their content.

    ``digests``: each shard's sha256, taken by its writer as it closed the file (`newspairs.onepass`,
    in this process, a forked worker or a Ray actor).

    The card's ``data_files`` name that folder alone, so a repository holding an earlier upload's
    shards beside these (mid-upload, or after a failed last commit) is read as one set or the other,
    never both; unchanged data keeps its names, so a re-upload skips it.
    """
    digest = hashlib.sha256()
    for path in sorted(written):
        digest.update(f"{path.name}\0{digests[path]}\n".encode())
    data_dir = digest.hexdigest()[:DATA_DIR_DIGITS]
    (folder / config / data_dir).mkdir(parents=True)
    sealed = []
    for path in written:
        target = folder / config / data_dir / path.name
        path.rename(target)
        sealed.append(target)
    return data_dir, sealed


def card_data(
    infos: dict[str, datasets.DatasetInfo], *, default: str = "articles", stamp: Optional[Stamp] = None,
    data_dirs: Optional[dict[str, str]] = None,
) -> DatasetCardData:
    """The card's YAML: ``configs`` (data_files per split, ``default: true``), ``dataset_info``, ``newspairs_stamp``.

    ``data_dirs`` names each config's shard folder under ``<config>/`` (`export` writes one, named by
    the shards' content); without it, the shards are ``<config>/<split>-*``.
    """
    data = DatasetCardData()
    folders = {name: f"{name}/{data_dirs[name]}" if data_dirs else name for name in infos}
    configs = {
        name: {
            "data_files": [{"split": split, "path": f"{folders[name]}/{split}-*"} for split in info.splits],
            **({"default": True} if name == default else {}),
        }
        for name, info in infos.items()
    }
    MetadataConfigs(configs).to_dataset_card_data(data)
    DatasetInfosDict(infos).to_dataset_card_data(data)
    if stamp is not None:
        data["newspairs_stamp"] = json.loads(stamp.to_json())
    return data


def read_manifest(out: Path) -> Optional[list[str]]:
    """The files an earlier export (or `newspairs.hub`'s repository build) wrote into ``out``, or None."""
    path = out / MANIFEST_FILENAME
    if not path.is_file():
        return None
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"{path}: not a readable export manifest; move {out} aside or choose another folder") from None
    return [str(name) for name in files]


def write_manifest(out: Path, files: Iterable[str], extra: Optional[dict[str, Any]] = None) -> None:
    """Record ``files`` (relative to ``out``) as what newspairs wrote there: what a later export may replace.

    ``extra``: more keys beside ``files`` (`newspairs.hub` records what its tokenizer was trained from);
    readers of the manifest read ``files`` alone."""
    data = {"written_by": "newspairs", "files": sorted(set(files) - {MANIFEST_FILENAME}), **(extra or {})}
    (out / MANIFEST_FILENAME).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _replace_manifest(staging: Path, out: Path, files: Iterable[str]) -> None:
    """`write_manifest` into ``out`` at once: written in ``staging`` (same file system), then moved over
    the old one, so ``out`` never holds a half-written manifest or none."""
    scratch = staging / ".manifest"
    scratch.mkdir(exist_ok=True)
    write_manifest(scratch, files)
    _move(scratch / MANIFEST_FILENAME, out / MANIFEST_FILENAME)


def _move(source: Path, target: Path) -> None:
    """``os.replace``, also onto another file system (``out`` a mount point, its staging folder on the
    parent's): then copied beside ``target`` first, so that ``target`` is still replaced in one step."""
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        scratch = target.with_name(f".{target.name[:64]}.{secrets.token_hex(4)}{STAGING_SUFFIX}")
        try:
            shutil.copy2(source, scratch)
            os.replace(scratch, target)
        except BaseException:
            scratch.unlink(missing_ok=True)
            raise
        source.unlink()


def _keep_copy(source: Path, copy: Path) -> None:
    """``copy`` made the same file as ``source`` (a hard link where it can be, else a copy), ``source`` left in place."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, copy)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, copy)


def _folder_files(folder: Path) -> set[str]:
    """Every file under ``folder`` (hidden ones included), relative to it; links are not followed."""
    found = set()
    for root, _, files in os.walk(folder):
        for name in files:
            found.add((Path(root) / name).relative_to(folder).as_posix())
    return found


def _clashes(out: Path, ours: set[str], files: Iterable[str], folders: Iterable[str] = ()) -> list[str]:
    """What stands where the export would write in ``out`` and is not an earlier export's file: anything
    at one of ``files``, and anything but a real folder (a file, a link) at one of ``folders`` or at a
    folder holding one of ``files`` (all relative to ``out``)."""
    files = set(files)
    needed = {parent.as_posix() for name in [*files, *folders] for parent in Path(name).parents if parent != Path(".")}
    needed |= set(folders)
    clash = [name for name in needed if (out / name).is_symlink() or ((out / name).exists() and not (out / name).is_dir())]
    clash += [name for name in files if name not in ours and ((out / name).is_symlink() or (out / name).exists())]
    return sorted(clash)


def _check_out(out: Path) -> tuple[set[str], set[str]]:
    """What of ``out`` an earlier export wrote, and what else it holds; a `ValueError` when it may not be written."""
    if not out.exists():
        return set(), set()
    if not out.is_dir():
        raise ValueError(f"{out}: exists and is not a folder")
    present = _folder_files(out)
    listed = read_manifest(out)
    if listed is None:
        if present:
            raise ValueError(
                f"{out}: the folder is not empty and was not written by a newspairs export "
                f"(no {MANIFEST_FILENAME}); choose another"
            )
        return set(), set()
    ours = (set(listed) | {MANIFEST_FILENAME}) & present
    return ours, present - ours


def _remove_files(root: Path, files: Sequence[str]) -> None:
    """Delete ``files`` (relative to ``root``), then the folders they leave empty; nothing else."""
    folders = set()
    for name in files:
        path = root / name
        if path.is_file() or path.is_symlink():
            path.unlink()
        folders.update(parent for parent in path.parents if parent != root and root in parent.parents)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:  # not empty: holds something that is not ours
            pass


def _refuse_clashes(out: Path, ours: set[str], files: Iterable[str], folders: Iterable[str] = ()) -> None:
    clash = _clashes(out, ours, files, folders)
    if clash:
        raise ValueError(f"{out}: would replace {', '.join(clash[:3])}, which no newspairs export wrote; move it aside")


def _loadable(out: Path) -> None:
    """A `ValueError` when ``datasets.load_dataset(out)`` could not read an export in ``out`` as it
    is: it globs the card's ``data_files`` under the folder's absolute path, where ``[1]`` is a set
    of characters, and ``*`` or ``?`` also match the shards of a folder beside it (``run*1`` reads
    ``run-1``'s too)."""
    where = Path(os.path.abspath(out)).as_posix() + "/README.md"
    try:
        readable = re.fullmatch(glob_translate(where), where) is not None and not any(c in where for c in "*?")
    except ValueError:  # not a glob fsspec accepts (``a**b``): datasets could not read it either
        readable = False
    if not readable:
        raise ValueError(
            f"{out}: datasets.load_dataset could not read an export there as it is: it reads the folder's path "
            f"({os.path.abspath(out)}) as a glob pattern, where [...] is a set of characters and * or ? match "
            "other folders' files too; choose a path without them"
        )


def out_folder(out: Any) -> Path:
    """``out`` as a path; a `ValueError` for ``""`` (an unset variable, most likely: the current
    folder is ``"."``), which `Path` would take for the current folder."""
    if isinstance(out, str) and not out:
        raise ValueError('out is empty: name a folder ("." for the current one)')
    return Path(out)


def check_out(out: Any, files: Iterable[str] = (), folders: Iterable[str] = ()) -> Path:
    """What an export into ``out`` checks before it builds; returns the folder it writes, ``out`` resolved.

    ``out`` resolved: ``.`` is the current folder by name (its staging folder goes beside it, not in
    it), and a link to a folder is followed (the export lands in the target; the link stays).
    A `ValueError` when ``out`` may not be written (`_check_out`), when ``datasets.load_dataset(out)``
    could not read it back, or when something of the user's stands at one of ``files`` or ``folders``
    (relative to ``out``).
    """
    _loadable(Path(out))
    target = Path(out).resolve()
    _loadable(target)  # a link's own name may be fine and its target's not
    ours, _ = _check_out(target)
    _refuse_clashes(target, ours, files, folders)
    return target


# Beside a staging folder, the process that made it: a folder whose process is gone (killed
# outright: SIGKILL, the OOM killer, a power cut) is removed by the next run staging for the same
# ``out`` on the same machine. A folder named so without an owner file is left alone.
STAGING_OWNER_SUFFIX = ".newspairs-owner"


def _process_started(pid: int) -> Optional[str]:
    """When process ``pid`` started (its ``/proc`` start time), None if it is gone or not known:
    the pid and the start time together name one process, as a pid reused by another does not."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _owner_of_this_process() -> str:
    return json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "started": _process_started(os.getpid())})


def _owner_gone(owner_file: Path) -> bool:
    """Whether the staging folder beside ``owner_file`` was left by a process of this machine that is gone."""
    try:
        owner = json.loads(owner_file.read_text(encoding="utf-8"))
        host, pid, started = owner["host"], int(owner["pid"]), owner["started"]
    except (OSError, ValueError, KeyError, TypeError):
        return False  # unreadable or not ours: not ours to remove
    if host != socket.gethostname() or started is None:
        return False  # another machine's (a shared file system), or a process whose start we could not read
    return _process_started(pid) != started


def remove_killed_stagings(out: Path) -> list[Path]:
    """Remove the staging folders beside ``out`` that runs killed outright left (`STAGING_OWNER_SUFFIX`);
    returns them. A run that ends in Python removes its own; these would stay for ever, hidden."""
    removed = []
    prefix = f".{out.name[:64]}."
    with contextlib.suppress(OSError):
        for owner_file in sorted(out.parent.glob(f"{glob.escape(prefix)}*{STAGING_SUFFIX}{STAGING_OWNER_SUFFIX}")):
            folder = owner_file.with_name(owner_file.name[: -len(STAGING_OWNER_SUFFIX)])
            if _owner_gone(owner_file):
                shutil.rmtree(folder, ignore_errors=True)
                owner_file.unlink(missing_ok=True)
                removed.append(folder)
    return removed


def staging_folder(out: Path) -> Path:
    """A new empty folder ``.<out>.<random><STAGING_SUFFIX>`` beside ``out``. Made by a plain mkdir, so
    the umask gives its mode, as for any folder of the user's: it becomes ``out`` (mkdtemp's 0700
    would hide the export from everyone else on a shared file system)."""
    while True:
        # a name of its own within the file system's 255 bytes, however long ``out``'s own name is
        path = out.parent / f".{out.name[:64]}.{secrets.token_hex(4)}{STAGING_SUFFIX}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A `staging_folder` beside ``out`` to build in, removed on the way out; when nothing was installed
    (``out`` still absent), so are the folders made to hold it: a run that fails leaves no trace."""
    made = [folder for folder in out.parents if not folder.exists()]  # the deepest first
    out.parent.mkdir(parents=True, exist_ok=True)
    for folder in remove_killed_stagings(out):
        logger.warning("newspairs: removed %s, the staging folder of an earlier run that was killed", folder)
    staging = staging_folder(out)
    owner_file = staging.with_name(staging.name + STAGING_OWNER_SUFFIX)
    try:
        owner_file.write_text(_owner_of_this_process(), encoding="utf-8")
        yield staging
    finally:
        if staging.exists():  # made by this call: it holds only what this call wrote
            shutil.rmtree(staging)
        owner_file.unlink(missing_ok=True)
        if not out.exists():
            for folder in made:
                with contextlib.suppress(OSError):
                    folder.rmdir()


def install(staging: Path, out: Path, written: list[str]) -> None:
    """Put the staged export in place of ``out``, replacing only what an earlier export wrote there.

    An absent ``out`` is the staging folder renamed. Into an existing one (empty, an earlier export,
    a git clone of the published repository) the files are moved (`_install_beside`): the folder
    itself stays, with its mode, and so does what newspairs did not write. Anything of the user's
    where the export writes (a file, or a file where a folder goes) is refused before anything moves.
    """
    ours, _ = _check_out(out)
    _refuse_clashes(out, ours, written)
    if not out.exists():
        staging.rename(out)
        return
    _install_beside(staging, out, written, ours)


def _install_beside(staging: Path, out: Path, written: list[str], ours: set[str]) -> None:
    """Move the staged files into the existing folder ``out``, then delete the earlier export's files
    that the new one lacks. The folder is never swapped: a shell in it (``export SOURCE .``) stays in it.

    Before the first move the manifest lists the files of both exports, so whatever stops the moves
    (an error, Ctrl-C, a crash) leaves every newspairs file in ``out`` listed: a re-run replaces them.
    An error or Ctrl-C also undoes the moves, leaving ``out`` as it was. The shards go first (in
    new folders named by their content) and the card last: until the card moves, ``out`` reads as
    the earlier export. A file that replaces one of the earlier export's replaces it in one step
    (the earlier one kept aside as a hard link or copy), so no moment finds it missing.
    """
    previous = staging / ".previous"  # the earlier export's replaced files, put back on failure
    order = sorted(set(written) - {CARD_FILENAME, MANIFEST_FILENAME}, key=lambda name: ("/" not in name, name))
    order.append(CARD_FILENAME)
    moved: list[tuple[str, bool]] = []  # (name, whether an earlier file was set aside)
    made: list[Path] = []  # folders the moves created
    previous.mkdir()
    if (out / MANIFEST_FILENAME).exists():  # none in an empty folder
        shutil.copy2(out / MANIFEST_FILENAME, previous / MANIFEST_FILENAME)
    _replace_manifest(staging, out, ours | set(written))
    try:
        for name in order:
            target = out / name
            missing = [folder for folder in target.parents if out in folder.parents and not folder.exists()]
            for folder in reversed(missing):
                folder.mkdir()
                made.append(folder)
            kept = target.exists()
            moved.append((name, kept))  # before the moves: an interrupt between them is undone too
            if kept:
                _keep_copy(target, previous / name)
            _move(staging / name, target)
    except BaseException:
        _undo_moves(staging, out, previous, moved, made)
        raise
    _remove_files(out, sorted(ours - set(written)))
    _move(staging / MANIFEST_FILENAME, out / MANIFEST_FILENAME)


def _undo_moves(staging: Path, out: Path, previous: Path, moved: list[tuple[str, bool]], made: list[Path]) -> None:
    """Put ``out`` back as it was before `_install_beside`: its earlier files, folders and manifest."""
    for name, kept in reversed(moved):
        if kept:
            if (previous / name).exists():  # its copy was kept: back over whatever is there now
                _move(previous / name, out / name)
        elif not (staging / name).exists():  # a new file, moved in
            (out / name).unlink()
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()
    if (previous / MANIFEST_FILENAME).exists():
        _move(previous / MANIFEST_FILENAME, out / MANIFEST_FILENAME)
    else:
        (out / MANIFEST_FILENAME).unlink()


def _relative_names(source: Any) -> dict[str, tuple[str, ...]]:
    """Each input file's path -> (its path relative to its source entry, and for a pair its twin's path
    and the twin's relative path under normalized/)."""
    names: dict[str, tuple[str, ...]] = {}
    for item in resolve_source(source):
        names[item.path] = (item.relpath,)
        twin = twin_relpath(item)
        if twin is not None:
            names[item.path] = (item.relpath, item.twin, twin)
            names[item.twin] = (twin,)
    return names


def _portable_reports(reports: dict[str, BuildReport], source: Any) -> dict[str, Any]:
    """The reports as the export writes them: files named relative to the source, as the ids are,
    never by this machine's paths (also where a reason quotes a pair's twin)."""
    names = _relative_names(source)
    portable = {}
    for config, report in reports.items():
        data = report.to_dict()
        data["rejects"] = [dict(reject) for reject in data["rejects"]]  # the build's own are left as read
        for reject in data["rejects"]:
            known = names.get(reject["file"])
            if known is None:
                reject["file"] = Path(reject["file"]).name
                continue
            reject["file"] = known[0]
            if len(known) == 3:
                reject["reason"] = reject["reason"].replace(known[1], known[2])
        portable[config] = data
    return portable


def checked_configs(configs: Any) -> list[str]:
    """``configs`` as a list, each once in the order given (as the command's repeated --config);
    one name alone (``"lines"``) is that one config. A `ValueError` for an unknown or missing one."""
    if isinstance(configs, str):
        configs = [configs]
    configs = list(dict.fromkeys(configs))
    unknown = [name for name in configs if name not in CONFIG_NAMES]
    if not configs or unknown:
        raise ValueError(f"configs must be among {CONFIG_NAMES}, got {configs!r}")
    return configs


def shard_size(max_shard_size: Any) -> int:
    """``max_shard_size`` in bytes: a size as `datasets` reads it (``"500MB"``, ``"1GiB"``) or a number
    of bytes, at least 1 (0 or less would write one shard per row); a `ValueError` otherwise."""
    size = None
    if isinstance(max_shard_size, str) or (isinstance(max_shard_size, int) and not isinstance(max_shard_size, bool)):
        try:
            size = convert_file_size_to_int(max_shard_size)
        except ValueError:
            pass
    if size is None or size < 1:
        raise ValueError(f"max_shard_size must be a size such as 500MB or 1GiB, or a number of bytes >= 1, "
                         f"got {max_shard_size!r}")
    return size


def check_options(configs: Any, max_shard_size: Any, num_proc: Any, errors: Any,
                  config_kwargs: dict[str, Any]) -> tuple[list[str], int]:
    """What `export` (and the Hub's repository build) checks of its options before it reads or
    writes anything: `checked_configs`, `shard_size`, and the rest as `newspairs.load` checks them
    (``num_proc``, ``errors``, the config options). Returns the configs and the shard size in bytes."""
    configs = checked_configs(configs)
    shard_bytes = shard_size(max_shard_size)
    check_load_options(configs[0], num_proc, errors, config_kwargs, config_argument="configs=")
    return configs, shard_bytes


def export(
    source: Any,
    out: Any,
    *,
    configs: Sequence[str] = CONFIG_NAMES,
    max_shard_size: Any = DEFAULT_MAX_SHARD_SIZE,
    card: Optional[str] = None,
    num_proc: Optional[int] = None,
    errors: str = "raise",
    engine: str = "local",
    address: Optional[str] = None,
    num_cpus: Optional[int] = None,
    **config_kwargs,
) -> ExportResult:
    """Build ``configs`` of ``source`` (None: the embedded default) and write them to ``out`` as Parquet shards plus a card.

    ``card`` is the markdown body under the YAML (default: a short `DEFAULT_CARD_BODY` showing how
    to load each config exported); the YAML is always written here. The first config is the
    default one of ``load_dataset(out)``; a str is one config. The options are checked as
    `newspairs.load` checks its own (`check_options`) before anything is read or written.
    ``out`` must be absent, empty, or a previous newspairs export: only the files that export wrote
    (its `MANIFEST_FILENAME`) are replaced or deleted; anything else in ``out`` is left as it was.
    ``engine="ray"`` builds on Ray Data (`newspairs.ray`) at ``address`` (or ``RAY_ADDRESS``, or a
    local Ray of ``num_cpus``): the same export, built across a cluster. Locally the source is read
    once for every config (`newspairs.onepass`), in this process or in ``num_proc`` forked ones,
    and no `datasets` cache is written.
    """
    if engine not in ("local", "ray"):
        raise ValueError(f"engine must be 'local' or 'ray', got {engine!r}")
    if engine == "ray" and num_proc is not None:
        raise ValueError(f"num_proc is for engine='local', got num_proc={num_proc!r} with engine='ray' (num_cpus sets a local Ray's CPUs)")
    # ignored, they would leave an export meant for a cluster built here without a word
    for name, value in (("address", address), ("num_cpus", num_cpus)):
        if engine == "local" and value is not None:
            raise ValueError(f"{name} is for engine='ray', got {name}={value!r} with engine='local'")
    if card is not None and not isinstance(card, str):
        hint = f": pass its text, Path({str(card)!r}).read_text()" if isinstance(card, os.PathLike) else ""
        raise ValueError(f"card is the card's markdown body (a str) or None, got {type(card).__name__} {card!r:.80}{hint}")
    configs, shard_bytes = check_options(configs, max_shard_size, num_proc, errors, config_kwargs)
    num_proc = None if num_proc is None else int(num_proc)  # a numpy int as a plain one
    out = out_folder(out)
    # before the build: a folder that may not be written is refused at once
    target = check_out(out, TOP_FILES, configs)
    with staged(target) as staging:
        infos: dict[str, datasets.DatasetInfo] = {}
        reports: dict[str, BuildReport] = {}
        files: list[Path] = []
        data_dirs: dict[str, str] = {}
        if engine == "ray":
            try:
                from newspairs.ray import export_configs
            except ModuleNotFoundError as error:
                if error.name != "ray":
                    raise
                raise ValueError("engine='ray' needs Ray, which is not installed: pip install 'newspairs[ray]'") from None

            built = export_configs(
                source, staging, configs, shard_bytes, errors=errors, address=address, num_cpus=num_cpus, **config_kwargs
            )
        else:  # every config in one pass over the source, in this process or num_proc forked ones
            built = onepass.export_configs(source, staging, configs, shard_bytes, errors=errors, num_proc=num_proc,
                                           **config_kwargs)
        for name in configs:
            infos[name], reports[name], shards, digests = built[name]
            if not any(split.num_examples for split in infos[name].splits.values()):
                error = reports[name].nothing_to("export", source)
                every = {config: built[config][1] for config in configs}
                for config, report in _portable_reports(every, source).items():  # listed as an export lists them
                    every[config].rejects = report["rejects"]
                raise NothingToError(f"{error}: nothing written", list(every.values()))
            data_dirs[name], sealed = _seal_config(staging, name, shards, digests)
            files.extend(sealed)
        stamp = normalization_stamp()
        if card is not None:
            body = card
        else:  # the configs exported, the default first, each with its own columns
            columns = {name: list(infos[name].features) for name in configs}
            body = DEFAULT_CARD_BODY.format(usage="\n".join(load_usage(Path(os.path.abspath(out)).name, columns)))
        yaml = card_data(infos, default=configs[0], stamp=stamp, data_dirs=data_dirs)
        yaml[sentences.CARD_KEY] = split = sentences.record(config_kwargs.get("sentences"))  # beside the stamp, always
        json_text = json_text_columns(source, configs, errors, config_kwargs)
        if json_text:  # a plain reader sees strings: the card says which are JSON text
            yaml[JSON_TEXT_KEY] = json_text
        DatasetCard(f"---\n{yaml.to_yaml()}\n---\n\n{body}").save(staging / CARD_FILENAME)
        (staging / STAMP_FILENAME).write_text(stamp.to_json(), encoding="utf-8")
        (staging / sentences.SENTENCES_FILENAME).write_text(json.dumps(split, indent=2) + "\n", encoding="utf-8")
        portable = _portable_reports(reports, source)
        for config, report in reports.items():  # the result names files as the report file does
            report.rejects = portable[config]["rejects"]
        (staging / REPORT_FILENAME).write_text(json.dumps(portable, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written = sorted(path.relative_to(staging).as_posix() for path in staging.rglob("*") if path.is_file())
        write_manifest(staging, written)
        written.append(MANIFEST_FILENAME)
        install(staging, target, written)
    summaries = {name: ConfigSummary(info.features, {s: i.num_examples for s, i in info.splits.items()}) for name, info in infos.items()}
    return ExportResult(
        out=out, configs=summaries, reports=reports, files=[out / f.relative_to(staging) for f in files], stamp=stamp
    )


def json_text_columns(source: Any, configs: Sequence[str], errors: str, config_kwargs: dict[str, Any]) -> list[str]:
    """The metadata columns of ``source`` stored as JSON text (a JSON key whose values are of several
    kinds, or nested: `newspairs.sources`), sorted. The JSON files' types are those the build found
    (kept for the process); the source is walked again, and its CSV headers and Parquet schemas read."""
    from newspairs.sources import scan_metadata

    inputs, options, _, _ = onepass.settings(source, configs, errors, config_kwargs)
    _, json_types = scan_metadata(inputs, options)
    return sorted({name for types in json_types.values() for name, dtype in types.items() if dtype == "json"})


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


def shard_files(out: Any, config: str, split: str) -> list[Path]:
    """The Parquet shards of ``config``'s ``split`` in an exported folder, as its card's ``data_files`` name them."""
    path = Path(out) / CARD_FILENAME
    if not path.is_file():
        raise ValueError(f"{out}: no {CARD_FILENAME}; not a newspairs export")
    configs = MetadataConfigs.from_dataset_card_data(DatasetCard.load(path).data)
    if config not in configs:
        raise ValueError(f"{path}: no config {config!r} (configs: {', '.join(configs)})")
    patterns = [
        pattern
        for entry in configs[config].get("data_files", []) if entry.get("split") == split
        for pattern in ([entry["path"]] if isinstance(entry["path"], str) else entry["path"])
    ]
    return sorted(match for pattern in patterns for match in Path(out).glob(pattern))
