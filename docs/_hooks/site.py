"""Build hooks for the documentation site (``mkdocs build``).

- ``reference/cli.md`` is generated from the command line's own parser, so the
  reference cannot drift from ``routeopt --help``.
- ``benchmarks.md`` is ``benchmarks/README.md``, which lives beside the
  benchmarks it describes; links from the pages to it are rewritten.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
_BENCH = re.compile(r"\]\(\.\./benchmarks/README\.md")


def _options(p: argparse.ArgumentParser) -> list[str]:
    rows = ["| option | what it does |", "|---|---|"]
    for a in p._actions:
        if isinstance(a, argparse._HelpAction | argparse._SubParsersAction):
            continue
        name = ", ".join(f"`{s}`" for s in a.option_strings) or f"`{a.metavar or a.dest}`"
        if a.option_strings and a.nargs != 0:
            meta = a.metavar or (("{" + ",".join(map(str, a.choices)) + "}") if a.choices
                                 else a.dest.upper())
            name += f" `{meta}`"
        text = (a.help or "").replace("|", "\\|").replace("\n", " ")
        if a.required:
            text += " (required)"
        rows.append(f"| {name} | {text} |")
    return rows


def cli_reference() -> str:
    """The command line's reference, as Markdown, from ``routeopt.cli``'s parser."""
    from routeopt.cli import _parser

    top = _parser()
    top.prog = "routeopt"
    out = ["# Command line", "",
           "Generated from the parser of `routeopt` itself: this page and "
           "`routeopt COMMAND --help` say the same. Exit codes are in "
           "[Guarantees](../guarantees.md).", "",
           "```text", top.format_usage().strip(), "```", ""]
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    for name, p in sub.choices.items():
        out += [f"## routeopt {name}", "", (helps.get(name) or "").capitalize() + ".", ""]
        if p.description:
            out += [p.description, ""]
        out += ["```text", p.format_usage().strip(), "```", "", *_options(p), ""]
    return "\n".join(out) + "\n"


def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, "reference/cli.md", content=cli_reference()))
    bench = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    bench = bench.replace("](../docs/", "](")  # its links to the pages, from the site's root
    files.append(File.generated(config, "benchmarks.md", content=bench))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    depth = page.file.src_uri.count("/")
    return _BENCH.sub("](" + "../" * depth + "benchmarks.md", markdown)
