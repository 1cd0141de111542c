"""Field ids written in the document code resolve against the definitions, or the build
refuses, naming the code's file and line."""

from __future__ import annotations

import re
from pathlib import Path

from formsite import annex5
from formsite.definitions import Definitions
from formsite.documents import check_documents
from formsite.engine import Engine


def without_field(definitions: Definitions, form_id: str, field_id: str) -> Definitions:
    """The definitions with one field of one form removed (as a careless edit of forms/ would)."""
    raw = definitions.model_dump(by_alias=True)
    for section in raw["forms"][form_id]["sections"]:
        section["fields"] = [f for f in section["fields"] if f["id"] != field_id]
        if section.get("grid"):
            for row in section["grid"]["rows"]:
                row["fields"] = [f for f in row["fields"] if f != field_id]
    return Definitions.model_validate(raw)


def test_the_real_definitions_have_every_field_the_documents_read(engine: Engine):
    assert check_documents(engine) == []


def test_a_field_the_annex3_layout_prints_is_missing(definitions: Definitions):
    broken = Engine.from_definitions(without_field(definitions, "project_info", "legal_representative"))
    problems = check_documents(broken)
    assert [(p.file, p.key) for p in problems] == [("src/formsite/docx/annexes.py",
                                                    "project_info.legal_representative")]
    assert problems[0].line and "不存在" in problems[0].message
    assert str(problems[0]).startswith(f"src/formsite/docx/annexes.py:{problems[0].line}: ")


def test_a_field_annex5_reads_is_missing(definitions: Definitions):
    broken = Engine.from_definitions(without_field(definitions, "project_info", "build_address"))
    problems = check_documents(broken)
    assert ("src/formsite/annex5.py", "project_info.build_address") in {(p.file, p.key) for p in problems}


def test_annex5_declares_every_field_it_reads():
    source = Path(annex5.__file__).read_text(encoding="utf-8")
    body = source[source.index("def _project_values"):]
    read = set(re.findall(r'info\.get\("([a-z_]+)"\)', source))
    read |= {f for f in re.findall(r'\(funds, "([a-z_]+)"\)', body)}
    declared = {ref.split(".")[1] for ref in annex5.READS if ref.count(".") == 1}
    assert read <= declared, read - declared
