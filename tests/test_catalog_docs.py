"""docs/requirement-sets.md: its generated blocks (JSON Schema, jurisdiction table) match the code."""

from __future__ import annotations

import json
from datetime import date

from cebot.catalog import docs
from cebot.domain.catalog import parse_requirement_set
from cebot.domain.requirements import RequirementSet


def test_published_json_schema_is_the_models_schema() -> None:
    """The JSON Schema in the docs is RequirementSet.model_json_schema() (regenerate: python -m cebot.catalog.docs)."""
    text = docs.DOC.read_text(encoding="utf-8")
    block = text.split("<!-- generated:schema -->\n", 1)[1].split("\n<!-- /generated:schema -->", 1)[0]
    published = json.loads(block.removeprefix("```json\n").removesuffix("\n```"))
    assert published == RequirementSet.model_json_schema()


def test_generated_blocks_are_current() -> None:
    """Every generated block of the page is what the code and the shipped sets say now."""
    text = docs.DOC.read_text(encoding="utf-8")
    assert docs.render(text) == text, "run: python -m cebot.catalog.docs"


def test_every_toml_example_in_the_docs_parses() -> None:
    """The TOML examples on the page are valid sets (shipped-style or workspace-style)."""
    text = docs.DOC.read_text(encoding="utf-8")
    examples = [block.split("```", 1)[0] for block in text.split("```toml\n")[1:]]
    assert len(examples) >= 2
    for example in examples:
        shipped = "[[sources]]" in example
        parse_requirement_set(example, source_name="docs example", workspace_defined=not shipped,
                              checked_on_default=None if shipped else date(2026, 12, 1))
