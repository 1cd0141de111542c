"""The definition language: annex schemas (forms/) and rule sets (rules/), as typed models.

These models check the *shape* of a definition (keys, types, enums). Cross references (a check
naming a field that does not exist, a label placeholder naming an unknown parameter) are checked
by :func:`formsite.catalog.check_references`, so that one run reports every mistake at once.

The same models load the compiled ``definitions.json`` inside Pyodide, so nothing here may
import anything beyond the standard library and pydantic.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FieldType = Literal[
    "text",
    "longtext",
    "money",
    "integer",
    "area",
    "percent",
    "date",
    "year_month",
    "phone",
    "credit_code",
    "choice",
    "multichoice",
    "checkbox",
    "table",
]

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# A reference to a field: ``field`` (same form), ``form.field`` or ``form.table.column``.
FieldRef = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,2}$")]


class Strict(BaseModel):
    """Definition models refuse unknown keys: a typo in YAML must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(Strict):
    """When a field, section or check applies. Structured, never an expression string.

    Exactly one of: ``field`` with ``equals``/``includes``; ``all``; ``any``; ``not_``.
    """

    field: FieldRef | None = None
    equals: str | bool | int | None = None
    includes: str | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [
            self.field is not None,
            self.all is not None,
            self.any is not None,
            self.not_ is not None,
        ]
        if sum(forms) != 1:
            raise ValueError("条件必须且只能是 field / all / any / not 之一")
        if self.field is not None and (self.equals is None) == (self.includes is None):
            raise ValueError("field 条件必须且只能给出 equals 或 includes 之一")
        return self

    def refs(self) -> list[str]:
        """Every field reference in this condition, for reference checking."""
        if self.field is not None:
            return [self.field]
        parts = self.all or self.any or ([self.not_] if self.not_ else [])
        return [ref for part in parts for ref in part.refs()]


class Option(Strict):
    value: Identifier | str
    label: str


class Growth(Strict):
    """Growth of ``value`` over ``base`` in per cent: (value - base) / base × 100, two decimals."""

    value: FieldRef
    base: FieldRef


class Computed(Strict):
    """A computed field, never typed: exactly one of ``sum`` (the sum of other fields; a table
    column sums over its rows) or ``growth`` (a growth rate between two fields)."""

    sum: list[FieldRef] | None = Field(default=None, min_length=1)
    growth: Growth | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Computed:
        if (self.sum is None) == (self.growth is None):
            raise ValueError("computed 必须且只能给出 sum 或 growth 之一")
        return self

    def refs(self) -> list[str]:
        return list(self.sum) if self.sum is not None else [self.growth.value, self.growth.base]


class FieldDef(Strict):
    id: Identifier
    label: str = Field(min_length=1)
    type: FieldType
    short_label: str | None = None  # used in narrow table headers and messages when given
    required: bool = False
    when: Condition | None = None
    help: str | None = None
    placeholder: str | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    signed: bool = False  # money that may be negative (profit)
    options: list[Option] | None = None
    options_param: str | None = None  # options taken from a rule-set parameter
    # The options follow another choice field of the same form: ``options_param`` then names a
    # mapping {that field's value: [options]} (e.g. the counties of the chosen city).
    options_by: Identifier | None = None
    default: Any = None
    computed: Computed | None = None
    # tables only
    columns: list[FieldDef] | None = None
    min_rows: int = 0
    max_rows: int = 500
    preset_rows: list[dict[str, Any]] | None = None
    preset_rows_param: str | None = None
    add_label: str | None = None
    # "cards": each row shown as a block of labelled fields (rows with long texts, e.g. one
    # 附件2 per project) instead of a line of cells.
    layout: Literal["rows", "cards"] = "rows"
    # Filled by the engine from an attached bundle (see AttachmentDef.copy), never typed.
    readonly: bool = False
    # The field exists only under rule sets whose parameter of this name is true (a field one
    # round asks for and another does not); the loader drops it everywhere else.
    enabled_by: Identifier | None = None

    @model_validator(mode="after")
    def _type_specific(self) -> FieldDef:
        if self.type in ("choice", "multichoice"):
            if (self.options is None) == (self.options_param is None):
                raise ValueError("选择题必须且只能给出 options 或 options_param 之一")
        elif self.options is not None or self.options_param is not None:
            raise ValueError(f"类型 {self.type} 不能有 options")
        if self.type == "table":
            if not self.columns:
                raise ValueError("表格（table）必须给出 columns")
            if any(column.type == "table" for column in self.columns):
                raise ValueError("表格的列不能再是表格")
        elif self.columns is not None:
            raise ValueError(f"类型 {self.type} 不能有 columns")
        if self.computed is not None and self.required:
            raise ValueError("计算字段不能是必填项")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min 不能大于 max")
        if self.options_by is not None and self.options_param is None:
            raise ValueError("options_by 需要同时给出 options_param（一个映射参数）")
        if self.computed is not None and self.computed.growth is not None and self.type != "percent":
            raise ValueError("增长率（growth）字段的类型必须是 percent")
        return self

    @property
    def display_label(self) -> str:
        """The label in messages and narrow headers: short, without the unit."""
        return self.short_label or self.label

    @property
    def full_label(self) -> str:
        """The label as printed next to the input: with its unit, e.g. 注册资本（万元）."""
        return f"{self.label}（{self.unit}）" if self.unit else self.label


class GridRow(Strict):
    label: str
    fields: list[Identifier] = Field(min_length=1)


class Grid(Strict):
    """Presentation only: show some fields of a section as a compact table (label × columns),
    like the official form's 支持内容 block. Validation is the same as for any field."""

    columns: list[str] = Field(min_length=1)
    rows: list[GridRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _rectangular(self) -> Grid:
        if any(len(row.fields) != len(self.columns) for row in self.rows):
            raise ValueError("grid 的每一行字段数必须与 columns 数相同")
        return self


class Section(Strict):
    id: Identifier
    title: str
    help: str | None = None
    when: Condition | None = None
    grid: Grid | None = None
    fields: list[FieldDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _grid_fields_exist(self) -> Section:
        ids = {f.id for f in self.fields}
        missing = [f for row in (self.grid.rows if self.grid else []) for f in row.fields if f not in ids]
        if missing:
            raise ValueError(f"grid 引用了本节中不存在的字段：{'、'.join(missing)}")
        return self


class FormDef(Strict):
    id: Identifier
    annex: str = Field(description="附件编号, e.g. 附件3")
    title: str
    source: str = Field(description="The clause of the notice this form comes from")
    fill_note: str | None = None
    sections: list[Section] = Field(min_length=1)

    def fields(self) -> list[FieldDef]:
        return [field for section in self.sections for field in section.fields]


class AttachmentDef(Strict):
    """Bundles of another dossier carried inside this one byte for byte, so their own hashes
    still hold: a county's bundle carries its enterprises' project bundles, a city's bundle its
    counties' bundles. Each attached bundle is revalidated under the current rules, never
    trusted, and gets one row of ``table`` (the county's 附件2 for that project, the city's
    推荐意见 for that county)."""

    dossier: Identifier = Field(description="The kind of bundle attached")
    label: str = Field(description="What one attachment is called, e.g. 重点项目数据包")
    table: FieldRef = Field(description="form.table with one row per attachment, in order")
    ref_column: Identifier = Field(default="ref", description="The row's column holding the key")
    key: list[FieldRef] = Field(min_length=1, description="Fields of the attached data that "
                                "identify it: two attachments with the same key are duplicates")
    copy_: dict[Identifier, FieldRef] = Field(default_factory=dict, alias="copy",
                                              description="row column ← field of the attached data")
    same: dict[FieldRef, FieldRef] = Field(default_factory=dict, description="this dossier's "
                                           "field → the attached field that must equal it")
    min_count: int = 1
    clause: str = Field(min_length=1, description="The notice's clause the chain's findings cite")
    max_count_param: str | None = Field(default=None, description="parameter: a mapping from "
                                        "the value of max_count_by to the most attachments")
    max_count_by: FieldRef | None = None


class Deadline(Strict):
    """When this dossier is due and where it goes: ``param`` names a date in the rule set."""

    param: Identifier
    label: str = Field(description="e.g. 报送设区市商务主管部门和财政部门")


class DossierDef(Strict):
    id: Identifier
    title: str
    role: str
    forms: list[Identifier] = Field(min_length=1)
    file_name: FieldRef = Field(description="The field whose value names the download")
    documents: Identifier = Field(description="The document set printed for this dossier "
                                  "(a renderer in formsite.documents)")
    attachments: AttachmentDef | None = None
    deadline: Deadline | None = None


class FormsFile(Strict):
    """forms/dossiers.yaml"""

    dossiers: list[DossierDef] = Field(min_length=1)


Severity = Literal["error", "warning"]


class Examples(Strict):
    pass_: list[dict[str, Any]] = Field(default_factory=list, alias="pass")
    fail: list[dict[str, Any]] = Field(default_factory=list)


class CheckDef(Strict):
    id: Identifier
    check: Identifier = Field(description="Name of the Python check in formsite.checks")
    args: dict[str, Any] = Field(default_factory=dict)
    when: Condition | None = None
    severity: Severity
    message: str = Field(min_length=1)
    clause: str = Field(min_length=1, description="Source document and clause")
    examples: Examples

    @model_validator(mode="after")
    def _has_examples(self) -> CheckDef:
        if not self.examples.pass_ or not self.examples.fail:
            raise ValueError("每条检查至少需要一个通过示例（pass）和一个不通过示例（fail）")
        return self


class ParameterDoc(Strict):
    """What a parameter means, for the rules reference and the change report (in Chinese)."""

    description: str = Field(min_length=1)
    unit: str = Field(min_length=1, description="e.g. 平方米, 万元, 年; 无 for words and lists")
    clause: str = Field(min_length=1, description="The notice's clause it comes from")


class RuleSet(Strict):
    id: Identifier | str
    version: str
    title: str
    source: str
    # The rule set this one follows (a file next to it): the build reports what changed since.
    previous: str | None = None
    # Reference data kept in files of its own (e.g. the list of counties, with the date it is
    # valid for): parameter name → file, relative to the rule set. The loader reads each file
    # into ``parameters`` under that name, so the rule set's hash covers it too.
    include: dict[Identifier, str] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    # One entry per parameter (included ones too); the loader refuses a parameter without one.
    parameter_docs: dict[str, ParameterDoc] = Field(default_factory=dict)
    checks: list[CheckDef] = Field(min_length=1)


class Definitions(Strict):
    """Everything the engine needs: compiled once, loaded by CLI, tests and the browser."""

    forms: dict[str, FormDef]
    dossiers: dict[str, DossierDef]
    ruleset: RuleSet
    ruleset_hash: str
    # The compiled definitions of the previous rule set (as definitions.json text), when the
    # build was given one: a draft saved under them is validated under both and the person is
    # told exactly what changed for it. Kept as text, so pages that never need it pay nothing
    # to load it.
    previous_json: str | None = None
