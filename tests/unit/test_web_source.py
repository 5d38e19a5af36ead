"""The web app shows user text as text: no v-html, innerHTML or eval anywhere in web/src."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "web" / "src"
RAW_HTML = re.compile(r"v-html|innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(")


def test_no_raw_html_or_eval_in_the_web_app():
    files = [p for p in SRC.rglob("*") if p.suffix in (".vue", ".ts") and p.name != "schema.d.ts"]
    assert files, "web/src has no sources"
    found = [
        f"{p.relative_to(SRC)}:{n}"
        for p in files
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if RAW_HTML.search(line)
    ]
    assert not found, found
