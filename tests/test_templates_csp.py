"""Every template keeps to the content security policy: no inline styles, no inline scripts.

The policy (kpi_portal/settings.py, django-csp) allows styles and scripts from
our own static files only, so an inline `style="..."` or a `<script>` without
`src` is blocked by the browser and the page shows wrong. The browser journeys
catch it on the pages they visit; this test catches it on every template.
"""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
INLINE_STYLE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
FILES = sorted(TEMPLATES.rglob("*.html"))


def test_the_templates_are_found():
    assert len(FILES) > 100


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_no_inline_style_or_script(path):
    text = path.read_text(encoding="utf-8")
    styles = [m.group(0) for m in INLINE_STYLE.finditer(text)]
    scripts = [m.group(0) for m in INLINE_SCRIPT.finditer(text)]
    assert not styles and not scripts, f"{path.name}: {styles + scripts}"
