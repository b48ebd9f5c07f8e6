"""The README is read on other machines: it names no machine-specific absolute path."""

import re

from tests.helpers import REPO_ROOT


def test_readme_names_no_machine_specific_paths():
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"(?<![\w.])/(?:work|tmp|root|home|Users)/\S*", text)
    assert found == []
