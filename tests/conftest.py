"""Shared fixtures: the HF cache lives in a temp folder and the Hub is offline for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Hypothesis profiles: "ci" (the default: a few hundred examples per property) and "dev"
# (quick); "thorough" for a long hunt. Pick one with HYPOTHESIS_PROFILE=dev.
try:
    import os

    from hypothesis import HealthCheck, settings

    _slow_ok = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    settings.register_profile("ci", max_examples=400, deadline=None, suppress_health_check=_slow_ok, print_blob=True)
    settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=_slow_ok)
    settings.register_profile("thorough", max_examples=20_000, deadline=None, suppress_health_check=_slow_ok)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # hypothesis comes with the test extra
    pass


@pytest.fixture(autouse=True)
def offline_hf_cache(tmp_path_factory, monkeypatch):
    """No test reaches the network, and none touches the user's Hugging Face cache."""
    cache = tmp_path_factory.mktemp("hf_cache")
    monkeypatch.setenv("HF_HOME", str(cache))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache / "datasets"))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")
    try:
        import datasets.config as dconfig

        monkeypatch.setattr(dconfig, "HF_DATASETS_CACHE", cache / "datasets")
        monkeypatch.setattr(dconfig, "HF_HUB_OFFLINE", True)
        monkeypatch.setattr(dconfig, "HF_DATASETS_OFFLINE", True)
    except ImportError:
        pass
    yield cache
