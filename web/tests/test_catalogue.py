"""The English catalogue is complete and current: a fresh extraction of every msgid in the code and templates,
merged into a copy of ``locale/en/LC_MESSAGES/django.po``, leaves nothing untranslated or fuzzy and neither adds
nor drops a msgid. Refresh it with ``manage.py makemessages -l en --no-obsolete`` (see docs/development.md)."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
# What makemessages must not read: installed packages, generated files and the catalogue itself.
SKIPPED = {"locale", "node_modules", "var", "mutants", "test-results", "media"}

pytestmark = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgmerge")),
    reason="GNU gettext (xgettext, msgmerge) is not installed (Debian package 'gettext')",
)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> polib.POFile:
    # makemessages writes to the locale directory nearest the sources, so it runs over a tree of links to them
    # beside a copy of the catalogue, and the committed file is never touched.
    tree = tmp_path_factory.mktemp("sources")
    for entry in Path(settings.BASE_DIR).iterdir():
        if not entry.name.startswith(".") and entry.name not in SKIPPED:
            (tree / entry.name).symlink_to(entry)
    copy = tree / "catalogue" / "en" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copyfile(CATALOGUE, copy)
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[str(tree / "catalogue")]):
        patch.chdir(tree)
        call_command("makemessages", locale=["en"], no_obsolete=True, symlinks=True, verbosity=0)
    return polib.pofile(str(copy))


def _ids(catalogue: polib.POFile) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in catalogue if not entry.obsolete}


def test_every_msgid_in_the_code_has_an_english_translation(extracted: polib.POFile) -> None:
    missing = [entry.msgid for entry in extracted.untranslated_entries()]
    fuzzy = [entry.msgid for entry in extracted.fuzzy_entries()]
    assert not missing, f"{len(missing)} msgids without a translation, e.g. {missing[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy translations to review, e.g. {fuzzy[:10]}"


def test_the_committed_catalogue_matches_the_code(extracted: polib.POFile) -> None:
    committed, fresh = _ids(polib.pofile(str(CATALOGUE))), _ids(extracted)
    assert not fresh - committed, f"msgids not yet in the catalogue: {sorted(fresh - committed)[:10]}"
    assert not committed - fresh, f"msgids no longer in the code: {sorted(committed - fresh)[:10]}"
