"""A Hub repository folder built once per test module from the embedded default data (offline, temp caches)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newspairs.card import CardOptions
from newspairs.hub import RepositoryBuild, build_repository
from newspairs.train import TrainingConfig

OPTIONS = CardOptions(license="cc-by-4.0", repo_id="acme/news-pairs", pretty_name="Acme news pairs")
TRAINING = TrainingConfig(model="wordpiece", vocab_size=600, show_progress=False)


def build_offline(folder: Path, cache: Path, **kwargs) -> RepositoryBuild:
    """`build_repository` of the embedded data with the HF caches in ``cache`` and the Hub offline.

    Module-scoped fixtures run before the per-test cache fixture of conftest, so they set it up here.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "HF_HOME": cache, "HF_DATASETS_CACHE": cache / "datasets", "HF_HUB_CACHE": cache / "hub",
            "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
        }.items():
            patch.setenv(name, str(value))
        return build_repository(
            kwargs.pop("source", None), folder, kwargs.pop("options", OPTIONS),
            # a given tokenizer is published as it is: training settings beside it are refused
            training=kwargs.pop("training", None if kwargs.get("tokenizer") else TRAINING), cache_dir=str(cache / "datasets"),
            **kwargs,
        )
