"""The export folder: written whole, with a manifest, replacing only an earlier export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from routeopt.exceptions import InputError
from routeopt.export._cli import ExportOptions, Output, write_exports
from routeopt.export._labels import LANGUAGES, labels, weekday_name


def _writer(text: str) -> Any:
    def write(plan: Any, folder: Path, opts: ExportOptions) -> list[Path]:
        sub = folder / "sheets"
        sub.mkdir(exist_ok=True)
        p = sub / f"{opts.lang}.txt"
        p.write_text(text, encoding="utf-8")
        return [p]
    return write


def test_the_folder_is_written_with_a_manifest_of_every_file(tmp_path: Path) -> None:
    out = tmp_path / "share"
    got = write_exports(None, out, [Output("a", "", _writer("one"))],  # type: ignore[arg-type]
                        ExportOptions(lang="zh"))
    assert sorted(got) == ["manifest.json", "sheets/zh.txt"]
    m = json.loads((out / "manifest.json").read_text())
    assert m["format"] == "routeopt-export"
    assert m["files"]["sheets/zh.txt"]["bytes"] == 3


def test_an_export_replaces_an_earlier_export_whole(tmp_path: Path) -> None:
    out = tmp_path / "share"
    write_exports(None, out, [Output("a", "", _writer("one"))],  # type: ignore[arg-type]
                  ExportOptions(lang="zh"))
    write_exports(None, out, [Output("a", "", _writer("two"))])  # type: ignore[arg-type]
    assert sorted(p.name for p in (out / "sheets").iterdir()) == ["en.txt"]


def test_a_failing_output_leaves_the_earlier_export_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "share"
    write_exports(None, out, [Output("a", "", _writer("one"))])  # type: ignore[arg-type]

    def broken(plan: Any, folder: Path, opts: ExportOptions) -> list[Path]:
        (folder / "half.txt").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_exports(None, out, [Output("b", "", broken)])  # type: ignore[arg-type]
    assert (out / "sheets" / "en.txt").read_text() == "one"
    assert not (out / "half.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["share"]


def test_a_folder_of_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine.docx").write_text("x")
    with pytest.raises(InputError, match=r"mine\.docx"):
        write_exports(None, tmp_path, [Output("a", "", _writer("one"))])  # type: ignore[arg-type]
    assert [p.name for p in tmp_path.iterdir()] == ["mine.docx"]


def test_every_language_has_every_label() -> None:
    en = set(labels("en"))
    for lang in LANGUAGES:
        assert set(labels(lang)) == en
        assert len({weekday_name(d, lang) for d in range(7)}) == 7


def test_an_unknown_language_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown language 'fr'; use one of en, zh"):
        labels("fr")
