"""The definition language, one feature per test, on small forms written inline."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.inline import inline_engine, write_definitions

from formsite.errors import DefinitionError
from formsite.loader import load_definitions

GROWTH = """
id: f
sections:
  - id: s
    title: 第一部分
    fields:
      - {id: y1, label: 2023年出口额, type: money, unit: 万元}
      - {id: y2, label: 2024年出口额, type: money, unit: 万元}
      - {id: g, label: 2024年增长率, type: percent, computed: {growth: {value: y2, base: y1}}}
"""


def codes(report) -> set[tuple[str, str]]:
    return {(i.path, i.code) for i in report.errors + report.warnings}


@pytest.mark.parametrize(("y1", "y2", "growth"), [
    ("100", "112.5", "12.50"), ("3", "1", "-66.67"), ("3", "4", "33.33"),  # half up, 2 decimals
    ("0", "5", None),  # no base: no rate
    ("", "5", None), ("abc", "5", None),  # nothing or nothing readable: no rate
])
def test_growth_rates_are_computed_never_typed(y1, y2, growth):
    engine = inline_engine(GROWTH)
    report = engine.validate("d", {"f": {"y1": y1, "y2": y2, "g": "999"}})
    assert report.normalised["f"]["g"] == growth


def test_a_unit_is_printed_with_the_label_and_left_out_of_messages():
    engine = inline_engine(GROWTH)
    fdef = engine.compiled("d").index.fields["f.y1"]
    assert fdef.full_label == "2023年出口额（万元）"
    report = engine.validate("d", {"f": {"y1": "1.234"}})
    assert report.errors[0].message.startswith("2023年出口额以万元为单位")


FOLLOWING = """
id: f
sections:
  - id: s
    title: 第一部分
    fields:
      - {id: n, label: 数量, type: integer}
      - {id: city, label: 设区市, type: choice, options_param: places.by_city}
      - {id: county, label: 县, type: choice, options_param: places.by_city, options_by: city}
"""
PLACES = """
valid_on: "2024-10-31"
by_city: {甲市: [一县, 二县], 乙市: [三县]}
"""


def following_engine():
    return inline_engine(FOLLOWING, include={"places": PLACES})


@pytest.mark.parametrize(("city", "county", "expected"), [
    ("甲市", "二县", set()),
    ("乙市", "二县", {("f.county", "choice.not_under")}),  # a county of another city
    ("甲市", "四县", {("f.county", "choice.invalid")}),  # no such county
    ("", "二县", set()),  # no city yet: the required check (if any) speaks, not this one
])
def test_a_choice_follows_another_from_included_reference_data(city, county, expected):
    report = following_engine().validate("d", {"f": {"city": city, "county": county}})
    assert codes(report) == expected


def test_included_reference_data_is_part_of_the_rule_set_hash():
    engine = following_engine()
    assert engine.definitions.ruleset.parameters["places"]["valid_on"] == "2024-10-31"


def test_sums_in_a_circle_are_refused_with_file_and_line(tmp_path: Path):
    rules = write_definitions(tmp_path, """
        id: f
        sections:
          - id: s
            title: 第一部分
            fields:
              - {id: a, label: 甲, type: money}
              - {id: b, label: 乙, type: money, computed: {sum: [a, c]}}
              - {id: c, label: 丙, type: money, computed: {sum: [b]}}
    """)
    with pytest.raises(DefinitionError) as caught:
        load_definitions(tmp_path / "forms", rules)
    found = {(p.file, p.line) for p in caught.value.problems}
    assert found == {("forms/f.yaml", 7), ("forms/f.yaml", 8)}  # the lines of 乙 and 丙
    assert all("循环引用" in p.message for p in caught.value.problems)


def test_a_hidden_section_is_neither_required_nor_checked():
    engine = inline_engine("""
        id: f
        sections:
          - id: s
            title: 第一部分
            fields:
              - {id: n, label: 数量, type: integer}
              - {id: more, label: 需要补充, type: checkbox}
          - id: extra
            title: 补充
            when: {field: more, equals: true}
            fields:
              - {id: x, label: 补充数额, type: money, required: true}
    """)
    hidden = engine.validate("d", {"f": {"more": False, "x": "abc"}})
    assert codes(hidden) == set() and hidden.hidden_sections == ["f.extra"]
    shown = engine.validate("d", {"f": {"more": True}})
    assert codes(shown) == {("f.x", "required")} and shown.hidden_sections == []


def test_a_value_that_cannot_be_read_is_reported_once_and_the_rest_still_checked():
    engine = inline_engine("""
        id: f
        sections:
          - id: s
            title: 第一部分
            fields:
              - {id: a, label: 甲, type: money, required: true}
              - {id: b, label: 乙, type: money, required: true}
    """)
    report = engine.validate("d", {"f": {"a": "十万", "b": "-3"}})
    # 甲 is unreadable (one error, no "required" on top); 乙 is read and its rule still runs.
    assert codes(report) == {("f.a", "number.invalid"), ("f.b", "money.negative")}


ROWS = """
id: f
sections:
  - id: s
    title: 第一部分
    fields:
      - {id: cap, label: 上限, type: money}
      - id: items
        label: 明细
        type: table
        min_rows: 1
        columns:
          - {id: name, label: 名称, type: text}
          - {id: spent, label: 已开支, type: money}
          - {id: planned, label: 拟支出, type: money}
      - {id: total, label: 合计, type: money, computed: {sum: [items.spent, items.planned]}}
"""
ROW_CHECKS = """
  - id: under_cap
    check: not_greater
    args: {field: f.total, limit: f.cap}
    severity: error
    message: "{label}不能大于{limit_label}。"
    clause: 测试
    examples: {pass: [{f: {cap: "10", items: [{spent: "5"}]}}], fail: [{f: {cap: "1", items: [{spent: "5"}]}}]}
  - id: has_amount
    check: row_has_amount
    args: {table: f.items, columns: [spent, planned]}
    severity: warning
    message: "{label}：请填写金额。"
    clause: 测试
    examples: {pass: [{f: {items: [{name: 甲, spent: "1"}]}}], fail: [{f: {items: [{name: 甲}]}}]}
"""


def test_what_follows_from_an_unreadable_cell_is_not_reported_on_top_of_it():
    engine = inline_engine(ROWS, checks=ROW_CHECKS)
    report = engine.validate("d", {"f": {"cap": "1", "items": [{"name": "培训", "planned": "19.2O"}]}})
    # Only the cell's own error: no total of 0 against the cap, no "请填写金额" for its row.
    assert codes(report) == {("f.items.0.planned", "number.invalid")}
    assert report.normalised["f"]["total"] is None
    report = engine.validate("d", {"f": {"items": [{"spent": "abc"}]}})
    # The row holds something (unreadable): not "至少需要1行" as well.
    assert codes(report) == {("f.items.0.spent", "number.invalid")}


def test_a_condition_on_a_hidden_field_does_not_hold():
    engine = inline_engine("""
        id: f
        sections:
          - id: s
            title: 第一部分
            fields:
              - {id: n, label: 数量, type: integer}
              - {id: park, label: 产业园区, type: checkbox}
              - {id: seller, label: 以卖家为主, type: checkbox, when: {field: park, equals: true}}
              - {id: sales, label: 年销售额, type: money, required: true, when: {field: seller, equals: true}}
    """)
    # 以卖家为主 was ticked, then 产业园区 unticked: 以卖家为主 is hidden, and so is 年销售额.
    report = engine.validate("d", {"f": {"park": False, "seller": True}})
    assert codes(report) == set()
    assert set(report.hidden_fields) == {"f.seller", "f.sales"}
