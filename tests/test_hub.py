"""The Hub repository: the dry-run folder loads offline, and a recorded HfApi shows the commits an upload makes."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import datasets
import httpx2
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import CommitInfo, DatasetInfo, RepoFile
from tokenizers import Tokenizer

import newspairs
from newspairs.builder import CONFIG_NAMES, load
from newspairs.cli import main
from newspairs.card import CONFIG_SIDES
from newspairs.export import MANIFEST_FILENAME, REPORT_FILENAME
from newspairs.hub import FINAL_FILES, LocalFile, UploadError, plan_commits, publish, repository_files, upload_repository
from newspairs.stamp import STAMP_FILENAME, normalization_stamp
from newspairs.train import SPECIAL_TOKENS, TOKENIZER_FILES, raw_texts_of, save_tokenizer_folder, train_tokenizer

from hub_repo import OPTIONS, TRAINING, build_offline

REPO_ID = OPTIONS.repo_id


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    # shards of at most 4KB: several per split, so several data commits
    return build_offline(tmp_path_factory.mktemp("repo") / "out", tmp_path_factory.mktemp("cache"), max_shard_size="4KB")


def http_error(status: int, headers: dict | None = None) -> HfHubHTTPError:
    request = httpx2.Request("POST", f"https://huggingface.co/api/datasets/{REPO_ID}/commit/main")
    return HfHubHTTPError(f"{status} from the Hub", response=httpx2.Response(status, request=request, headers=headers or {}))


class RecordedHub:
    """`HfApi` methods replaced by a recording fake holding the repository's files in memory."""

    def __init__(self, monkeypatch, api: HfApi | None = None, files: dict[str, bytes] | None = None,
                 private: bool | None = None):
        self.api = api or HfApi(token="hf_recorded")
        self.files: dict[str, bytes] = dict(files or {})
        self.private = private  # None: no repository yet (create_repo makes one)
        self.calls: list[tuple[str, dict]] = []
        self.commits: list[dict] = []
        self.failures: list[Exception | None] = []  # popped per create_commit call: raise it, or None to go on
        for name in ("create_repo", "create_branch", "repo_info", "list_repo_tree", "hf_hub_download", "create_commit"):
            monkeypatch.setattr(self.api, name, self._checked(name))

    def _checked(self, name: str):
        """The fake method, called only after the arguments bind to the real `HfApi` method's signature."""
        real, fake = inspect.signature(getattr(HfApi, name)), getattr(self, name)

        def method(*args, **kwargs):
            real.bind(self.api, *args, **kwargs)  # TypeError on an argument the real method lacks
            return fake(*args, **kwargs)

        return method

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))
        if self.private is None:  # as the Hub: an existing repository keeps its visibility
            self.private = bool(kwargs.get("private"))

    def repo_info(self, repo_id, **kwargs):
        self.calls.append(("repo_info", {"repo_id": repo_id, **kwargs}))
        return DatasetInfo(id=repo_id, private=self.private)

    def hf_hub_download(self, repo_id, filename, **kwargs):
        self.calls.append(("hf_hub_download", {"repo_id": repo_id, "filename": filename, **kwargs}))
        target = Path(kwargs["local_dir"]) / filename  # never the user's cache
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.files[filename])
        return str(target)

    def create_branch(self, repo_id, **kwargs):
        self.calls.append(("create_branch", {"repo_id": repo_id, **kwargs}))

    def list_repo_tree(self, repo_id, **kwargs):
        self.calls.append(("list_repo_tree", {"repo_id": repo_id, **kwargs}))
        for path, data in sorted(self.files.items()):
            blob = hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()
            lfs = {"size": len(data), "oid": hashlib.sha256(data).hexdigest(), "pointerSize": 134} if path.endswith(".parquet") else None
            yield RepoFile(path=path, size=len(data), oid=blob, lfs=lfs)

    def create_commit(self, repo_id, operations, **kwargs):
        operations = list(operations)
        self.calls.append(("create_commit", {"repo_id": repo_id, **kwargs}))
        if self.failures:
            failure = self.failures.pop(0)
            if failure is not None:
                raise failure
        for operation in operations:
            if isinstance(operation, CommitOperationAdd):
                self.files[operation.path_in_repo] = Path(operation.path_or_fileobj).read_bytes()
            else:
                assert isinstance(operation, CommitOperationDelete)
                del self.files[operation.path_in_repo]
        self.commits.append({
            "message": kwargs["commit_message"],
            "added": [op.path_in_repo for op in operations if isinstance(op, CommitOperationAdd)],
            "deleted": [op.path_in_repo for op in operations if isinstance(op, CommitOperationDelete)],
            "revision": kwargs.get("revision"),
        })
        number = len(self.commits)
        return CommitInfo(f"https://huggingface.co/datasets/{repo_id}/commit/{number:040d}", kwargs["commit_message"], "", f"{number:040d}")


def rows_of(files: dict[str, bytes], folder: Path) -> dict[str, dict[str, list]]:
    """What `datasets.load_dataset` reads of a repository holding ``files``: rows per config and split."""
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return {
        name: {split: rows.to_list() for split, rows in datasets.load_dataset(str(folder), name).items()}
        for name in CONFIG_NAMES
    }


def rows_of_built(config: str) -> dict[str, list]:
    return {split: rows.to_list() for split, rows in load(None, config).items()}


def local_files(folder: Path) -> dict[str, bytes]:
    return {item.path_in_repo: item.local.read_bytes() for item in repository_files(folder)}


class TestDryRunFolder:
    def test_is_exactly_the_repository(self, repository):
        names = set(repository.files)
        assert set(FINAL_FILES) <= names
        assert {name for name in names if name not in FINAL_FILES} == {
            path.relative_to(repository.folder).as_posix() for path in repository.folder.glob("*/*/*.parquet")
        }

    def test_several_shards_per_split_when_the_data_is_larger_than_a_shard(self, repository):
        shards = sorted(path.name for path in (repository.folder / "lines").glob("*/train-*.parquet"))
        assert len(shards) > 1
        assert shards == [f"train-{index:05d}-of-{len(shards):05d}.parquet" for index in range(len(shards))]

    @pytest.mark.parametrize("config", CONFIG_NAMES)
    def test_load_dataset_returns_the_builders_rows(self, repository, config):
        exported = datasets.load_dataset(str(repository.folder), config)
        built = load(None, config)
        assert set(exported) == set(built)
        for split in built:
            assert exported[split].features == built[split].features
            assert exported[split].to_list() == built[split].to_list()

    def test_tokenizer_file_reproduces_the_normalization(self, repository):
        tokenizer = Tokenizer.from_file(str(repository.folder / "tokenizer.json"))
        lines = "\n".join(raw_texts_of(None)).split("\n")
        assert list(newspairs.normalize_lines(lines, tokenizer)) == list(newspairs.normalize_lines(lines))

    def test_tokenizer_loads_with_the_data_stamp_silently(self, repository, recwarn):
        newspairs.load_tokenizer(repository.folder, dataset=repository.folder)
        assert not [warning for warning in recwarn if "stamp" in str(warning.message)]
        assert newspairs.Stamp.from_json((repository.folder / STAMP_FILENAME).read_text()) == normalization_stamp()

    def test_a_given_tokenizer_with_another_stamp_is_refused(self, tmp_path):
        tokenizer = train_tokenizer(raw_texts_of(None), replace(TRAINING, model="wordlevel"))
        save_tokenizer_folder(tokenizer, tmp_path / "tok", stamp=replace(normalization_stamp(), rules="0" * 16))
        with pytest.raises(ValueError, match="another normalization than the data"):
            build_offline(tmp_path / "out", tmp_path / "cache", tokenizer=tmp_path / "tok")

    def test_a_given_tokenizer_edited_after_it_was_stamped_is_refused(self, tmp_path):
        import json

        tokenizer = train_tokenizer(raw_texts_of(None), replace(TRAINING, model="wordlevel"))
        save_tokenizer_folder(tokenizer, tmp_path / "tok")
        data = json.loads((tmp_path / "tok" / "tokenizer.json").read_text(encoding="utf-8"))
        data["normalizer"]["normalizers"] = [step for step in data["normalizer"]["normalizers"] if step["type"] != "Lowercase"]
        (tmp_path / "tok" / "tokenizer.json").write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(ValueError, match=r"tok: its stamp names the rule table .* tokenizer\.json was changed after it was stamped"):
            build_offline(tmp_path / "out", tmp_path / "cache", tokenizer=tmp_path / "tok")
        assert not (tmp_path / "out").exists()

    @pytest.mark.parametrize(
        ("make", "message"),
        [
            pytest.param(lambda: newspairs.build_tokenizer(), r"tok: not a trained tokenizer of newspairs: it has no \[PAD\], \[CLS\], "
                         r"\[SEP\], \[MASK\]; train one with newspairs train-tokenizer$", id="the-normalization-alone"),
            pytest.param(lambda: newspairs.load_tokenizer(padding=True, max_length=8),
                         r"tok: its tokenizer.json holds a padding and a truncation set-up, which every reader", id="padded-and-cut"),
            pytest.param(lambda: newspairs.load_tokenizer(max_length=8), r"tok: its tokenizer.json holds a truncation set-up",
                         id="cut"),
        ],
    )
    def test_a_given_tokenizer_that_would_publish_broken_is_refused(self, tmp_path, make, message):
        # the normalization alone: a card of "a WordLevel model of 1 tokens" and special tokens transformers
        # added; a saved set-up: every Tokenizer.from_file of the published file padded and cut at 8
        save_tokenizer_folder(make(), tmp_path / "tok")
        with pytest.raises(ValueError, match=message):
            build_offline(tmp_path / "out", tmp_path / "cache", tokenizer=tmp_path / "tok")
        assert not (tmp_path / "out").exists()

    def test_a_given_tokenizer_is_published_as_it_is(self, tmp_path):
        tokenizer = train_tokenizer(raw_texts_of(None), replace(TRAINING, model="wordlevel"))
        save_tokenizer_folder(tokenizer, tmp_path / "tok", model_max_length=256)
        build = build_offline(tmp_path / "out", tmp_path / "cache", tokenizer=tmp_path / "tok", configs=["lines"])
        for name in TOKENIZER_FILES:
            assert (tmp_path / "out" / name).read_text() == (tmp_path / "tok" / name).read_text(), name
        assert list(build.configs) == ["lines"]
        # what a given tokenizer was trained on, the build cannot tell: the card does not say it was this corpus
        assert "a WordLevel model of" in build.card and "given to the build, not trained by it" in build.card
        assert "trained on this corpus" not in build.card

    def test_a_bare_tokenizer_file_gets_the_transformers_configs(self, tmp_path):
        tokenizer = train_tokenizer(raw_texts_of(None), replace(TRAINING, model="wordlevel"))
        save_tokenizer_folder(tokenizer, tmp_path / "tok")
        for name in ("tokenizer_config.json", "special_tokens_map.json"):
            (tmp_path / "tok" / name).unlink()
        build_offline(tmp_path / "out", tmp_path / "cache", tokenizer=tmp_path / "tok", configs=["raw"])
        assert json.loads((tmp_path / "out" / "tokenizer_config.json").read_text())["mask_token"] == "[MASK]"


def test_the_manifest_is_the_exports_and_is_published_last():
    assert MANIFEST_FILENAME in FINAL_FILES


def test_the_report_is_the_exports_and_is_published_last():
    """With the card that sums it up; hub names the file itself (importing the export loads datasets)."""
    import newspairs.export
    import newspairs.hub

    assert newspairs.hub.REPORT_FILENAME == newspairs.export.REPORT_FILENAME and newspairs.hub.REPORT_FILENAME in FINAL_FILES


def test_a_dry_run_into_its_own_earlier_output_replaces_it(tmp_path):
    """Class: what a repository build wrote (export, card, tokenizer) is in its manifest, so a later build may replace it."""
    first = build_offline(tmp_path / "out", tmp_path / "cache", configs=["raw"])
    second = build_offline(tmp_path / "out", tmp_path / "cache", configs=["lines"])
    assert sorted(second.files) == sorted(json.loads((tmp_path / "out" / MANIFEST_FILENAME).read_text())["files"] + [MANIFEST_FILENAME])
    assert first.files != second.files and not (tmp_path / "out" / "raw").exists()


def test_the_repository_is_what_newspairs_wrote_not_a_clones_other_files(tmp_path):
    """Class: a repository folder's files are those its manifest lists: a build into a git clone of the
    published repository keeps .git and LICENSE there, and neither is uploaded nor planned."""
    build_offline(tmp_path / "clone", tmp_path / "cache", configs=["raw"])
    (tmp_path / "clone" / ".git").mkdir()
    (tmp_path / "clone" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "clone" / "LICENSE").write_text("CC-BY-4.0")
    build = build_offline(tmp_path / "clone", tmp_path / "cache", configs=["lines"])
    assert (tmp_path / "clone" / ".git" / "HEAD").is_file() and (tmp_path / "clone" / "LICENSE").is_file()
    names = [item.path_in_repo for item in repository_files(tmp_path / "clone")]
    assert sorted(names) == sorted(build.files) and not [name for name in names if name.startswith(".git/") or name == "LICENSE"]
    assert all(name.startswith("lines/") for name in names if name.endswith(".parquet"))


def files_of(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` with its bytes; None when there is no folder."""
    if not folder.exists():
        return None
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


class TestWhatABuildMayWrite:
    """Class: a repository build writes into OUT as an export does: a file of the user's where it would
    write is refused before the build, and a build that fails leaves OUT as it was."""

    @pytest.mark.parametrize("name", ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"])
    def test_a_tokenizer_file_of_the_user_is_refused_before_the_build(self, tmp_path, monkeypatch, name):
        from newspairs import onepass
        from newspairs.export import export

        out = tmp_path / "out"
        export(None, out, configs=["raw"])
        (out / name).write_text("mine")
        before = files_of(out)
        started = []
        real = onepass.export_configs
        monkeypatch.setattr(onepass, "export_configs", lambda *args, **kwargs: started.append(args) or real(*args, **kwargs))
        with pytest.raises(ValueError, match=f"would replace {re.escape(name)}, which no newspairs export wrote"):
            build_offline(out, tmp_path / "cache", configs=["raw"])
        assert started == [] and files_of(out) == before

    @pytest.mark.parametrize("before", ["absent", "an-earlier-repository"])
    def test_a_source_without_a_train_split_leaves_out_as_it_was(self, tmp_path, before):
        source = tmp_path / "one.txt"
        source.write_text("Single article 30.\n", encoding="utf-8")  # its one article falls in test
        out = tmp_path / "repo"
        if before == "an-earlier-repository":
            build_offline(out, tmp_path / "cache", configs=["raw"])
        snapshot = files_of(out)
        with pytest.raises(ValueError, match="no train split to train the tokenizer on"):
            build_offline(out, tmp_path / "cache", source=source, configs=["raw"])
        assert files_of(out) == snapshot
        assert not list(tmp_path.glob(".repo.*"))


class TestPlan:
    @staticmethod
    def files(*sizes: int, final: int = 2) -> list[LocalFile]:
        data = [LocalFile(f"lines/train-{i:05d}.parquet", Path("x"), size, "s", "b") for i, size in enumerate(sizes)]
        return data + [LocalFile(name, Path(name), 10, "s", "b") for name in FINAL_FILES[:final]]

    @pytest.mark.parametrize(
        ("sizes", "max_files", "max_bytes", "expected"),
        [
            pytest.param((1, 1, 1, 1, 1), 2, 100, [2, 2, 1], id="by-files"),
            pytest.param((40, 40, 40), 10, 100, [2, 1], id="by-bytes"),
            pytest.param((500, 1), 10, 100, [1, 1], id="a-file-over-the-limit-alone"),
            pytest.param((), 10, 100, [], id="no-data"),
        ],
    )
    def test_data_in_chunks_then_the_final_files(self, sizes, max_files, max_bytes, expected):
        plan = plan_commits(self.files(*sizes), max_files=max_files, max_bytes=max_bytes)
        assert [len(commit) for commit in plan[:-1]] == expected
        assert [item.path_in_repo for item in plan[-1]] == list(FINAL_FILES[:2])

    def test_limits_must_be_positive(self):
        with pytest.raises(ValueError, match="commit limits must be positive"):
            plan_commits([], max_files=0)


class TestLocalFile:
    def test_git_blob_id_is_gits(self, tmp_path):
        (tmp_path / "hello.txt").write_bytes(b"hello\n")
        assert LocalFile.of(tmp_path, tmp_path / "hello.txt").git_blob_id == "ce013625030ba8dba906f756967f9e9ca394464a"

    @pytest.mark.parametrize(
        ("remote", "same"),
        [
            pytest.param(dict(size=6, oid="ce013625030ba8dba906f756967f9e9ca394464a"), True, id="same-blob"),
            pytest.param(dict(size=6, oid="0" * 40), False, id="other-blob"),
            pytest.param(dict(size=7, oid="ce013625030ba8dba906f756967f9e9ca394464a"), False, id="other-size"),
            pytest.param(dict(size=6, oid="x", lfs={"size": 6, "oid": hashlib.sha256(b"hello\n").hexdigest(), "pointerSize": 1}), True, id="same-lfs"),
            pytest.param(dict(size=6, oid="x", lfs={"size": 6, "oid": "0" * 64, "pointerSize": 1}), False, id="other-lfs"),
        ],
    )
    def test_is_on_compares_content(self, tmp_path, remote, same):
        (tmp_path / "hello.txt").write_bytes(b"hello\n")
        assert LocalFile.of(tmp_path, tmp_path / "hello.txt").is_on(RepoFile(path="hello.txt", **remote)) is same


class TestUpload:
    def test_commits_data_first_then_card_tokenizer_and_stamp(self, repository, monkeypatch):
        hub = RecordedHub(monkeypatch)
        result = upload_repository(repository.folder, REPO_ID, api=hub.api, token="hf_recorded", max_commit_files=4, sleep=pytest.fail)
        assert hub.calls[0] == ("create_repo", {"repo_id": REPO_ID, "repo_type": "dataset", "private": None, "exist_ok": True, "token": "hf_recorded"})
        assert hub.files == local_files(repository.folder)
        data_commits, final = hub.commits[:-1], hub.commits[-1]
        data_commits[0]["added"].remove(MANIFEST_FILENAME)  # the first data commit's (see test_an_interrupted_uploads_files_...)
        assert len(data_commits) > 1 and all(len(commit["added"]) <= 4 for commit in data_commits)
        assert all(path.endswith(".parquet") for commit in data_commits for path in commit["added"])
        assert sorted(final["added"]) == sorted(FINAL_FILES) and final["deleted"] == []
        assert len(result.commits) == len(hub.commits) and result.skipped == []

    def test_private_and_revision_reach_the_hub(self, repository, monkeypatch):
        hub = RecordedHub(monkeypatch)
        upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", private=True, revision="v1", sleep=pytest.fail)
        calls = dict(call for call in hub.calls if call[0] != "create_commit")
        assert calls["create_repo"]["private"] is True and hub.private is True
        assert calls["create_branch"] == {"repo_id": REPO_ID, "branch": "v1", "repo_type": "dataset", "exist_ok": True, "token": "t"}
        assert calls["list_repo_tree"]["revision"] == "v1"
        assert {commit["revision"] for commit in hub.commits} == {"v1"}

    def test_identical_files_are_skipped_and_stale_shards_deleted(self, repository, monkeypatch):
        present = local_files(repository.folder)
        present["README.md"] = b"an older card"
        present["lines/train-00099-of-00099.parquet"] = b"stale"
        present[".gitattributes"] = b"*.parquet filter=lfs"
        listed = json.loads(present[MANIFEST_FILENAME])["files"] + ["lines/train-00099-of-00099.parquet"]
        present[MANIFEST_FILENAME] = json.dumps({"written_by": "newspairs", "files": listed}).encode()
        hub = RecordedHub(monkeypatch, files=present)
        result = upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", sleep=pytest.fail)
        assert hub.commits == [{"message": hub.commits[0]["message"], "added": ["README.md", MANIFEST_FILENAME], "deleted": ["lines/train-00099-of-00099.parquet"], "revision": None}]
        assert result.uploaded == ["README.md", MANIFEST_FILENAME] and len(result.skipped) == len(present) - 4
        assert ".gitattributes" in hub.files

    @pytest.mark.parametrize(
        ("error", "waits"),
        [
            pytest.param(http_error(503), [2.0, 4.0], id="503-backs-off"),
            pytest.param(http_error(429, {"retry-after": "7"}), [7.0, 7.0], id="429-retry-after"),
            pytest.param(ConnectionResetError("reset"), [2.0, 4.0], id="dropped-connection"),
        ],
    )
    def test_transient_errors_are_retried_with_backoff(self, repository, monkeypatch, error, waits):
        hub = RecordedHub(monkeypatch)
        hub.failures = [error, error]
        slept: list[float] = []
        upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", max_commit_files=1000, sleep=slept.append)
        assert slept == waits
        assert hub.files == local_files(repository.folder)

    def test_a_client_error_stops_at_once(self, repository, monkeypatch):
        hub = RecordedHub(monkeypatch)
        hub.failures = [http_error(403)]
        with pytest.raises(UploadError, match="stopped at commit 1 of") as raised:
            upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", sleep=pytest.fail)
        assert isinstance(raised.value.__cause__, HfHubHTTPError)
        assert hub.files == {}

    @pytest.mark.parametrize("step", ["create_repo", "create_branch", "list_repo_tree"])
    @pytest.mark.parametrize(
        "error",
        [pytest.param(http_error(401), id="401-bad-token"), pytest.param(http_error(503), id="503-after-retries"),
         pytest.param(ConnectionError("Name or service not known"), id="no-network")],
    )
    def test_a_failure_before_the_first_commit_is_an_upload_error_naming_the_step(self, repository, monkeypatch, step, error):
        hub = RecordedHub(monkeypatch)

        def failing(*args, **kwargs):
            raise error

        monkeypatch.setattr(hub.api, step, failing)
        with pytest.raises(UploadError, match=rf"upload to {REPO_ID} did not start: {step} failed \(.*\); nothing was uploaded") as raised:
            upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", revision="v1", retries=1, sleep=lambda _: None)
        assert raised.value.__cause__ is error and hub.commits == [] and hub.files == {}

    @pytest.mark.parametrize("step", ["create_repo", "create_commit"])
    def test_offline_mode_stops_at_once(self, repository, monkeypatch, step):
        """HF_HUB_OFFLINE refuses every call alike: a ConnectionError to huggingface_hub, and no retry helps."""
        from huggingface_hub.errors import OfflineModeIsEnabled

        hub = RecordedHub(monkeypatch)
        error = OfflineModeIsEnabled("offline mode is enabled")

        def failing(*args, **kwargs):
            raise error

        monkeypatch.setattr(hub.api, step, failing)
        with pytest.raises(UploadError) as raised:
            upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", sleep=pytest.fail)
        assert raised.value.__cause__ is error and hub.files == {}

    def test_a_failed_upload_resumes_where_it_stopped(self, repository, monkeypatch):
        hub = RecordedHub(monkeypatch)
        hub.failures = [None, None, http_error(500), http_error(500)]
        with pytest.raises(UploadError, match=r"stopped at commit 3 of \d+ .*Run the same command again to resume"):
            upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", max_commit_files=2, retries=1, sleep=lambda _: None)
        sent_before = [path for commit in hub.commits for path in commit["added"] if path != MANIFEST_FILENAME]
        assert len(sent_before) == 4 and "README.md" not in hub.files
        result = upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", max_commit_files=2, sleep=pytest.fail)
        assert sorted(result.skipped) == sorted(sent_before)
        assert not set(result.uploaded) & set(sent_before)
        assert hub.files == local_files(repository.folder)

    @pytest.mark.parametrize("failing_commit", ["first-data", "second-data", "final"])
    def test_readers_never_see_old_and_new_rows_together(self, repository, tmp_path, monkeypatch, failing_commit):
        """Class: between the commits of an upload, and after any of them fails, `load_dataset(repo)`
        gives exactly the earlier publish's rows or exactly the new ones, never a mix."""
        from pairs import write_pairs

        source = write_pairs(tmp_path / "older", {f"old{i}.txt": f"Older article {i} of the repository." for i in range(30)})
        older = build_offline(tmp_path / "older-repo", tmp_path / "cache", source=source, max_shard_size="4KB")
        hub = RecordedHub(monkeypatch, files=local_files(older.folder))
        before = rows_of(hub.files, tmp_path / "before")
        plan_length = len(plan_commits(repository_files(repository.folder), max_files=2))
        failing = {"first-data": 1, "second-data": 2, "final": plan_length}[failing_commit]
        hub.failures = [None] * (failing - 1) + [http_error(403)]
        snapshots = []
        original = hub.create_commit
        monkeypatch.setattr(hub, "create_commit", lambda *a, **k: (original(*a, **k), snapshots.append(dict(hub.files)))[0])
        with pytest.raises(UploadError):
            upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", max_commit_files=2, sleep=pytest.fail)
        for index, files in enumerate([*snapshots, hub.files]):
            assert rows_of(files, tmp_path / f"after-{index}") == before
        upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", max_commit_files=2, sleep=pytest.fail)
        assert rows_of(hub.files, tmp_path / "new") == {name: rows_of_built(name) for name in CONFIG_NAMES}

    @pytest.mark.parametrize("with_manifest", [False, True], ids=["no-manifest", "an-earlier-publishs-manifest"])
    def test_files_newspairs_did_not_write_are_never_deleted(self, repository, monkeypatch, with_manifest):
        """Class: only files the repository's own manifest lists (an earlier publish's) are deleted;
        a user's Parquet files, in a config's folder or not, stay."""
        earlier = {"README.md": b"an older card", "raw/0ld/train-00000-of-00001.parquet": b"older rows"}
        if with_manifest:
            earlier[MANIFEST_FILENAME] = json.dumps({"written_by": "newspairs", "files": sorted(earlier)}).encode()
        users = {"articles/train.parquet": b"PAR1 theirs", "lines/2020/old.parquet": b"theirs", "notes.txt": b"keep",
                 "raw/train-00099-of-00099.parquet": b"theirs"}
        if not with_manifest:
            del earlier["README.md"]  # a card of no publish's would be refused (see below)
        hub = RecordedHub(monkeypatch, files={**earlier, **users})
        result = upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", sleep=pytest.fail)
        assert {path: hub.files.get(path) for path in users} == users
        assert result.deleted == (["raw/0ld/train-00000-of-00001.parquet"] if with_manifest else [])
        assert hub.commits[-1]["deleted"] == result.deleted

    @pytest.mark.parametrize(
        ("remote", "refused"),
        [
            pytest.param({"README.md": b"# my own card\n"}, "README.md", id="users-card-no-manifest"),
            pytest.param({"README.md": b"# my own card\n", "tokenizer.json": b"{}", MANIFEST_FILENAME: b'{"files": ["notes.txt"]}'},
                         "README.md, tokenizer.json", id="users-card-beside-a-manifest-not-listing-it"),
            pytest.param({MANIFEST_FILENAME: b"my own json"}, MANIFEST_FILENAME, id="users-file-at-the-manifest"),
        ],
    )
    def test_a_users_file_where_the_upload_writes_is_refused_before_any_commit(self, repository, monkeypatch, remote, refused):
        hub = RecordedHub(monkeypatch, files=remote)
        with pytest.raises(ValueError, match=rf"^upload to {REPO_ID} refused: .*{re.escape(refused)}.*Remove .*publish to another repository$") as raised:
            upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", sleep=pytest.fail)
        assert "\n" not in str(raised.value) and not isinstance(raised.value, UploadError)
        assert hub.commits == [] and hub.files == remote

    def test_the_summary_names_what_was_replaced_and_deleted(self, repository, monkeypatch):
        """Class: the dry run cannot see the repository, so the real run says what it overwrote and deleted."""
        earlier = {"README.md": b"an older card", "raw/0ld/train-00000-of-00001.parquet": b"older rows"}
        earlier[MANIFEST_FILENAME] = json.dumps({"files": sorted(earlier)}).encode()
        hub = RecordedHub(monkeypatch, files=earlier)
        result = upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", sleep=pytest.fail)
        assert result.replaced == ["README.md", MANIFEST_FILENAME]
        summary = result.summary()
        assert f"2 replaced (README.md, {MANIFEST_FILENAME})" in summary
        assert "1 deleted that an earlier publish wrote and this one lacks (raw/0ld/train-00000-of-00001.parquet)" in summary
        assert "\n" not in summary

    @pytest.mark.parametrize("revision", [None, "v1"], ids=["main", "a-branch"])
    def test_private_on_an_existing_public_repository_is_refused_before_any_commit(self, repository, monkeypatch, revision):
        hub = RecordedHub(monkeypatch, files={".gitattributes": b"*.parquet filter=lfs"}, private=False)
        with pytest.raises(ValueError, match=rf"^upload to {REPO_ID} refused: the repository exists and is public.*settings") as raised:
            upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", private=True, revision=revision, sleep=pytest.fail)
        assert "\n" not in str(raised.value)
        assert hub.commits == [] and hub.private is False

    def test_no_token_is_a_clear_error(self, repository, monkeypatch):
        import huggingface_hub

        monkeypatch.delenv("HF_TOKEN", raising=False)
        monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
        with pytest.raises(ValueError, match="no Hugging Face token: set HF_TOKEN or run `hf auth login`"):
            upload_repository(repository.folder, REPO_ID)

    def test_publish_checks_the_token_before_building(self, tmp_path, monkeypatch):
        import huggingface_hub

        monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
        monkeypatch.setattr("newspairs.hub.build_repository", pytest.fail)
        with pytest.raises(ValueError, match="no Hugging Face token"):
            publish(None, OPTIONS)

    def test_publish_builds_and_uploads(self, monkeypatch):
        hub = RecordedHub(monkeypatch)
        build, upload = publish(None, OPTIONS, api=hub.api, token="t", training=TRAINING, configs=["raw"], sleep=pytest.fail)
        assert sorted(hub.files) == sorted(build.files) and upload.uploaded
        assert not build.folder.exists()  # built in a temporary folder
        assert hub.files["README.md"].decode("utf-8") == build.card


class TestCommand:
    def test_dry_run_writes_the_repository_and_the_plan(self, tmp_path):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main([
                "publish", str(Path(newspairs.__file__).parent / "data" / "default"), "--repo-id", REPO_ID,
                "--license", "cc-by-4.0", "--dry-run", str(tmp_path / "out"), "--quiet", "--vocab-size", "600",
                "--config", "lines", "--max-commit-files", "1",
            ])
        assert code == 0
        text = out.getvalue()
        assert "dry run: nothing uploaded" in text and f"to {REPO_ID}" in text
        assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted(["README.md", "lines", *TOKENIZER_FILES, MANIFEST_FILENAME, "newspairs_sentences.json", REPORT_FILENAME])
        assert json.loads((tmp_path / "out" / "tokenizer_config.json").read_text())["pad_token"] == "[PAD]"

    def test_errors_report_lists_every_reject_as_export_does_and_publishes_the_report(self, tmp_path, capsys):
        """Class: nothing is lost silently: each rejected article is a line of the publish's output (the
        export's own lines), and the report naming each is in the repository, listed in its manifest
        (so it is uploaded, with the card) and named by the card."""
        from pairs import write_pairs

        articles = {f"story{i:02d}.txt": f"Story {i} said it's here.\nIts second line, {i}." for i in range(24)}
        source = write_pairs(tmp_path / "corpus", articles)
        bad = sorted(articles)[::3]
        for name in bad:  # a line more than the raw side: misaligned, rejected
            (source / "normalized" / name).write_text(newspairs.normalize(articles[name]) + "\nextra", encoding="utf-8")
        common = ["--errors", "report", "--quiet"]
        assert main(["export", str(source), str(tmp_path / "export"), *common]) == 0
        exported = capsys.readouterr().out.splitlines()
        assert main(["publish", str(source), "--repo-id", REPO_ID, "--license", "mit", "--dry-run", str(tmp_path / "repo"),
                     "--vocab-size", "300", *common]) == 0
        published = capsys.readouterr().out.splitlines()
        rejected = [line for line in exported if line.startswith("rejected ")]
        assert len(rejected) == len(bad) and [line for line in published if line.startswith("rejected ")] == rejected
        assert [line for line in published if "articles read =" in line] == [line for line in exported if "articles read =" in line]
        repo = tmp_path / "repo"
        assert (repo / REPORT_FILENAME).read_bytes() == (tmp_path / "export" / REPORT_FILENAME).read_bytes()
        assert REPORT_FILENAME in json.loads((repo / MANIFEST_FILENAME).read_text())["files"]
        assert REPORT_FILENAME in [item.path_in_repo for item in repository_files(repo)]
        assert f"`{REPORT_FILENAME}` lists each" in (repo / "README.md").read_text(encoding="utf-8")

    def test_license_other_is_named_and_linked_in_the_cards_metadata(self, tmp_path, capsys):
        from huggingface_hub import DatasetCard

        out = tmp_path / "out"
        assert main(["publish", str(Path(newspairs.__file__).parent / "data" / "default"), "--repo-id", REPO_ID,
                     "--license", "other", "--license-name", "acme-news-1.0", "--license-link", "LICENSE",
                     "--dry-run", str(out), "--quiet", "--vocab-size", "600", "--config", "raw"]) == 0
        card = DatasetCard.load(out / "README.md")
        assert (card.data.license, card.data.license_name, card.data.license_link) == ("other", "acme-news-1.0", "LICENSE")
        assert "- **License:** other: `acme-news-1.0`, text: [LICENSE](<LICENSE>)" in card.text
        assert datasets.load_dataset(str(out), "raw")["train"].num_rows > 0  # the added metadata keeps it loadable

    def test_the_cards_fields_table_says_which_columns_are_json_text(self, tmp_path):
        source = tmp_path / "a.jsonl"
        source.write_text('{"raw": "One here.", "mix": 5, "title": "a"}\n{"raw": "Two here.", "mix": "5", "title": "b"}\n',
                          encoding="utf-8")
        from newspairs.card import CardOptions
        from newspairs.hub import build_repository
        from newspairs.train import TrainingConfig

        out = tmp_path / "out"
        build_repository(str(source), out, CardOptions(license="mit", repo_id=REPO_ID), configs=["articles"],
                         training=TrainingConfig(vocab_size=60), split_ratios=(1, 0, 0), cache_dir=str(tmp_path / "cache"))
        table = (out / "README.md").read_text(encoding="utf-8")
        (mix,) = [row for row in table.splitlines() if row.startswith("| `mix` |")]
        (title,) = [row for row in table.splitlines() if row.startswith("| `title` |")]
        assert "as JSON text" in mix and "json.loads" in mix and "JSON" not in title

    def test_license_is_required(self, capsys):
        with pytest.raises(SystemExit) as raised:
            main(["publish", "corpus", "--repo-id", REPO_ID, "--dry-run", "out"])
        assert raised.value.code == 2
        assert "--license" in capsys.readouterr().err


@pytest.mark.parametrize(("options", "message"), [
    ({"max_shard_size": 0}, "max_shard_size must be a size such as 500MB or 1GiB, or a number of bytes >= 1, got 0"),
    ({"num_proc": 0}, "num_proc must be a whole number of processes >= 1"),
    ({"configs": "line"}, r"configs must be among .* got \['line'\]"),
    ({"bogus": 1}, "unknown option 'bogus'"),
], ids=["zero-shard-size", "no-processes", "unknown-config", "unknown-option"])
def test_build_repository_checks_the_options_as_export_does(tmp_path, options, message):
    """max_shard_size=0 was taken for the default; the checks come before anything is read or written."""
    with pytest.raises(ValueError, match=message):
        build_offline(tmp_path / "out", tmp_path / "cache", **options)
    assert not (tmp_path / "out").exists()


def test_a_str_config_is_one_config(tmp_path):
    build = build_offline(tmp_path / "out", tmp_path / "cache", configs="raw")
    assert list(build.configs) == ["raw"]


@pytest.mark.parametrize("configs", [["raw"], ["lines"], ["articles", "raw"]], ids=["raw", "lines", "articles-raw"])
def test_the_card_speaks_of_the_configs_it_holds_only(tmp_path, configs):
    """Class: the card's prose named `articles`, `raw` and `lines` whatever was published."""
    card = build_offline(tmp_path / "out", tmp_path / "cache", configs=configs).card
    body = card.split("\n---\n", 1)[1]
    for name in ("articles", "lines", "raw"):
        said = CONFIG_SIDES[name] in body or f"`{name}` config" in body  # `raw` alone is also a column
        assert said == (name in configs), (name, configs)
    assert "{{" not in body


def ids_swapped(tokenizer: Tokenizer) -> Tokenizer:
    """``tokenizer`` with two pieces' ids swapped: what training again on the same data, breaking a tie
    otherwise, gives (the same model, size and special tokens; other ids)."""
    data = json.loads(tokenizer.to_str())
    vocab = data["model"]["vocab"]
    first, second = sorted((token for token in vocab if token not in SPECIAL_TOKENS), key=vocab.get)[-2:]
    vocab[first], vocab[second] = vocab[second], vocab[first]
    return Tokenizer.from_str(json.dumps(data))


def last_piece_dropped(tokenizer: Tokenizer) -> Tokenizer:
    """``tokenizer`` with one piece fewer: a retraining whose vocabulary size, which the card states, differs."""
    data = json.loads(tokenizer.to_str())
    vocab = data["model"]["vocab"]
    del vocab[max(vocab, key=vocab.get)]
    return Tokenizer.from_str(json.dumps(data))


class TestRepublishedTokenizer:
    """Class: training breaks ties at random, so a tokenizer trained again on unchanged data numbers
    pieces otherwise; a republish keeps the published one when what it was trained from is unchanged."""

    KEPT = "kept the published tokenizer (tokenizer.json), trained on the same data with the same settings, whose ids a retrained one would change"
    RETRAINED = "replaced the published tokenizer (tokenizer.json) with one retrained: "

    @pytest.mark.parametrize(
        ("again", "message"),
        [
            pytest.param({}, KEPT, id="same-data-and-settings-other-ties"),
            pytest.param({"training": replace(TRAINING, vocab_size=500)},
                         RETRAINED + "the training settings changed since the published one was trained", id="other-vocab-size"),
            pytest.param({"source": "other"},
                         RETRAINED + "the train split's text changed since the published one was trained", id="other-data"),
            pytest.param({"configs": ["lines", "raw"]},
                         RETRAINED + "the config and the train split's text changed since the published one was trained",
                         id="other-config"),
            # the review of 9d13141: the record named the shard folders, which the shard size changes
            pytest.param({"max_shard_size": "4KB"}, KEPT, id="other-shard-size"),
            # ... a tokenizer.json put there by hand was kept, and the card rewritten for it
            pytest.param({"edit": lambda files, first: files.update({"tokenizer.json": last_piece_dropped(first).to_str().encode()})},
                         "replaced the published tokenizer (tokenizer.json): it is not the file its training wrote",
                         id="a-tokenizer-json-put-there-by-hand"),
            # ... and an edited tokenizer_config.json was kept with it: it is newspairs' own again
            pytest.param({"edit": lambda files, first: files.update({"tokenizer_config.json": b'{"tokenizer_class": "BertTokenizerFast"}'})},
                         KEPT, id="an-edited-tokenizer-config"),
            # ties broken otherwise change the size too (training twice on the embedded data gave 524 and 526)
            pytest.param({"retrain": last_piece_dropped}, KEPT, id="same-record-another-vocabulary-size"),
            pytest.param({"tokenizer": "given"}, "replaced the published tokenizer (tokenizer.json) with the given one",
                         id="a-given-tokenizer"),
        ],
    )
    def test_a_republish_keeps_the_published_tokenizer_only_when_nothing_it_was_trained_from_changed(
        self, tmp_path, monkeypatch, again, message
    ):
        from pairs import write_pairs

        hub = RecordedHub(monkeypatch)
        common = dict(api=hub.api, token="t", sleep=pytest.fail)
        # the trainings, fixed: the published tokenizer, then the one trained again
        first = train_tokenizer(raw_texts_of(None), TRAINING)
        trained = iter([first, again.get("retrain", ids_swapped)(first)])
        monkeypatch.setattr("newspairs.hub.train_tokenizer", lambda *args, **kwargs: next(trained))
        publish(None, OPTIONS, training=TRAINING, configs=["raw", "lines"], **common)
        published = dict(hub.files)
        if "edit" in again:
            again["edit"](hub.files, first)
        source = None
        if again.get("source") == "other":
            source = write_pairs(tmp_path / "other", {f"a{i}.txt": f"Another article, number {i}." for i in range(30)})
        tokenizer = None
        if again.get("tokenizer") == "given":
            tokenizer = tmp_path / "tok"
            save_tokenizer_folder(next(trained), tokenizer)
        build, upload = publish(source, OPTIONS, training=None if tokenizer else again.get("training", TRAINING),
                                tokenizer=tokenizer, configs=again.get("configs", ["raw", "lines"]),
                                max_shard_size=again.get("max_shard_size"), **common)
        kept = message == self.KEPT
        assert (hub.files["tokenizer.json"] == published["tokenizer.json"]) is kept
        assert upload.kept == (["tokenizer.json"] if kept else [])
        assert ("tokenizer.json" in upload.replaced) is not kept and ("tokenizer.json" in upload.uploaded) is not kept
        assert upload.summary().split("\n")[1:] == [message]
        assert hub.files["tokenizer_config.json"] == published["tokenizer_config.json"]  # always newspairs' own
        # the card committed describes the tokenizer the repository holds, kept or not
        on_hub = Tokenizer.from_str(hub.files["tokenizer.json"].decode("utf-8"))
        assert f"of {on_hub.get_vocab_size():,} tokens" in hub.files["README.md"].decode("utf-8")
        assert hub.files["README.md"].decode("utf-8") == build.card

    def test_a_record_of_an_earlier_newspairs_is_said_to_be_one(self):
        # the final review: a repository published with 9d13141's record was said to have other data and a 'stamp'
        from newspairs.hub import _published_tokenizer

        earlier = {"config": "raw", "split": "train", "data": ["raw/abc"], "training": {}, "stamp": {}}
        new = {"config": "raw", "split": "train", "data": "sha", "training": {}, "versions": {}}
        remote = {"tokenizer.json": object()}

        class Local:
            path_in_repo = "tokenizer.json"

            def is_on(self, remote_file):
                return False

        kept, line, _ = _published_tokenizer([Local()], remote, {"tokenizer.json"}, new, earlier, None, pytest.fail, None)
        assert (kept, line) == ([], "replaced the published tokenizer (tokenizer.json) with one retrained: the published "
                                    "one's record is of an earlier newspairs, which recorded other things")

    def test_without_a_card_for_the_kept_one_a_tokenizer_of_another_size_is_sent(self, tmp_path, monkeypatch):
        """upload_repository alone cannot write the card of the published tokenizer: it sends the new one."""
        base = train_tokenizer(raw_texts_of(None), TRAINING)
        trained = iter([base, last_piece_dropped(base)])
        monkeypatch.setattr("newspairs.hub.train_tokenizer", lambda *args, **kwargs: next(trained))
        first = build_offline(tmp_path / "first", tmp_path / "cache", configs=["raw"])
        hub = RecordedHub(monkeypatch, files=local_files(first.folder))
        second = build_offline(tmp_path / "second", tmp_path / "cache", configs=["raw"])
        result = upload_repository(second.folder, REPO_ID, api=hub.api, token="t", sleep=pytest.fail)
        assert hub.files == local_files(second.folder) and result.kept == []
        assert result.summary().split("\n")[1] == (
            "replaced the published tokenizer (tokenizer.json) with one retrained on the same data with the same settings, "
            "whose model, vocabulary size or special tokens, which the card states, differ")

    def test_a_card_rendered_again_from_its_folder_is_the_same(self, tmp_path):
        """What publish does to describe a kept tokenizer: render the built card again, other facts alike."""
        from newspairs.card import render_card

        build = build_offline(tmp_path / "out", tmp_path / "cache", configs=["raw", "lines"])
        assert render_card(build.folder, OPTIONS, build.facts) == build.card

    def test_the_manifest_records_what_a_trained_tokenizer_was_trained_from(self, tmp_path):
        import hashlib

        from newspairs.hub import text_digest

        build_offline(tmp_path / "out", tmp_path / "cache", configs=["lines", "raw"])
        manifest = json.loads((tmp_path / "out" / MANIFEST_FILENAME).read_text())
        stamp = json.loads((tmp_path / "out" / STAMP_FILENAME).read_text())
        train = newspairs.load(None, "lines", cache_dir=str(tmp_path / "cache"))["train"]
        assert manifest["tokenizer_training"] == {
            "config": "lines", "split": "train", "data": text_digest(train),
            "training": {"model": "wordpiece", "vocab_size": 600, "min_frequency": 2, "batch_size": 1000, "initial_alphabet": []},
            "versions": {key: value for key, value in stamp.items() if key != "datasets"},
        }
        assert manifest["tokenizer_sha256"] == hashlib.sha256((tmp_path / "out" / "tokenizer.json").read_bytes()).hexdigest()
        assert text_digest(train) == hashlib.sha256(b"".join(text.encode() + b"\0" for text in train["raw"])).hexdigest()


def test_an_interrupted_uploads_files_are_deleted_by_a_later_publish_of_other_data(repository, tmp_path, monkeypatch):
    """Class: the manifest that decides what a publish may delete was written by the last commit only,
    so the shards of an upload stopped before it were never deleted; the first data commit now lists them."""
    from pairs import write_pairs

    older = build_offline(tmp_path / "older", tmp_path / "cache", max_shard_size="4KB", configs=["raw"],
                          source=write_pairs(tmp_path / "a", {f"old{i}.txt": f"Older article {i} here." for i in range(30)}))
    stopped = build_offline(tmp_path / "stopped", tmp_path / "cache", max_shard_size="4KB", configs=["raw"],
                            source=write_pairs(tmp_path / "b", {f"new{i}.txt": f"Newer article {i} there." for i in range(30)}))
    hub = RecordedHub(monkeypatch, files=local_files(older.folder))
    hub.failures = [None] * (len(plan_commits(repository_files(stopped.folder), max_files=2)) - 1) + [http_error(403)]
    with pytest.raises(UploadError, match="stopped at commit"):
        upload_repository(stopped.folder, REPO_ID, api=hub.api, token="t", max_commit_files=2, sleep=pytest.fail)
    orphans = {path for path in hub.files if path.endswith(".parquet")} - set(local_files(older.folder))
    assert orphans and orphans <= set(local_files(stopped.folder))
    result = upload_repository(repository.folder, REPO_ID, api=hub.api, token="t", sleep=pytest.fail)
    assert orphans <= set(result.deleted)
    assert hub.files == local_files(repository.folder)


def test_a_resumed_publish_sends_its_own_tokenizer_not_the_one_the_interrupted_upload_left(tmp_path, monkeypatch):
    """The first commit's manifest keeps the published tokenizer's record, not the new one's: the
    tokenizer the repository holds until the last commit is the earlier one."""
    from pairs import write_pairs

    older = build_offline(tmp_path / "older", tmp_path / "cache", max_shard_size="4KB", configs=["raw"])
    stopped = build_offline(tmp_path / "stopped", tmp_path / "cache", max_shard_size="4KB", configs=["raw"],
                            source=write_pairs(tmp_path / "b", {f"new{i}.txt": f"Newer article {i} there." for i in range(30)}))
    hub = RecordedHub(monkeypatch, files=local_files(older.folder))
    hub.failures = [None] * (len(plan_commits(repository_files(stopped.folder), max_files=2)) - 1) + [http_error(403)]
    with pytest.raises(UploadError):
        upload_repository(stopped.folder, REPO_ID, api=hub.api, token="t", max_commit_files=2, sleep=pytest.fail)
    assert json.loads(hub.files[MANIFEST_FILENAME])["tokenizer_training"] == json.loads(local_files(older.folder)[MANIFEST_FILENAME])["tokenizer_training"]
    upload_repository(stopped.folder, REPO_ID, api=hub.api, token="t", max_commit_files=2, sleep=pytest.fail)
    assert hub.files == local_files(stopped.folder)


def tokenizer_folder(tmp_path: Path, **config) -> Path:
    """A trained tokenizer folder, its tokenizer_config.json changed by ``config``."""
    folder = tmp_path / "tok"
    save_tokenizer_folder(train_tokenizer(raw_texts_of(None), replace(TRAINING, model="wordlevel")), folder, model_max_length=256)
    settings = json.loads((folder / "tokenizer_config.json").read_text())
    (folder / "tokenizer_config.json").write_text(json.dumps({**settings, **config}))
    return folder


class TestGivenTokenizerConfigs:
    """Class: publish --tokenizer checked tokenizer.json and shipped the folder's transformers configs
    unchecked; a tokenizer_class or split_special_tokens there makes AutoTokenizer tokenize otherwise."""

    @pytest.mark.parametrize(
        ("config", "special_map"),
        [
            pytest.param({"tokenizer_class": "BertTokenizerFast"}, None, id="bert-class"),
            pytest.param({"split_special_tokens": False}, None, id="special-tokens-in-text"),
            pytest.param({"do_lower_case": False, "clean_up_tokenization_spaces": True}, None, id="other-keys"),
            pytest.param({"model_max_length": int(1e30)}, None, id="transformers-no-limit"),
            pytest.param({}, {"pad_token": "[UNK]"}, id="special-tokens-map"),
        ],
    )
    def test_the_published_configs_are_newspairs_own(self, tmp_path, config, special_map):
        from newspairs.train import special_tokens_map, transformers_config

        folder = tokenizer_folder(tmp_path, **config)
        if special_map is not None:
            (folder / "special_tokens_map.json").write_text(json.dumps(special_map))
        build_offline(tmp_path / "out", tmp_path / "cache", tokenizer=folder, configs=["raw"])
        expected_length = None if config.get("model_max_length") == int(1e30) else 256
        assert json.loads((tmp_path / "out" / "tokenizer_config.json").read_text()) == transformers_config(model_max_length=expected_length)
        assert json.loads((tmp_path / "out" / "special_tokens_map.json").read_text()) == special_tokens_map()
        assert (tmp_path / "out" / "tokenizer.json").read_bytes() == (folder / "tokenizer.json").read_bytes()

    @pytest.mark.parametrize(
        ("config", "message"),
        [
            pytest.param({"model_max_length": -1}, "model_max_length must be a whole number from 1 to", id="negative-length"),
            pytest.param({"model_max_length": "512"}, "model_max_length must be a whole number from 1 to", id="length-as-text"),
        ],
    )
    def test_a_given_model_max_length_that_is_no_length_is_refused(self, tmp_path, config, message):
        folder = tokenizer_folder(tmp_path, **config)
        with pytest.raises(ValueError, match=rf"^{re.escape(str(folder / 'tokenizer_config.json'))}: {message}"):
            build_offline(tmp_path / "out", tmp_path / "cache", tokenizer=folder, configs=["raw"])
        assert not (tmp_path / "out").exists()

    def test_the_command_publishes_a_given_tokenizer(self, tmp_path, capsys):
        """The command passes default training settings beside --tokenizer: they are no conflict."""
        folder = tokenizer_folder(tmp_path, tokenizer_class="BertTokenizerFast")
        assert main(["publish", str(Path(newspairs.__file__).parent / "data" / "default"), "--repo-id", REPO_ID,
                     "--license", "mit", "--tokenizer", str(folder), "--dry-run", str(tmp_path / "out"), "--quiet",
                     "--config", "raw"]) == 0
        assert json.loads((tmp_path / "out" / "tokenizer_config.json").read_text())["tokenizer_class"] == "PreTrainedTokenizerFast"


@pytest.mark.parametrize(
    ("training", "message"),
    [
        pytest.param(TRAINING, "training sets vocab_size=600, how a tokenizer is trained", id="vocab-size"),
        pytest.param(replace(TRAINING, model="bpe", min_frequency=3), "training sets model='bpe', vocab_size=600, min_frequency=3",
                     id="model-and-more"),
    ],
)
def test_training_settings_beside_a_given_tokenizer_are_refused(tmp_path, training, message):
    """Class: the command line refused --model/--vocab-size with --tokenizer; the Python API ignored them."""
    folder = tokenizer_folder(tmp_path)
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}.*published as it is: pass one or the other$"):
        build_offline(tmp_path / "out", tmp_path / "cache", tokenizer=folder, training=training)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("revision", "loads", "link"),
    [
        pytest.param(None, "", "https://huggingface.co/datasets/acme/news-pairs", id="main-by-default"),
        pytest.param("main", "", "https://huggingface.co/datasets/acme/news-pairs", id="main-named"),
        pytest.param("v1", ', revision="v1"', "https://huggingface.co/datasets/acme/news-pairs/tree/v1", id="a-branch"),
        pytest.param("team/v2", ', revision="team/v2"', "https://huggingface.co/datasets/acme/news-pairs/tree/team%2Fv2",
                     id="a-branch-with-a-slash"),
    ],
)
def test_the_card_committed_on_a_branch_loads_that_branch(monkeypatch, revision, loads, link):
    """Class: the card on --revision BRANCH told readers to load main, another publish's data."""
    hub = RecordedHub(monkeypatch)
    publish(None, OPTIONS, api=hub.api, token="t", training=TRAINING, configs=["raw", "lines"], revision=revision, sleep=pytest.fail)
    card = hub.files["README.md"].decode("utf-8")
    calls = [line for line in card.splitlines() if "load_dataset(" in line or "snapshot_download(" in line]
    assert len(calls) == 3
    assert all(f'"{REPO_ID}"' in line and ((loads in line) if loads else "revision" not in line) for line in calls), calls
    (code,) = [block for block in card.split("```python\n")[1:] if "load_dataset(" in block]
    compile(code.split("```")[0], "card", "exec")  # the snippet is Python
    assert f"- **Repository:** {link}\n" in card


def test_the_publish_summary_names_no_removed_folder(monkeypatch):
    """Class: the summary named the temporary folder the repository was built in, gone once uploaded."""
    hub = RecordedHub(monkeypatch)
    build, _ = publish(None, OPTIONS, api=hub.api, token="t", training=TRAINING, configs=["raw"], sleep=pytest.fail)
    summary = build.summary()
    assert str(build.folder) not in summary and "newspairs-publish-" not in summary
    assert summary.splitlines()[0] == f"repository: {len(build.files)} files"


def test_publish_checks_offline_mode_before_building(monkeypatch):
    """Class: HF_HUB_OFFLINE refuses every HfApi call, and was found out only after the build and training."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr("newspairs.hub.build_repository", pytest.fail)
    with pytest.raises(ValueError, match=rf"^cannot publish to {REPO_ID}: huggingface_hub is offline \(HF_HUB_OFFLINE") as raised:
        publish(None, OPTIONS, token="t")
    assert "\n" not in str(raised.value)
