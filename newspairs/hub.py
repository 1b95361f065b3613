"""The Hub repository: built from an export (card, tokenizer, stamp added), then uploaded with `huggingface_hub`.

The repository, exactly as ``newspairs publish --dry-run OUT`` writes it::

    README.md                                       the card (`newspairs.card`): Hub metadata, configs, dataset_info
    <config>/<digest>/<split>-NNNNN-of-NNNNN.parquet
                                                    the data (`newspairs.export`), <digest> naming its content
    tokenizer.json, tokenizer_config.json,
    special_tokens_map.json                         the trained tokenizer (`newspairs.train`)
    newspairs_stamp.json                            the stamp shared by data and tokenizer
    newspairs_sentences.json                        whether and by what sentences were split (`newspairs.sentences`)
    newspairs_report.json                           the build report: read/written/rejected per config, and
                                                    each reject (file relative to the source, line, reason)
    newspairs_export.json                           the files newspairs wrote (what a later build may replace),
                                                    what a trained tokenizer was trained from (`TRAINING_KEY`)
                                                    and its file's digest (`TOKENIZER_SHA256_KEY`)

Uploading makes one commit per chunk of data files (at most ``max_commit_files`` files and
``max_commit_bytes`` bytes each) and a last commit with the card, the report, the tokenizer and
the stamp, so the card appears only once the data it describes is there; that last commit also
deletes the files an earlier publish wrote (those the repository's own ``newspairs_export.json``
lists) that the new one lacks. The first commit that sends files also sends a manifest listing what
earlier publishes wrote and all this upload writes, so the files of an upload stopped before its last
commit are deleted by a later publish that lacks them. Files newspairs did not write are never deleted, and one standing where the upload
would write is refused before any commit. A tokenizer trained from what the published one was
trained from (the same `TRAINING_KEY` record) is not sent: training breaks ties at random, and the
published one's ids stay. Readers never see a mix of the two publishes: new
shards land in folders named by their content, which only the new card names, so until the last
commit (or after it failed) the repository reads as the earlier publish, and after it as the new
one. Files already on the Hub with the same content (same size, and same sha256 for LFS files or
git blob id for the others) are skipped, which is how a failed upload resumes: run it again.
Transient Hub errors (429, 5xx, dropped connections) are retried with exponential backoff.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from tokenizers import Tokenizer

from newspairs.card import CardFacts, CardOptions, input_kind, render_card
from newspairs.sentences import SENTENCES_FILENAME
from newspairs.sources import EXPORT_MANIFEST
from newspairs.stamp import STAMP_FILENAME, Stamp
from newspairs.tokenizer import load_tokenizer_file
from newspairs.train import (
    SPECIAL_TOKENS,
    SPECIAL_TOKENS_MAP_FILENAME,
    TOKENIZER_CONFIG_FILENAME,
    TOKENIZER_FILES,
    MissingSplitError,
    TrainingConfig,
    read_stamp,
    save_tokenizer_folder,
    stamp_mismatch,
    train_tokenizer,
    transformers_config,
)

logger = logging.getLogger(__name__)

REPO_TYPE = "dataset"
CARD_FILENAME = "README.md"
# `newspairs.export.REPORT_FILENAME`, named here because importing the export loads `datasets`
# (seconds, for every command line: the parser reads this module); a test checks they agree.
REPORT_FILENAME = "newspairs_report.json"
# The last commit: what describes the data, committed once the data is there.
FINAL_FILES: tuple[str, ...] = (CARD_FILENAME, REPORT_FILENAME, *TOKENIZER_FILES, SENTENCES_FILENAME, EXPORT_MANIFEST)
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_COMMIT_FILES = 50
DEFAULT_COMMIT_BYTES = 1 << 30  # 1 GiB: a failed commit re-sends at most this much
DEFAULT_RETRIES = 5
DEFAULT_BACKOFF = 2.0  # seconds before the first retry; doubles after each
# Every Hub repository has it and newspairs never writes it: never refused, never deleted.
HUB_GITATTRIBUTES = ".gitattributes"
SUMMARY_NAMES = 5  # paths a summary names before "and N more"
# The manifest's key (beside "files") recording what a trained tokenizer was trained from: a publish
# keeps the published tokenizer when it holds the same record, as training breaks ties at random
# and a retrained one, on the same data, numbers most pieces otherwise.
TRAINING_KEY = "tokenizer_training"
# What a republish may keep of the published tokenizer: the trained file alone (its transformers
# configs are newspairs' own, the same for every tokenizer, and always sent where they differ).
TOKENIZER_OWN_FILES: tuple[str, ...] = ("tokenizer.json",)
# The manifest's key (beside `TRAINING_KEY`) holding the sha256 of the tokenizer.json that training
# wrote: a published tokenizer.json that is not that file (uploaded by hand) is never kept.
TOKENIZER_SHA256_KEY = "tokenizer_sha256"
# What the parts of a training record are, for the summary of a retrained tokenizer
RECORD_PARTS = {"config": "the config", "split": "the split", "data": "the train split's text",
                "training": "the training settings", "versions": "the normalization or the versions that train"}
# transformers' save_pretrained writes this model_max_length for "no limit" (its VERY_LARGE_INTEGER)
TRANSFORMERS_NO_LIMIT = int(1e30)

T = TypeVar("T")


class UploadError(ValueError):
    """An upload that stopped: which commit, why, and how to resume."""


@dataclass(frozen=True)
class LocalFile:
    """A file of the repository folder, with what the Hub reports to tell whether it already holds it."""

    path_in_repo: str
    local: Path
    size: int
    sha256: str
    git_blob_id: str

    @classmethod
    def of(cls, folder: Path, path: Path) -> LocalFile:
        data_sha256, blob = hashlib.sha256(), hashlib.sha1()
        size = path.stat().st_size
        blob.update(f"blob {size}\0".encode())
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                data_sha256.update(chunk)
                blob.update(chunk)
        return cls(path.relative_to(folder).as_posix(), path, size, data_sha256.hexdigest(), blob.hexdigest())

    def is_on(self, remote: Any) -> bool:
        """Whether a `huggingface_hub.RepoFile` holds this file's content."""
        if remote is None or getattr(remote, "size", None) != self.size:
            return False
        lfs = getattr(remote, "lfs", None)
        if lfs is not None:
            return lfs.sha256 == self.sha256
        return remote.blob_id == self.git_blob_id


def repository_files(folder: str | os.PathLike) -> list[LocalFile]:
    """The files of a repository folder, sorted by path in the repository: those its manifest
    (`EXPORT_MANIFEST`) lists and the manifest itself, so a build into a git clone of the repository
    never uploads the clone's ``.git`` or files newspairs did not write; without a manifest, every file."""
    folder = Path(folder)
    manifest = folder / EXPORT_MANIFEST
    if manifest.is_file():
        listed = [*json.loads(manifest.read_text(encoding="utf-8"))["files"], EXPORT_MANIFEST]
        paths = [folder / name for name in listed if (folder / name).is_file()]
    else:
        paths = [path for path in folder.rglob("*") if path.is_file()]
    return sorted((LocalFile.of(folder, path) for path in paths), key=lambda item: item.path_in_repo)


def plan_commits(
    files: Sequence[LocalFile], *, max_files: int = DEFAULT_COMMIT_FILES, max_bytes: int = DEFAULT_COMMIT_BYTES
) -> list[list[LocalFile]]:
    """Group files into commits: data in chunks within the limits, then `FINAL_FILES` in a last commit.

    A single file larger than ``max_bytes`` gets a commit of its own.
    """
    if max_files < 1 or max_bytes < 1:
        raise ValueError(f"commit limits must be positive, got max_files={max_files}, max_bytes={max_bytes}")
    commits: list[list[LocalFile]] = []
    chunk: list[LocalFile] = []
    chunk_bytes = 0
    for item in files:
        if item.path_in_repo in FINAL_FILES:
            continue
        if chunk and (len(chunk) == max_files or chunk_bytes + item.size > max_bytes):
            commits.append(chunk)
            chunk, chunk_bytes = [], 0
        chunk.append(item)
        chunk_bytes += item.size
    if chunk:
        commits.append(chunk)
    final = [item for item in files if item.path_in_repo in FINAL_FILES]
    if final:
        commits.append(final)
    return commits


def _transient(error: BaseException) -> str | None:
    """Why an error is worth a retry (``"HTTP 503"``, ``"ConnectError"``), or None when it is not."""
    from httpx2 import TransportError  # huggingface_hub 2's HTTP client: timeouts, refused and dropped connections
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    if isinstance(error, OfflineModeIsEnabled):  # HF_HUB_OFFLINE is a setting, not a network that may come back
        return None
    if isinstance(error, HfHubHTTPError):
        status = getattr(error.response, "status_code", None)
        return f"HTTP {status}" if status in RETRY_STATUSES else None
    if isinstance(error, (ConnectionError, TimeoutError, TransportError)):
        return type(error).__name__
    return None


def _retry_after(error: BaseException) -> float | None:
    response = getattr(error, "response", None)
    value = getattr(response, "headers", {}).get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def with_retries(
    call: Callable[[], T], what: str, *, retries: int = DEFAULT_RETRIES, backoff: float = DEFAULT_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call()``, retried on transient Hub errors: waits ``backoff``, then twice as long each time
    (or what the Hub's ``Retry-After`` asks), at most ``retries`` times; other errors raise at once."""
    for attempt in range(retries + 1):
        try:
            return call()
        except Exception as error:
            reason = _transient(error)
            if reason is None or attempt == retries:
                raise
            delay = _retry_after(error) or backoff * 2**attempt
            logger.warning("newspairs: %s failed (%s); retry %d of %d in %.1fs", what, reason, attempt + 1, retries, delay)
            sleep(delay)
    raise AssertionError("unreachable")  # the loop returns or raises


def _named(paths: Sequence[str]) -> str:
    if not paths:
        return ""
    more = len(paths) - SUMMARY_NAMES
    return " (" + ", ".join(paths[:SUMMARY_NAMES]) + (f" and {more} more" if more > 0 else "") + ")"


@dataclass
class UploadResult:
    """What an upload did: its commits (their urls), the files sent (``replaced``: those of them that
    overwrote an earlier publish's file), skipped and deleted (an earlier publish's, not in this one);
    ``kept``: the published tokenizer's files, not replaced by a tokenizer trained again from the
    same record; ``tokenizer``: what became of the published tokenizer (kept, retrained, replaced),
    or None when there was none to replace or the new one is the same."""

    repo_id: str
    revision: str | None
    commits: list[str] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    tokenizer: str | None = None

    def summary(self) -> str:
        where = self.repo_id + (f"@{self.revision}" if self.revision else "")
        counts = (
            f"{where}: {len(self.commits)} commits, {len(self.uploaded)} files uploaded, "
            f"{len(self.skipped)} already there, {len(self.replaced)} replaced{_named(self.replaced)}, "
            f"{len(self.deleted)} deleted that an earlier publish wrote and this one lacks{_named(self.deleted)}"
        )
        return counts if self.tokenizer is None else f"{counts}\n{self.tokenizer}"


def hub_token(token: str | None = None) -> str:
    """The token to upload with: ``token``, else ``HF_TOKEN`` or the saved login; an error without one."""
    from huggingface_hub import get_token

    token = token or get_token()
    if not token:
        raise ValueError(
            "no Hugging Face token: set HF_TOKEN or run `hf auth login` (a token with write access to the repository)"
        )
    return token


def upload_repository(
    folder: str | os.PathLike,
    repo_id: str,
    *,
    api: Any = None,
    token: str | None = None,
    private: bool | None = None,
    revision: str | None = None,
    max_commit_files: int = DEFAULT_COMMIT_FILES,
    max_commit_bytes: int = DEFAULT_COMMIT_BYTES,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    recard: Callable[[Tokenizer], None] | None = None,
) -> UploadResult:
    """Upload a repository folder as the dataset ``repo_id`` (created if absent), on ``revision`` (a branch).

    ``private=None`` leaves a new repository's visibility to the Hub (the organization's default);
    ``private=True`` with an existing public repository is refused before any commit (the Hub
    does not change an existing repository's visibility on upload).

    Before any commit, the repository's files and its `EXPORT_MANIFEST` (what an earlier publish
    wrote) are read: the last commit deletes only files that manifest lists and this upload lacks,
    and a file it does not list where this upload would write other content is refused (a
    `ValueError`). The first commit that sends files also sends a manifest listing what earlier
    publishes wrote and all this upload writes, so the files of an upload stopped before its last
    commit are deleted by a later one that lacks them.

    A tokenizer trained (its manifest's `TRAINING_KEY` record) from what the published one was
    trained from (the same record in the repository's manifest) is not sent: the published one is
    kept (`UploadResult.kept`), as training breaks ties at random and a retrained one would change
    most ids. Where the card states another vocabulary size than the published tokenizer's,
    ``recard(published_tokenizer)`` writes the folder's card for it (`publish` passes one); without
    it, the new tokenizer replaces the published one.

    ``api`` defaults to ``huggingface_hub.HfApi(token=...)``. Raises `UploadError`
    when a commit fails for good; running the same upload again resumes it.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile

    token = hub_token(token)
    api = api if api is not None else HfApi(token=token)
    retry = dict(retries=retries, backoff=backoff, sleep=sleep)
    files = repository_files(folder)
    if not any(item.path_in_repo == CARD_FILENAME for item in files):
        raise ValueError(f"{folder}: no {CARD_FILENAME}; build the repository first (newspairs publish --dry-run)")
    plan = plan_commits(files, max_files=max_commit_files, max_bytes=max_commit_bytes)

    def before_any_commit(call: Callable[[], T], what: str) -> T:
        # as a failed commit is: one line naming the step and the Hub's answer, not a traceback
        try:
            return with_retries(call, what, **retry)
        except Exception as error:
            raise UploadError(
                f"upload to {repo_id} did not start: {what} failed ({type(error).__name__}: {error}); nothing was uploaded"
            ) from error

    before_any_commit(lambda: api.create_repo(repo_id, repo_type=REPO_TYPE, private=private, exist_ok=True, token=token), "create_repo")
    if private:
        # create_repo(exist_ok=True) leaves an existing public repository public: the data would be too
        info = before_any_commit(lambda: api.repo_info(repo_id, repo_type=REPO_TYPE, token=token), "repo_info")
        if not getattr(info, "private", False):
            raise ValueError(
                f"upload to {repo_id} refused: the repository exists and is public, and private was asked (--private); "
                f"nothing was uploaded. Make it private in its settings (https://huggingface.co/datasets/{repo_id}/settings) "
                "and run again, or publish without private"
            )
    if revision not in (None, "main"):
        before_any_commit(
            lambda: api.create_branch(repo_id, branch=revision, repo_type=REPO_TYPE, exist_ok=True, token=token),
            "create_branch",
        )
    remote = {
        entry.path: entry
        for entry in before_any_commit(
            lambda: list(api.list_repo_tree(repo_id, recursive=True, repo_type=REPO_TYPE, revision=revision, token=token)),
            "list_repo_tree",
        )
        if isinstance(entry, RepoFile)
    }
    with tempfile.TemporaryDirectory(prefix="newspairs-upload-") as scratch:
        return _upload(api, Path(folder), files, plan, remote, Path(scratch), before_any_commit, repo_id, token, revision,
                       retry, recard)


def _upload(api: Any, folder: Path, files: list[LocalFile], plan: list[list[LocalFile]], remote: dict[str, Any],
            scratch: Path, before_any_commit: Callable, repo_id: str, token: str, revision: str | None, retry: dict,
            recard: Callable[[Tokenizer], None] | None) -> UploadResult:
    """`upload_repository` once the repository's files are listed: the checks, then the commits
    (``scratch``: a folder for the downloads and the first commit's manifest)."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    def download(filename: str) -> Path:
        return Path(before_any_commit(
            lambda: api.hf_hub_download(repo_id, filename, repo_type=REPO_TYPE, revision=revision,
                                        local_dir=scratch / "remote", token=token),
            "hf_hub_download",
        ))

    earlier: set[str] = set()  # what an earlier publish wrote: what this one may replace or delete
    remote_record = remote_sha256 = None
    if EXPORT_MANIFEST in remote:
        listed, remote_record, remote_sha256 = _remote_manifest(download(EXPORT_MANIFEST).read_bytes(), repo_id)
        earlier = listed | {EXPORT_MANIFEST}
    theirs = sorted(
        item.path_in_repo for item in files
        if item.path_in_repo in remote and item.path_in_repo not in earlier and item.path_in_repo != HUB_GITATTRIBUTES
        and not item.is_on(remote[item.path_in_repo])  # the same content is skipped, not written: resuming needs that
    )
    if theirs:
        raise ValueError(
            f"upload to {repo_id} refused: it holds files no earlier newspairs publish wrote (no {EXPORT_MANIFEST} "
            f"there lists them) where this upload would write: {', '.join(theirs)}; nothing was uploaded. "
            "Remove them from the repository, or publish to another repository"
        )
    local_paths = {item.path_in_repo for item in files}
    stale = sorted(path for path in remote if path in earlier and path not in local_paths and path != HUB_GITATTRIBUTES)
    kept, tokenizer_note, recarded = _published_tokenizer(files, remote, earlier, _manifest_record(files), remote_record,
                                                          remote_sha256, download, recard)
    if recarded:  # the card now describes the kept tokenizer: send that one
        card = LocalFile.of(folder, folder / CARD_FILENAME)
        plan = [[card if item.path_in_repo == CARD_FILENAME else item for item in commit] for commit in plan]
    # Sent with the first data commit: the files of this upload are newspairs' from then on, so a later
    # publish of other data deletes them even if this one stops before its last commit (which writes
    # the manifest of the new files alone). The record stays the earlier one: its tokenizer is still there.
    interim = _interim_manifest(scratch, earlier | local_paths, remote_record, remote_sha256) if len(plan) > 1 else None
    if interim is not None and interim.is_on(remote.get(EXPORT_MANIFEST)):
        interim = None

    result = UploadResult(repo_id=repo_id, revision=revision)
    for number, commit in enumerate(plan, start=1):
        final = number == len(plan)
        on_hub = [item for item in commit if item.is_on(remote.get(item.path_in_repo))]
        sending = [item for item in commit if item not in on_hub and item.path_in_repo not in kept]
        result.skipped.extend(item.path_in_repo for item in on_hub)
        deleting = stale if final else []
        if not sending and not deleting:
            continue
        manifest = [interim] if interim is not None and not final else []
        interim = None
        message = f"newspairs: {'card, tokenizer and stamp' if final else 'data'} ({number}/{len(plan)})"

        def operations(sending=sending, deleting=deleting, manifest=manifest) -> list:
            # create_commit mutates its operations: each attempt gets fresh ones
            return [CommitOperationAdd(item.path_in_repo, str(item.local)) for item in [*sending, *manifest]] + [
                CommitOperationDelete(path) for path in deleting
            ]

        try:
            info = with_retries(
                lambda: api.create_commit(
                    repo_id, operations(), commit_message=message, repo_type=REPO_TYPE, revision=revision, token=token
                ),
                f"commit {number}/{len(plan)}", **retry,
            )
        except Exception as error:
            raise UploadError(
                f"upload to {repo_id} stopped at commit {number} of {len(plan)} ({type(error).__name__}: {error}); "
                f"{len(result.uploaded)} files were committed. Run the same command again to resume: files already "
                "on the Hub with the same content are skipped"
            ) from error
        result.commits.append(getattr(info, "commit_url", None) or str(info))
        result.uploaded.extend(item.path_in_repo for item in sending)
        result.replaced.extend(item.path_in_repo for item in sending if item.path_in_repo in remote)
        result.deleted.extend(deleting)
    result.kept, result.tokenizer = kept, tokenizer_note
    return result


def _remote_manifest(data: bytes, repo_id: str) -> tuple[set[str], Any, Any]:
    """The files a repository's `EXPORT_MANIFEST` lists, its `TRAINING_KEY` record and its
    `TOKENIZER_SHA256_KEY` (None without them); a `ValueError` when it is not a newspairs manifest."""
    try:
        manifest = json.loads(data.decode("utf-8"))
        files = manifest["files"]
        if not isinstance(files, list):
            raise TypeError(files)
    except (ValueError, KeyError, TypeError):
        # without it, what an earlier publish wrote is unknown: nothing may be replaced or deleted
        raise ValueError(
            f"upload to {repo_id} refused: its {EXPORT_MANIFEST} is not a newspairs manifest, so what an earlier "
            "publish wrote is unknown; nothing was uploaded. Remove that file from the repository, or publish to another repository"
        ) from None
    return {str(name) for name in files}, manifest.get(TRAINING_KEY), manifest.get(TOKENIZER_SHA256_KEY)


def _manifest_record(files: Sequence[LocalFile]) -> Any:
    """The `TRAINING_KEY` record of the repository folder's manifest: None for a given tokenizer."""
    manifest = next((item for item in files if item.path_in_repo == EXPORT_MANIFEST), None)
    return None if manifest is None else json.loads(manifest.local.read_text(encoding="utf-8")).get(TRAINING_KEY)


def _interim_manifest(scratch: Path, listed: set[str], record: Any, tokenizer_sha256: Any) -> LocalFile:
    """The manifest of the first commit: ``listed`` (what earlier publishes wrote and this one writes),
    and the published tokenizer's record and digest, if any (that tokenizer is still there)."""
    from newspairs.export import write_manifest

    folder = scratch / "interim"
    folder.mkdir()
    extra = {key: value for key, value in ((TRAINING_KEY, record), (TOKENIZER_SHA256_KEY, tokenizer_sha256)) if value is not None}
    write_manifest(folder, listed, extra or None)
    return LocalFile.of(folder, folder / EXPORT_MANIFEST)


def card_tokenizer_facts(tokenizer: Tokenizer) -> dict[str, Any]:
    """What the card says of a tokenizer (`CardFacts`): its model, vocabulary size and special tokens."""
    return {
        "tokenizer_model": type(tokenizer.model).__name__,
        "tokenizer_vocab_size": tokenizer.get_vocab_size(),
        "special_tokens": tuple(
            token.content for _, token in sorted(tokenizer.get_added_tokens_decoder().items()) if token.special
        ),
    }


def _loaded(path: Path) -> Tokenizer | None:
    try:
        return Tokenizer.from_file(str(path))
    except Exception:  # not a tokenizer (any more): nothing to keep
        return None


def _facts_of(path: Path) -> dict[str, Any] | None:
    loaded = _loaded(path)
    return None if loaded is None else card_tokenizer_facts(loaded)


def _published_tokenizer(files: Sequence[LocalFile], remote: dict[str, Any], earlier: set[str], record: Any,
                         remote_record: Any, remote_sha256: Any, download: Callable[[str], Path],
                         recard: Callable[[Tokenizer], None] | None) -> tuple[list[str], str | None, bool]:
    """The published tokenizer files to keep rather than replace, the summary's line on the tokenizer,
    and whether ``recard`` rewrote the card for the kept one.

    Kept when the new one was trained (``record``) from what the published one was (``remote_record``:
    the same config, split, train text, settings and versions) and the published tokenizer.json is
    the file that training wrote (``remote_sha256``). Ties broken otherwise can change the vocabulary's size, which the card states: then
    ``recard`` writes the card of the kept one, and without it the new one is sent."""
    local = {item.path_in_repo: item for item in files}
    differing = [name for name in TOKENIZER_OWN_FILES if name in local and not local[name].is_on(remote.get(name))]
    replacing = [name for name in differing if name in remote]
    if not replacing:  # none published, or the same files
        return [], None, False
    if record is None:
        return [], f"replaced the published tokenizer{_named(replacing)} with the given one", False
    if record != remote_record:
        if not isinstance(remote_record, dict):
            why = "the published one has no record of what it was trained from"
        elif set(remote_record) != set(record):  # 9d13141's record named the shard folders and the whole stamp
            why = "the published one's record is of an earlier newspairs, which recorded other things"
        else:
            why = f"{_record_changes(remote_record, record)} changed since the published one was trained"
        return [], f"replaced the published tokenizer{_named(replacing)} with one retrained: {why}", False
    if not all(name in remote and name in earlier for name in TOKENIZER_OWN_FILES):
        return [], f"replaced the published tokenizer{_named(replacing)}: some of its files are missing or not newspairs'", False
    kept_line = (f"kept the published tokenizer{_named(replacing)}, trained on the same data with the same settings, "
                 "whose ids a retrained one would change")
    downloaded = download("tokenizer.json")
    if hashlib.sha256(downloaded.read_bytes()).hexdigest() != remote_sha256:
        return [], f"replaced the published tokenizer{_named(replacing)}: it is not the file its training wrote", False
    published = _loaded(downloaded)
    if published is None:
        return [], f"replaced the published tokenizer{_named(replacing)}: its tokenizer.json does not load", False
    if card_tokenizer_facts(published) == _facts_of(local["tokenizer.json"].local):
        return replacing, kept_line, False
    if recard is None:
        return [], (f"replaced the published tokenizer{_named(replacing)} with one retrained on the same data with the "
                    "same settings, whose model, vocabulary size or special tokens, which the card states, differ"), False
    recard(published)
    return replacing, kept_line, True


def _record_changes(published: dict, new: dict) -> str:
    """``"the data and the training settings"``: the parts of two training records that differ."""
    parts = [RECORD_PARTS.get(key, key) for key in RECORD_PARTS | dict.fromkeys(published) | dict.fromkeys(new)
             if published.get(key) != new.get(key)]
    return " and ".join(parts)


@dataclass
class RepositoryBuild:
    """A built repository folder: where, its files, the card, and the export it was made from
    (``reports``: its `newspairs.builder.BuildReport` per config, files named as in the report file).
    ``temporary``: `folder` was a temporary one, removed once uploaded (`publish`)."""

    folder: Path
    files: list[str]
    card: str
    configs: dict[str, dict[str, int]]
    stamp: Stamp
    reports: dict[str, Any] = field(default_factory=dict)
    temporary: bool = False
    facts: CardFacts | None = None  # what the card was rendered from

    def summary(self) -> str:
        # a removed folder is named nowhere: the reader could not find it
        where = "" if self.temporary else f" in {self.folder}"
        lines = [f"repository{where}: {len(self.files)} files"]
        for name, splits in self.configs.items():
            lines.append(f"  {name}: " + ", ".join(f"{split} {rows}" for split, rows in splits.items()))
        lines.extend(f"  {report.summary()}" for report in self.reports.values())  # read = written + rejected, as an export says
        lines.append(f"  stamp {self.stamp.signature()}")
        return "\n".join(lines)


def _checked_tokenizer(folder: str | os.PathLike, dataset_stamp: Stamp) -> tuple[Path, Tokenizer]:
    """The ``tokenizer.json`` of a trained folder whose stamp matches the data's (else a `ValueError`),
    and the tokenizer it holds."""
    stamp = read_stamp(folder)
    if stamp is None:
        raise ValueError(f"{folder}: no {STAMP_FILENAME} beside the tokenizer, so its normalization is unknown; "
                         "train it with newspairs train-tokenizer")
    differences = stamp.differences(dataset_stamp)
    if differences:
        listed = "; ".join(f"{key}: tokenizer {mine!r}, data {theirs!r}" for key, (mine, theirs) in differences.items())
        raise ValueError(f"{folder}: the tokenizer was made by another normalization than the data ({listed})")
    loaded = load_tokenizer_file(folder)
    mismatch = stamp_mismatch(loaded, stamp)  # the card would say it reproduces the data
    if mismatch:
        raise ValueError(f"{folder}: {mismatch}")
    missing = [token for token in SPECIAL_TOKENS if loaded.token_to_id(token) is None]
    if missing:  # the normalization tokenizer alone, or another's: transformers would add them, [CLS] … [SEP] missing
        raise ValueError(f"{folder}: not a trained tokenizer of newspairs: it has no {', '.join(missing)}; "
                         "train one with newspairs train-tokenizer")
    # what Tokenizer.from_file of the published file would do to every encoding, unasked
    set_up = [what for what, held in (("padding", loaded.padding), ("truncation", loaded.truncation)) if held]
    if set_up:
        raise ValueError(f"{folder}: its tokenizer.json holds a {' and a '.join(set_up)} set-up, which every reader of "
                         "the published file would get; save it without (tokenizer.no_padding(), tokenizer.no_truncation())")
    path = Path(folder)
    path = path / "tokenizer.json" if path.is_dir() else path
    given_model_max_length(path.parent)
    return path, loaded


def given_model_max_length(folder: Path) -> int | None:
    """The ``model_max_length`` of a given tokenizer folder's ``tokenizer_config.json`` (None without
    one, or transformers' "no limit"): the one setting of it a publish carries over. A `ValueError`
    naming the file when it is not a JSON object or the value is no length `transformers_config` takes."""
    path = folder / TOKENIZER_CONFIG_FILENAME
    if not path.is_file():
        return None
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a JSON tokenizer config ({error})") from None
    if not isinstance(config, dict):
        raise ValueError(f"{path}: a tokenizer config is a JSON object, got {config!r:.80}")
    length = config.get("model_max_length")
    if length is None or length == TRANSFORMERS_NO_LIMIT:
        return None
    try:
        transformers_config(model_max_length=length)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    return int(length)


def tokenizer_training_record(config: str, data: str, training: TrainingConfig, stamp: Stamp) -> dict[str, Any]:
    """What a trained tokenizer depended on, recorded in the manifest (`TRAINING_KEY`): the config and
    split it was trained on, ``data`` (`text_digest` of that split's raw text, what training reads:
    not its shards, which the shard size and the other splits change), the training settings, and
    the normalization and the versions of what trains (not `datasets`'). The same record means the
    same training but for ties."""
    settings = {item.name: getattr(training, item.name) for item in fields(training) if item.name != "show_progress"}
    settings["initial_alphabet"] = sorted(training.initial_alphabet)  # a set's order is no setting
    versions = {key: value for key, value in asdict(stamp).items() if key != "datasets"}
    return {"config": config, "split": "train", "data": data, "training": settings, "versions": versions}


def text_digest(split: Any, column: str = "raw") -> str:
    """The sha256 of a `datasets.Dataset` column's texts in order, each followed by a NUL."""
    digest = hashlib.sha256()
    for chunk in split.data.column(column).chunks:
        for text in chunk.to_pylist():
            digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def _write_tokenizer(out: Path, source: Any, config: str, tokenizer: Any, training: TrainingConfig | None,
                     dataset_stamp: Stamp, errors: str, config_kwargs: dict) -> tuple[Tokenizer, str | None]:
    """Put the tokenizer files into ``out`` and return the tokenizer, with the `text_digest` of what it
    was trained on (None for a given one): a given trained folder's ``tokenizer.json`` as it is, or a
    tokenizer trained on the train split of ``config``. The `transformers` configs are newspairs' own
    either way (a given folder's ``model_max_length`` carried over): a given ``tokenizer_class`` or
    ``split_special_tokens`` would make `transformers` tokenize otherwise than ``tokenizer.json``.
    The stamp is the data's, which the tokenizer's matches."""
    from newspairs.builder import load

    if tokenizer is not None:
        path, trained = _checked_tokenizer(tokenizer, dataset_stamp)
        # the given file as it is, written with the rest, all or none
        save_tokenizer_folder(trained, out, stamp=dataset_stamp, model_max_length=given_model_max_length(path.parent),
                              tokenizer_text=path.read_bytes().decode("utf-8"))
        return trained, None
    dataset = load(source, config, errors=errors, **config_kwargs)
    if "train" not in dataset:
        raise MissingSplitError(f"the {config} config has no train split to train the tokenizer on; pass a trained tokenizer")
    trained = train_tokenizer(dataset["train"], training or TrainingConfig(), column="raw")
    save_tokenizer_folder(trained, out, stamp=dataset_stamp)
    return trained, text_digest(dataset["train"])


def build_repository(
    source: Any,
    out: str | os.PathLike,
    options: CardOptions,
    *,
    tokenizer: str | os.PathLike | None = None,
    training: TrainingConfig | None = None,
    configs: Sequence[str] | None = None,
    max_shard_size: Any = None,
    num_proc: int | None = None,
    errors: str = "raise",
    cache_dir: str | None = None,
    revision: str | None = None,
    **config_kwargs,
) -> RepositoryBuild:
    """Write the exact Hub repository of ``source`` to ``out``: `newspairs.export`'s Parquet shards and
    YAML, the full card, the tokenizer files and the stamp.

    ``tokenizer`` is a trained tokenizer folder to publish (its stamp must match the data's; its
    ``tokenizer.json`` is published as it is, beside newspairs' own `transformers` configs);
    ``training`` with settings other than the defaults is then a `ValueError`, as they would be
    ignored. Without it, one is trained on the train split of the first config with ``training`` (default:
    `TrainingConfig()`, a WordPiece of up to 30000 tokens), read through the builder with its
    `datasets` cache at ``cache_dir``, and the manifest records what it was trained from
    (`TRAINING_KEY`, `tokenizer_training_record`). ``revision``: the branch the card will be
    committed on; other than main, the card's snippets load it. The export's build report (`REPORT_FILENAME`) is summed up
    in the card and published beside it: every article read is in the data or in the report with
    why not, and the report names files relative to the source, as the data's ``source_file`` does.

    The repository is built whole in a folder beside ``out`` and installed into ``out`` as an export
    is (`newspairs.export`): a file of the user's where it would write (the tokenizer files too) is
    refused before the build, and a build that fails (no train split to train on) leaves ``out`` as it was.
    """
    from newspairs.builder import CONFIG_NAMES
    from newspairs.export import (
        DEFAULT_MAX_SHARD_SIZE, MANIFEST_FILENAME, TOP_FILES, check_options, check_out, install, out_folder, read_manifest, staged,
    )

    check_tokenizer_options(tokenizer, training)
    # the export's checks, before ``out`` is looked at: "lines" is one config, max_shard_size=0 an error
    max_shard_size = DEFAULT_MAX_SHARD_SIZE if max_shard_size is None else max_shard_size
    configs, _ = check_options(configs or CONFIG_NAMES, max_shard_size, num_proc, errors, config_kwargs)
    out = out_folder(out)
    target = check_out(out, [*TOP_FILES, *TOKENIZER_FILES], configs)
    with staged(target) as staging:
        card, exported, facts = _build_in(staging / "repository", source, options, tokenizer, training, configs,
                                   max_shard_size, num_proc, errors, cache_dir, revision, config_kwargs)
        written = read_manifest(staging / "repository") or []
        install(staging / "repository", target, [*written, MANIFEST_FILENAME])
    return RepositoryBuild(
        folder=out,
        files=[item.path_in_repo for item in repository_files(out)],
        card=card,
        configs={name: dict(summary.splits) for name, summary in exported.configs.items()},
        stamp=exported.stamp,
        reports=exported.reports,
        facts=facts,
    )


def check_tokenizer_options(tokenizer: Any, training: TrainingConfig | None) -> None:
    """A `ValueError` when ``training`` sets how a tokenizer is trained and ``tokenizer`` gives a
    trained one, which is published as it is (the command line's --model or --vocab-size with
    --tokenizer). Default settings say nothing: the command line passes them, its progress bar too."""
    if tokenizer is None or training is None:
        return
    default = TrainingConfig()
    set_here = [f"{item.name}={getattr(training, item.name)!r}" for item in fields(training)
                if item.name != "show_progress" and getattr(training, item.name) != getattr(default, item.name)]
    if set_here:
        raise ValueError(f"training sets {', '.join(set_here)}, how a tokenizer is trained, and tokenizer "
                         f"{str(tokenizer)!r} gives a trained one, which is published as it is: pass one or the other")


def _build_in(out: Path, source: Any, options: CardOptions, tokenizer: Any, training: TrainingConfig | None,
              configs: list[str], max_shard_size: Any, num_proc: int | None, errors: str, cache_dir: str | None,
              revision: str | None, config_kwargs: dict) -> tuple[str, Any, CardFacts]:
    """`build_repository`'s repository, written to the new folder ``out``: the card and the export."""
    from newspairs.builder import NewsPairsConfig
    from newspairs.export import export, read_manifest, write_manifest
    from newspairs.sources import resolve_source

    exported = export(source, out, configs=configs, max_shard_size=max_shard_size, num_proc=num_proc, errors=errors,
                      **config_kwargs)
    report = json.loads((out / REPORT_FILENAME).read_text(encoding="utf-8"))
    # the export writes no datasets cache; training reads the train split through the builder's
    trained, train_digest = _write_tokenizer(out, source, configs[0], tokenizer, training, exported.stamp, errors,
                                             {**config_kwargs, "cache_dir": cache_dir})
    facts = CardFacts(
        report=report,
        input_kinds=dict(Counter(input_kind(item) for item in resolve_source(source))),
        split_ratios=tuple(config_kwargs.get("split_ratios") or NewsPairsConfig.split_ratios),
        tokenizer_given=tokenizer is not None,
        **card_tokenizer_facts(trained),
    )
    card = render_card(out, options, facts, revision=revision)
    (out / CARD_FILENAME).write_text(card, encoding="utf-8")
    extra = None
    if tokenizer is None:  # what a publish compares to keep the published tokenizer (`_published_tokenizer`)
        extra = {TRAINING_KEY: tokenizer_training_record(configs[0], train_digest, training or TrainingConfig(), exported.stamp),
                 TOKENIZER_SHA256_KEY: hashlib.sha256((out / "tokenizer.json").read_bytes()).hexdigest()}
    # the tokenizer files are this build's too: a later build (or export) into ``out`` may replace them
    write_manifest(out, [*(read_manifest(out) or ()), *TOKENIZER_FILES], extra)
    return card, exported, facts


def publish(
    source: Any,
    options: CardOptions,
    *,
    dry_run: str | os.PathLike | None = None,
    private: bool | None = None,
    revision: str | None = None,
    api: Any = None,
    token: str | None = None,
    max_commit_files: int = DEFAULT_COMMIT_FILES,
    max_commit_bytes: int = DEFAULT_COMMIT_BYTES,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    **build_kwargs,
) -> tuple[RepositoryBuild, UploadResult | None]:
    """Build the repository of ``source`` and upload it to ``options.repo_id``; with ``dry_run``, write it
    to that folder and upload nothing. ``build_kwargs`` go to `build_repository`. Without a token, or
    with `huggingface_hub` offline (``HF_HUB_OFFLINE``; checked when ``api`` is its own), a
    `ValueError` comes before the build.

    The dry run writes the repository the upload would send (its card names ``revision`` too), but
    for a tokenizer trained again, whose tie-broken pieces may differ: the upload keeps the published
    tokenizer when nothing it was trained from changed (`UploadResult.kept`)."""
    if dry_run is not None:
        return build_repository(source, dry_run, options, revision=revision, **build_kwargs), None
    # before a long build, not after it
    token = hub_token(token)
    if api is None:
        check_online(options.repo_id)
    with tempfile.TemporaryDirectory(prefix="newspairs-publish-") as staging:
        build = build_repository(source, Path(staging) / "repository", options, revision=revision, **build_kwargs)

        def recard(published: Tokenizer) -> None:
            """The card of the published tokenizer the upload keeps, over the built one."""
            facts = replace(build.facts, **card_tokenizer_facts(published))
            build.card = render_card(build.folder, options, facts, revision=revision)
            (build.folder / CARD_FILENAME).write_text(build.card, encoding="utf-8")

        upload = upload_repository(
            build.folder, options.repo_id, api=api, token=token, private=private, revision=revision,
            max_commit_files=max_commit_files, max_commit_bytes=max_commit_bytes,
            retries=retries, backoff=backoff, sleep=sleep, recard=recard,
        )
    build.temporary = True
    return build, upload


def check_online(repo_id: str) -> None:
    """A `ValueError` when `huggingface_hub` is in offline mode (``HF_HUB_OFFLINE``), which refuses every
    call of its `HfApi`: said before the build, not after it."""
    from huggingface_hub import constants

    if constants.is_offline_mode():
        raise ValueError(f"cannot publish to {repo_id}: huggingface_hub is offline (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE "
                         "is set in the environment); unset it to upload, or write the repository with a dry run")
