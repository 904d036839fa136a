"""The suite covers the whole project: every folder with tests is one of pytest's ``testpaths`` (a folder left out
is silently never run, in CI or by ``dev.py test``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_folder_with_tests_is_in_testpaths() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    with_tests = {
        path.parent.relative_to(ROOT).parts[0]
        for path in ROOT.glob("*/**/test_*.py")
        if not {".venv", "node_modules", "mutants", "var"} & set(path.relative_to(ROOT).parts)
    }
    assert with_tests and with_tests <= set(options["testpaths"]), sorted(with_tests - set(options["testpaths"]))
