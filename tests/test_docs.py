"""The documentation's Python examples run, and print what the pages show.

Each page's ```python blocks run in order in one namespace, from the
repository root; a block followed directly by a ```text block must print that
text (lines with wall-clock times are not compared).
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md"))
BLOCK = re.compile(r"```(\w+)\n(.*?)```", flags=re.S)
CLOCK = re.compile(r"solver\s+[\d.]+ s|\"solve_s\"|\d+\.\d+ s\b")


def _comparable(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.strip().splitlines() if not CLOCK.search(ln)]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = page.read_text(encoding="utf-8")
    blocks = list(BLOCK.finditer(text))
    namespace: dict[str, object] = {"__name__": "__docs__"}
    ran = 0
    for k, m in enumerate(blocks):
        if m.group(1) != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(m.group(2), f"{page.name} block {k}", "exec"), namespace)
        ran += 1
        nxt = blocks[k + 1] if k + 1 < len(blocks) else None
        if nxt is not None and nxt.group(1) == "text" and not text[m.end():nxt.start()].strip():
            assert _comparable(out.getvalue()) == _comparable(nxt.group(2)), (
                f"{page.name} block {k} prints something else than the page shows")
    if page.name == "getting-started.md":
        assert ran >= 5
