"""Every shipped catalog is complete: no untranslated or fuzzy entry in any language, and each compiles."""

import shutil
import subprocess

import pytest
from django.conf import settings

CATALOGS = sorted((settings.BASE_DIR / "locale").glob("*/LC_MESSAGES/*.po"))


def test_each_language_the_product_speaks_ships_both_catalogs():
    shipped = {(path.parts[-3], path.stem) for path in CATALOGS}
    for code, _ in settings.LANGUAGES:
        if code != "en":
            assert {(code, "django"), (code, "djangojs")} <= shipped, code


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: f"{path.parts[-3]}/{path.name}")
def test_a_catalog_has_no_untranslated_or_fuzzy_entries(path):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin:/usr/local/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert "fuzzy" not in statistics and "untranslated" not in statistics, f"{path}: {statistics}"
