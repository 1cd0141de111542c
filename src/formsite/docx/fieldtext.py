"""Printable text of dossier values, for the DOCX annexes.

A printed form must show what the person entered, nothing less: a field that validated prints
its *normalised* value (money as "1000.50", a month as "2024年3月"), a field that failed
validation (absent or ``None`` in the normalised data) prints the *raw* value exactly as typed,
and an empty optional field stays blank as on paper.

Pure standard library plus the definitions, so it runs in Pyodide like the rest of the engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..compiler import CompiledDossier
from ..conditions import holds
from ..definitions import FieldDef, FormDef

__all__ = ["CHECKED", "UNCHECKED", "Choice", "DossierText", "format_date", "format_month"]

# GB2312 fonts carry □ and √ (not ☐/☑), so printed check boxes use these.
CHECKED = "√"
UNCHECKED = "□"

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def format_month(value: str) -> str:
    """ "2024-03" → "2024年3月"; anything else unchanged."""
    m = _ISO_MONTH.fullmatch(value)
    return f"{m[1]}年{int(m[2])}月" if m else value


def format_date(value: str) -> str:
    """ "2024-12-31" → "2024年12月31日"; anything else unchanged."""
    m = _ISO_DATE.fullmatch(value)
    return f"{m[1]}年{int(m[2])}月{int(m[3])}日" if m else value


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _raw_text(value: Any) -> str:
    """A raw (unvalidated) value as the person typed it."""
    if _blank(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(t for t in (_raw_text(v) for v in value) if t)
    if isinstance(value, dict):
        return "；".join(t for t in (_raw_text(v) for v in value.values()) if t)
    return str(value)


@dataclass(frozen=True, slots=True)
class Choice:
    """A choice field printed as check boxes: every option with its mark, plus whatever was
    typed that matches no option (so nothing entered is lost)."""

    options: list[tuple[str, bool]]  # (label, selected)
    unmatched: str = ""

    def boxes(self, sep: str = "  ", per_line: int = 0) -> str:
        items = [f"{CHECKED if on else UNCHECKED}{label}" for label, on in self.options]
        if per_line > 0:
            lines = [sep.join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
            text = "\n".join(lines)
        else:
            text = sep.join(items)
        return f"{text}\n（{self.unmatched}）" if self.unmatched else text

    def selected_labels(self, sep: str = "、") -> str:
        chosen = [label for label, on in self.options if on]
        if self.unmatched:
            chosen.append(self.unmatched)
        return sep.join(chosen)


class DossierText:
    """Field lookup and printing for one dossier's raw and normalised data."""

    def __init__(
        self,
        compiled: CompiledDossier,
        raw: Mapping[str, Any] | None,
        normalised: Mapping[str, Any] | None,
    ) -> None:
        self.compiled = compiled
        self.raw: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        self.normalised: Mapping[str, Any] = normalised if isinstance(normalised, Mapping) else {}

    # --- definitions ----------------------------------------------------------------------

    def form(self, form_id: str) -> FormDef:
        return self.compiled.definitions.forms[form_id]

    def field(self, form_id: str, field_id: str) -> FieldDef:
        fdef = self.compiled.index.fields.get(f"{form_id}.{field_id}")
        if fdef is None:
            raise KeyError(f"{form_id}.{field_id}")  # the build names it (documents.check_documents)
        return fdef

    def label(self, form_id: str, field_id: str, short: bool = False) -> str:
        fdef = self.field(form_id, field_id)
        return fdef.display_label if short else fdef.full_label

    @property
    def parameters(self) -> Mapping[str, Any]:
        return self.compiled.definitions.ruleset.parameters

    def applies(self, form_id: str, fdef: FieldDef) -> bool:
        """Whether a conditional field applies, judged on the normalised data when there is
        some and on the raw data otherwise."""
        data = self.normalised if self.normalised.get(form_id) else self.raw
        return holds(fdef.when, dict(data), form_id)

    # --- values ---------------------------------------------------------------------------

    def _form_data(self, source: Mapping[str, Any], form_id: str) -> Mapping[str, Any]:
        data = source.get(form_id)
        return data if isinstance(data, Mapping) else {}

    def raw_value(self, form_id: str, field_id: str) -> Any:
        return self._form_data(self.raw, form_id).get(field_id)

    def norm_value(self, form_id: str, field_id: str) -> Any:
        return self._form_data(self.normalised, form_id).get(field_id)

    def text(self, form_id: str, field_id: str) -> str:
        """The printable value of a scalar field.  A computed sum prints blank when nothing
        that feeds it was entered (a blank form stays blank rather than full of "0.00")."""
        fdef = self.field(form_id, field_id)
        if fdef.computed is not None and not self._fed(form_id, fdef):
            return ""
        return self.value_text(
            self.field(form_id, field_id),
            self.norm_value(form_id, field_id),
            self.raw_value(form_id, field_id),
        )

    def _fed(self, form_id: str, fdef: FieldDef, depth: int = 0) -> bool:
        """Whether any source of a computed field holds an entered value."""
        if fdef.computed is None or depth > 20:
            return False
        for ref in fdef.computed.refs():
            path = self.compiled.index.resolve(ref, form_id).split(".")
            source = self.compiled.index.fields.get(".".join(path[:2]))
            if source is None:
                continue
            if len(path) == 3:  # a table column: any row with a value in it
                rows = self.raw_value(path[0], path[1])
                if isinstance(rows, list) and any(
                    isinstance(r, Mapping) and not _blank(r.get(path[2])) for r in rows
                ):
                    return True
            elif source.computed is not None:
                if self._fed(path[0], source, depth + 1):
                    return True
            elif not _blank(self.raw_value(path[0], path[1])):
                return True
        return False

    def value_text(self, fdef: FieldDef, norm: Any, raw: Any) -> str:
        if fdef.type == "checkbox":
            # An applicable box left unticked is a "no" on paper, not a blank.
            if norm is True:
                return "是"
            return "否" if _blank(raw) or raw is False else _raw_text(raw)
        if _blank(norm):
            return _raw_text(raw)
        match fdef.type:
            case "year_month" if isinstance(norm, str):
                return format_month(norm)
            case "date" if isinstance(norm, str):
                return format_date(norm)
            case "choice" | "multichoice":
                return self.choice_from(fdef, norm, raw).selected_labels()
        return _raw_text(norm)

    def choice(self, form_id: str, field_id: str) -> Choice:
        return self.choice_from(
            self.field(form_id, field_id),
            self.norm_value(form_id, field_id),
            self.raw_value(form_id, field_id),
        )

    def choice_from(self, fdef: FieldDef, norm: Any, raw: Any) -> Choice:
        options = self.compiled.options(fdef)
        source = raw if _blank(norm) else norm
        picked = source if isinstance(source, list) else ([] if _blank(source) else [source])
        picked_text = [str(p) for p in picked]
        matched: set[str] = set()
        marks = []
        for value, label in options:
            on = value in picked_text or label in picked_text
            if on:
                matched.update({value, label})
            marks.append((label, on))
        unmatched = "、".join(p for p in picked_text if p not in matched and p)
        return Choice(marks, unmatched)

    def checked(self, form_id: str, field_id: str) -> bool:
        norm = self.norm_value(form_id, field_id)
        return norm is True or (norm is None and self.raw_value(form_id, field_id) is True)

    def rows(self, form_id: str, field_id: str, presets: bool = False) -> list[dict[str, str]]:
        """A table field's rows as printable cells per column id; rows left entirely blank
        (the page keeps them, the totals skip them) are left out.  With ``presets``, a table
        with no rows at all prints the rule set's preset rows (the blank form's milestones)."""
        fdef = self.field(form_id, field_id)
        columns: Sequence[FieldDef] = fdef.columns or []
        raw_rows = self.raw_value(form_id, field_id)
        norm_rows = self.norm_value(form_id, field_id)
        raw_rows = raw_rows if isinstance(raw_rows, list) else []
        norm_rows = norm_rows if isinstance(norm_rows, list) else []
        out = []
        for i in range(max(len(raw_rows), len(norm_rows))):
            raw_row = raw_rows[i] if i < len(raw_rows) else None
            norm_row = norm_rows[i] if i < len(norm_rows) else None
            raw_row = raw_row if isinstance(raw_row, Mapping) else {}
            norm_row = norm_row if isinstance(norm_row, Mapping) else {}
            cells = {
                c.id: self.value_text(c, norm_row.get(c.id), raw_row.get(c.id)) for c in columns
            }
            if any(cells.values()):
                out.append(cells)
        if not out and presets:
            for preset in self.compiled.preset_rows(fdef):
                out.append({c.id: self.value_text(c, preset.get(c.id), None) for c in columns})
        return out
