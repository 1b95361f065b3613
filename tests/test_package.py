"""What a user of the package sees besides its functions: dir(), the license, the extras, the Hub's license list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import newspairs
from newspairs.licenses import check_license, hub_licenses

ROOT = Path(__file__).resolve().parent.parent


def pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_dir_lists_the_lazily_loaded_names():
    listed = dir(newspairs)
    assert set(newspairs._LAZY) <= set(listed)
    assert set(newspairs.__all__) <= set(listed)
    assert listed == sorted(listed)


@pytest.mark.parametrize("name", sorted(newspairs._LAZY), ids=str)
def test_each_lazy_name_listed_by_dir_loads(name):
    assert getattr(newspairs, name) is not None


def test_the_license_file_is_the_declared_license():
    declared = pyproject()["project"]["license"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert declared == "Apache-2.0"
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text


def test_the_torch_extra_takes_a_lower_bound_and_ci_pins_the_cpu_build():
    extras = pyproject()["project"]["optional-dependencies"]
    (users,) = [requirement for requirement in extras["torch"] if requirement.startswith("torch")]
    assert re.fullmatch(r"torch>=[\d.]+", users.replace(" ", "")), users
    (ci,) = [requirement for requirement in extras["test"] if requirement.startswith("torch")]
    assert ci.startswith("torch==")


def test_the_demo_folders_are_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "newspairs-demo/" in ignored and "newspairs-demo-*/" in ignored


class TestHubLicenses:
    def test_the_list_holds_the_common_identifiers(self):
        licenses = hub_licenses()
        assert {"apache-2.0", "mit", "cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0", "odc-by", "other", "unknown"} <= set(licenses)
        assert licenses["cc-by-4.0"] == "Creative Commons Attribution 4.0"
        assert len(licenses) > 60

    def test_identifiers_are_card_identifiers(self):
        from newspairs.card import LICENSE_ID

        assert [identifier for identifier in hub_licenses() if not LICENSE_ID.match(identifier)] == []

    @pytest.mark.parametrize("identifier", ["cc-by-4.0", "apache-2.0", "other", "llama3.1"], ids=str)
    def test_a_listed_identifier_passes(self, identifier):
        assert check_license(identifier) == identifier

    @pytest.mark.parametrize(
        ("identifier", "suggested"),
        [
            pytest.param("cc-by-4", "cc-by-4.0", id="missing-minor-version"),
            pytest.param("Apache-2.0", "apache-2.0", id="uppercase-spdx"),
            pytest.param("MIT", "mit", id="uppercase"),
            pytest.param("proprietary", None, id="nothing-near"),
        ],
    )
    def test_an_unlisted_identifier_is_named_with_the_nearest(self, identifier, suggested):
        with pytest.raises(ValueError) as error:
            check_license(identifier)
        message = str(error.value)
        assert repr(identifier) in message and "https://huggingface.co/docs/hub/repositories-licenses" in message
        assert ("did you mean" in message) == (suggested is not None)
        if suggested:
            assert re.search(rf"did you mean {re.escape(suggested)}\b", message)
