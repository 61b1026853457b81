"""The generated parts of ``docs/requirement-sets.md``: the JSON Schema and the table of jurisdictions.

Both are written between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` markers, so the prose
around them stays hand-written. ``python -m cebot.catalog.docs`` rewrites them; a test fails when the file
differs from what the code and the shipped sets say.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from cebot.domain.catalog import json_schema, load_catalog
from cebot.domain.requirements import Applicability, RequirementSet

DOC = Path(__file__).resolve().parents[2] / "docs" / "requirement-sets.md"


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def _row(rs: RequirementSet) -> str:
    what = ("CE required" if rs.applicability is Applicability.CE_REQUIRED
            else rs.applicability.value.replace("_", " "))
    citation = "; ".join(s.title for s in rs.sources)
    unconfirmed = " ".join(rs.unconfirmed) or "-"
    return (f"| {rs.key} | {_cell(rs.name)} | {what} | {_cell(citation)} | {rs.checked_on.isoformat()} | "
            f"v{rs.version} | {_cell(unconfirmed)} |")


def table() -> str:
    """One row per shipped set: what it is, its citation, when it was checked and what stays unconfirmed."""
    lines = ["| key | set | applies | citation | checked | version | unconfirmed |",
             "|---|---|---|---|---|---|---|"]
    lines += [_row(rs) for rs in load_catalog()]
    return "\n".join(lines)


def schema() -> str:
    return f"```json\n{json_schema()}\n```"


BLOCKS = {"schema": schema, "jurisdictions": table}


def render(text: str) -> str:
    """``text`` with every generated block replaced by what the code says now."""
    for name, make in BLOCKS.items():
        start, end = f"<!-- generated:{name} -->\n", f"<!-- /generated:{name} -->"
        found = re.search(re.escape(start) + r"(?:.*?\n)?" + re.escape(end), text, re.S)
        if found is None:
            raise ValueError(f"{DOC.name} has no generated:{name} block")
        text = text[:found.start()] + start + make() + "\n" + end + text[found.end():]
    return text


def main() -> int:
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
