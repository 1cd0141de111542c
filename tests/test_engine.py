"""The compiled project dossier (附件3 + 附件4): a valid dossier passes; each rule family fires
with its exact code and data path; sums are exact; hostile input gives coded errors, no crash."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from dossiers import (
    EXPECTED_CATEGORY_TOTALS,
    EXPECTED_RELATED_TOTAL,
    VALID_CREDIT_CODE,
    valid_project_dossier,
)

from formsite.engine import Engine
from formsite.validation import Report

ISSUE_KEYS = {"path", "code", "severity", "message", "label", "expected", "found", "clause"}
CATEGORIES = ["equipment", "software", "technology", "information", "construction", "other"]


@pytest.fixture
def check(engine: Engine):
    def run(data: Any) -> Report:
        report = engine.validate("project", data)
        for issue in report.errors:
            assert issue.severity == "error"
            assert set(issue.as_dict()) == ISSUE_KEYS
            assert issue.message and issue.label and issue.clause
        for issue in report.warnings:
            assert issue.severity == "warning"
        return report

    return run


def errors(report: Report) -> set[tuple[str, str]]:
    return {(i.code, i.path) for i in report.errors}


def warnings(report: Report) -> set[tuple[str, str]]:
    return {(i.code, i.path) for i in report.warnings}


def only_error(report: Report) -> tuple[str, str]:
    assert len(report.errors) == 1, [(i.code, i.path, i.message) for i in report.errors]
    return report.errors[0].code, report.errors[0].path


def pi(data: dict) -> dict:
    return data["project_info"]


# --- the valid dossier --------------------------------------------------------------------


def test_valid_dossier_has_no_errors_and_no_warnings(check):
    report = check(valid_project_dossier())
    assert report.ok
    assert report.errors == []
    assert report.warnings == []


def test_valid_dossier_is_normalised(check):
    norm = check(valid_project_dossier()).normalised
    info = norm["project_info"]
    assert info["credit_code"] == VALID_CREDIT_CODE
    assert info["cbec_amount"] == "12345.67"
    assert info["net_assets"] == "3100.00"
    assert info["profit"] == "-120.50"  # signed money keeps its sign
    assert info["start_month"] == "2024-03"
    assert info["end_month"] == "2025-09"
    assert info["contact_phone"] == "0572-5123456"
    assert info["showroom_area"] == "1500"
    assert info["showroom_brands"] == 60
    plan = info["progress_plan"]
    assert [row["deadline"] for row in plan] == ["2024-12-31", "2025-09-30"]
    assert [row["invested"] for row in plan] == ["800.00", "2000.00"]
    assert [row["progress"] for row in plan] == ["40", "100"]


def test_validate_does_not_change_its_input(check):
    data = valid_project_dossier()
    before = copy.deepcopy(data)
    check(data)
    pi(data)["net_assets"] = "abc"
    check(data)
    assert data != before  # our own change only
    pi(data)["net_assets"] = before["project_info"]["net_assets"]
    assert data == before


# --- computed sums ------------------------------------------------------------------------


def test_support_amounts_are_the_fund_details_category_totals(check):
    info = check(valid_project_dossier()).normalised["project_info"]
    for category, (spent, planned) in EXPECTED_CATEGORY_TOTALS.items():
        assert Decimal(info[f"{category}_spent"]) == spent, category
        assert Decimal(info[f"{category}_planned"]) == planned, category
    assert info["related_costs_total"] == str(EXPECTED_RELATED_TOTAL)


def test_fund_details_totals(check):
    fund = check(valid_project_dossier()).normalised["fund_details"]
    spent = sum(s for s, _ in EXPECTED_CATEGORY_TOTALS.values())
    planned = sum(p for _, p in EXPECTED_CATEGORY_TOTALS.values())
    assert fund["total_spent"] == str(spent) == "1250.60"
    assert fund["total_planned"] == str(planned) == "259.40"
    assert Decimal(fund["total_spent"]) + Decimal(fund["total_planned"]) == EXPECTED_RELATED_TOTAL


def test_point_one_plus_point_two_is_exactly_point_three(check):
    data = valid_project_dossier()
    data["fund_details"]["software"] = [{"name": "模块甲", "spent": "0.1"},
                                        {"name": "模块乙", "spent": "0.2"}]
    data["fund_details"]["technology"] = [{"name": "专利", "planned": 0.1},
                                          {"name": "授权", "planned": 0.2}]  # floats too
    norm = check(data).normalised
    assert norm["project_info"]["software_spent"] == "0.30"
    assert norm["project_info"]["technology_planned"] == "0.30"


def test_typed_computed_values_are_ignored(check):
    data = valid_project_dossier()
    pi(data)["equipment_spent"] = "99999"
    pi(data)["related_costs_total"] = "abc"  # not even read, so no error
    data["fund_details"]["total_spent"] = "1"
    report = check(data)
    assert report.ok
    assert report.normalised["project_info"]["equipment_spent"] == "200.50"
    assert report.normalised["fund_details"]["total_spent"] == "1250.60"


def test_blank_rows_do_not_count(check):
    data = valid_project_dossier()
    data["fund_details"]["other"].append({"name": "  ", "spent": "", "planned": None})
    report = check(data)
    assert report.ok
    assert report.warnings == []


# --- cross-field rules --------------------------------------------------------------------


def test_net_assets_greater_than_total_assets(check):
    data = valid_project_dossier()
    pi(data)["net_assets"] = "5,200.51"
    assert only_error(check(data)) == ("net_assets_le_total_assets", "project_info.net_assets")
    pi(data)["net_assets"] = "5200.50"  # equal is fine
    assert check(data).ok


def test_period_investment_greater_than_total(check):
    data = valid_project_dossier()
    pi(data)["period_investment"] = "2,000.01"
    assert only_error(check(data)) == ("period_investment_le_total",
                                       "project_info.period_investment")


def test_subsidy_greater_than_related_costs(check):
    data = valid_project_dossier()
    pi(data)["subsidy_requested"] = str(EXPECTED_RELATED_TOTAL)  # equal: allowed
    assert check(data).ok
    pi(data)["subsidy_requested"] = "1,510.01"
    report = check(data)
    assert only_error(report) == ("subsidy_le_related_costs", "project_info.subsidy_requested")
    assert "1510.00" in report.errors[0].expected


def test_subsidy_limit_follows_fund_details(check):
    data = valid_project_dossier()
    pi(data)["subsidy_requested"] = "300"
    data["fund_details"] = {"software": [{"name": "系统", "spent": "0.1", "planned": "0.2"}]}
    report = check(data)
    assert ("subsidy_le_related_costs", "project_info.subsidy_requested") in errors(report)
    assert report.normalised["project_info"]["related_costs_total"] == "0.30"


def test_related_costs_above_total_investment_is_a_warning(check):
    data = valid_project_dossier()
    pi(data)["total_investment"] = "1,509.99"
    pi(data)["period_investment"] = "1,500"
    pi(data)["progress_plan"][1]["invested"] = "1509.99"
    report = check(data)
    assert report.ok
    assert warnings(report) == {("related_costs_le_total_investment",
                                 "project_info.related_costs_total")}


def test_progress_plan_investment_decreasing(check):
    data = valid_project_dossier()
    pi(data)["progress_plan"][1]["invested"] = "799.99"
    assert only_error(check(data)) == ("progress_plan_dates_and_investment",
                                       "project_info.progress_plan.1.invested")


def test_progress_plan_investment_exceeding_total(check):
    data = valid_project_dossier()
    pi(data)["progress_plan"][1]["invested"] = "2,000.01"
    assert only_error(check(data)) == ("progress_plan_dates_and_investment",
                                       "project_info.progress_plan.1.invested")


def test_progress_percent_decreasing(check):
    data = valid_project_dossier()
    pi(data)["progress_plan"][1]["progress"] = "39.99"
    assert only_error(check(data)) == ("progress_plan_percent_monotonic",
                                       "project_info.progress_plan.1.progress")


def test_progress_percent_above_100_is_a_field_error(check):
    data = valid_project_dossier()
    pi(data)["progress_plan"][1]["progress"] = "100.5"
    assert only_error(check(data)) == ("number.too_large", "project_info.progress_plan.1.progress")


def test_progress_plan_dates_out_of_order_reported_once(check):
    data = valid_project_dossier()
    pi(data)["progress_plan"][1]["deadline"] = "2024-06-30"
    assert only_error(check(data)) == ("progress_plan_dates_ascending",
                                       "project_info.progress_plan.1.deadline")


def test_progress_plan_more_rows_allowed(check):
    data = valid_project_dossier()
    pi(data)["progress_plan"].insert(1, {"deadline": "2025年3月31日", "invested": "1,200",
                                         "progress": "60"})
    assert check(data).ok
    pi(data)["progress_plan"][1]["invested"] = "2,100"  # above the total, and above row 3
    assert errors(check(data)) == {
        ("progress_plan_dates_and_investment", "project_info.progress_plan.1.invested"),
        ("progress_plan_dates_and_investment", "project_info.progress_plan.2.invested"),
    }


def test_progress_plan_needs_a_row(check):
    data = valid_project_dossier()
    pi(data)["progress_plan"] = [{"deadline": "", "invested": "", "progress": ""}]
    assert only_error(check(data)) == ("required_rows", "project_info.progress_plan")


def test_progress_plan_row_missing_cells(check):
    data = valid_project_dossier()
    pi(data)["progress_plan"][1] = {"deadline": "2025-09-30"}
    assert errors(check(data)) == {
        ("row_required", "project_info.progress_plan.1.invested"),
        ("row_required", "project_info.progress_plan.1.progress"),
    }


def test_progress_plan_too_many_rows(check):
    data = valid_project_dossier()
    pi(data)["progress_plan"] = [{"deadline": f"2024-{m:02d}-01", "invested": str(m),
                                  "progress": str(m)} for m in range(1, 13)] + [
        {"deadline": "2025-01-01", "invested": "13", "progress": "13"}]
    assert ("too_many_rows", "project_info.progress_plan") in errors(check(data))


def test_end_month_before_start_month(check):
    data = valid_project_dossier()
    pi(data)["end_month"] = "2024年2月"
    assert only_error(check(data)) == ("project_dates_in_order", "project_info.end_month")
    pi(data)["end_month"] = "2024-03"  # same month is fine
    assert check(data).ok


@pytest.mark.parametrize("field", ["commit_policy", "commit_no_funding", "commit_credit",
                                   "commit_truthful"])
@pytest.mark.parametrize("value", [False, None, "否", "DELETE"])
def test_every_commitment_must_be_ticked(check, field, value):
    data = valid_project_dossier()
    if value == "DELETE":
        del pi(data)[field]
    else:
        pi(data)[field] = value
    rule = "commitment_" + field.removeprefix("commit_")
    assert only_error(check(data)) == (rule, f"project_info.{field}")


# --- 基本条件 per project type --------------------------------------------------------------

PASSING_CONDITIONS: dict[str, dict[str, Any]] = {
    "showroom": {"showroom_area": "1000", "showroom_suppliers": "50", "showroom_brands": "50",
                 "showroom_products": "1000"},
    "online_zone": {"online_sku": "10,000", "online_turnover": "10000"},
    "service_center": {"service_area": "1000㎡", "service_providers": "20"},
    "industrial_park": {"park_investment_3y": "1,000", "park_investment_year": "300",
                        "park_firms": "50", "park_area": "１００００"},
}
ALL_CONDITION_FIELDS = [f for fields in PASSING_CONDITIONS.values() for f in fields] + [
    "park_seller_led", "park_sales", "park_customs_amount", "park_live", "live_firms", "live_gmv",
    "live_accounts"]


def dossier_of_types(*types: str) -> dict:
    data = valid_project_dossier()
    for name in ALL_CONDITION_FIELDS:
        pi(data).pop(name, None)
    pi(data)["project_types"] = list(types)
    for project_type in types:
        pi(data).update(PASSING_CONDITIONS[project_type])
    return data


@pytest.mark.parametrize("types", [["showroom"], ["online_zone"], ["service_center"],
                                   ["industrial_park"], ["showroom", "online_zone",
                                                         "service_center", "industrial_park"]])
def test_thresholds_met_exactly_pass(check, types):
    report = check(dossier_of_types(*types))
    assert report.ok, [(i.code, i.path) for i in report.errors]


@pytest.mark.parametrize(
    ("project_type", "field", "value", "rule"),
    [
        ("showroom", "showroom_area", "999.99", "showroom_min_area"),
        ("showroom", "showroom_suppliers", "49", "showroom_min_suppliers"),
        ("showroom", "showroom_brands", "49", "showroom_min_brands"),
        ("showroom", "showroom_products", "999", "showroom_min_products"),
        ("online_zone", "online_sku", "9,999", "online_min_sku"),
        ("online_zone", "online_turnover", "9999.99", "online_min_turnover"),
        ("service_center", "service_area", "999.99", "service_min_area"),
        ("service_center", "service_providers", "19", "service_min_providers"),
        ("industrial_park", "park_investment_3y", "999.99", "park_min_investment_3y"),
        ("industrial_park", "park_investment_year", "299.99", "park_min_investment_year"),
        ("industrial_park", "park_firms", "49", "park_min_firms"),
        ("industrial_park", "park_area", "9999.99", "park_min_area"),
    ],
)
def test_each_threshold(check, project_type, field, value, rule):
    data = dossier_of_types(project_type)
    pi(data)[field] = value
    report = check(data)
    assert only_error(report) == (rule, f"project_info.{field}")
    assert report.errors[0].clause.startswith("通知三")


@pytest.mark.parametrize("project_type", ["showroom", "online_zone", "service_center",
                                          "industrial_park"])
def test_selected_type_requires_its_fields(check, project_type):
    data = dossier_of_types(project_type)
    for name in PASSING_CONDITIONS[project_type]:
        del pi(data)[name]
    assert errors(check(data)) == {("required", f"project_info.{name}")
                                   for name in PASSING_CONDITIONS[project_type]}


@pytest.mark.parametrize("project_type", ["showroom", "online_zone", "service_center"])
def test_belt_projects_need_200_wan_total_investment(check, project_type):
    data = dossier_of_types(project_type)
    pi(data)["total_investment"] = "199.99"
    assert ("belt_min_investment", "project_info.total_investment") in errors(check(data))


def test_park_only_project_has_no_belt_investment_threshold(check):
    data = dossier_of_types("industrial_park")
    pi(data)["total_investment"] = "199.99"
    assert ("belt_min_investment", "project_info.total_investment") not in errors(check(data))


def test_fields_of_unselected_types_are_ignored_even_when_garbage(check):
    data = dossier_of_types("showroom")
    pi(data).update({
        "online_sku": "abc", "online_turnover": "-5", "service_area": "1,00", "service_providers":
        "1.5", "park_investment_3y": "nan", "park_area": {"x": 1}, "park_firms": [1, 2],
        "park_seller_led": "maybe", "park_sales": "1", "live_firms": "x", "park_live": True,
    })
    report = check(data)
    assert report.ok, [(i.code, i.path) for i in report.errors]
    info = report.normalised["project_info"]
    assert info["online_sku"] is None
    assert info["park_area"] is None


def test_showroom_garbage_ignored_when_showroom_not_selected(check):
    data = dossier_of_types("online_zone")
    pi(data)["showroom_area"] = "abc"
    pi(data)["showroom_suppliers"] = "-1"
    assert check(data).ok


def test_seller_led_park_sales_only_when_seller_led(check):
    data = dossier_of_types("industrial_park")
    pi(data)["park_seller_led"] = False
    pi(data)["park_sales"] = "100"  # far below 5亿元, but not a seller-led park
    assert check(data).ok

    pi(data)["park_seller_led"] = True
    del pi(data)["park_sales"]
    assert errors(check(data)) == {("required", "project_info.park_sales"),
                                   ("required", "project_info.park_customs_amount")}

    pi(data)["park_sales"] = "49,999.99"
    pi(data)["park_customs_amount"] = "3000"
    assert only_error(check(data)) == ("park_min_sales", "project_info.park_sales")

    pi(data)["park_sales"] = "5亿"  # not understood: 亿 is not a 万元 unit
    assert only_error(check(data)) == ("number.invalid", "project_info.park_sales")

    pi(data)["park_sales"] = "50,000"
    assert check(data).ok


def test_live_stream_park_thresholds(check):
    data = dossier_of_types("industrial_park")
    pi(data)["park_live"] = True
    assert errors(check(data)) == {("required", "project_info.live_firms"),
                                   ("required", "project_info.live_gmv"),
                                   ("required", "project_info.live_accounts")}
    pi(data).update({"live_firms": "9", "live_gmv": "100", "live_accounts": "10"})
    assert only_error(check(data)) == ("live_min_firms", "project_info.live_firms")
    pi(data).update({"live_firms": "10", "live_accounts": "9"})
    assert only_error(check(data)) == ("live_min_accounts", "project_info.live_accounts")
    pi(data)["live_accounts"] = "12"
    assert check(data).ok


def test_project_types_required_and_checked(check):
    data = valid_project_dossier()
    pi(data)["project_types"] = []
    assert ("required_choice", "project_info.project_types") in errors(check(data))
    pi(data)["project_types"] = ["showroom", "garbage"]
    assert only_error(check(data)) == ("choice.invalid", "project_info.project_types")


def test_ningbo_is_not_a_city_of_this_round(check):
    data = valid_project_dossier()
    pi(data)["city"] = "宁波市"
    assert only_error(check(data)) == ("choice.invalid", "project_info.city")
    pi(data)["city"], pi(data)["county"] = "义乌市", "义乌市"  # 义乌 reports like a city
    assert check(data).ok


def test_the_county_follows_the_city(check):
    data = valid_project_dossier()
    pi(data)["city"] = "嘉兴市"  # 安吉县 is in 湖州市
    report = check(data)
    assert only_error(report) == ("choice.not_under", "project_info.county")
    assert "嘉兴市" in report.errors[0].message and "安吉县" in report.errors[0].message
    pi(data)["county"] = "宁波市海曙区"  # not a county of this round at all
    assert only_error(check(data)) == ("choice.invalid", "project_info.county")
    pi(data)["county"] = "金华市"  # a city is not a county
    assert only_error(check(data)) == ("choice.invalid", "project_info.county")


# --- 附件4 rows ----------------------------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_row_with_name_but_no_amounts_is_a_warning(check, category):
    data = valid_project_dossier()
    rows = data["fund_details"].setdefault(category, [])
    rows.append({"name": "待定项目", "spent": "", "planned": "0"})
    report = check(data)
    assert report.ok
    assert warnings(report) == {(f"{category}_rows_have_amounts",
                                 f"fund_details.{category}.{len(rows) - 1}.spent")}
    assert report.warnings[0].severity == "warning"


@pytest.mark.parametrize("category", CATEGORIES)
def test_row_with_amounts_but_no_name_is_an_error(check, category):
    data = valid_project_dossier()
    rows = data["fund_details"].setdefault(category, [])
    rows.append({"name": "", "spent": "1.5"})
    report = check(data)
    path = f"fund_details.{category}.{len(rows) - 1}.name"
    assert only_error(report) == ("row_required", path)
    # The label names table, row and column once: no "第N行…第N行".
    assert report.errors[0].message.count(f"第{len(rows)}行") == 1


def test_amount_errors_in_rows_have_cell_paths(check):
    data = valid_project_dossier()
    data["fund_details"]["equipment"][1]["planned"] = "-40"
    data["fund_details"]["construction"][0]["spent"] = "1,050.005"
    assert errors(check(data)) == {("money.negative", "fund_details.equipment.1.planned"),
                                   ("money.decimals", "fund_details.construction.0.spent")}


# --- several problems at once -------------------------------------------------------------


def test_field_error_and_cross_field_error_in_one_call(check):
    data = valid_project_dossier()
    pi(data)["credit_code"] = VALID_CREDIT_CODE[:17] + "A"
    pi(data)["net_assets"] = "6,000"
    report = check(data)
    assert errors(report) == {("credit_code.check", "project_info.credit_code"),
                              ("net_assets_le_total_assets", "project_info.net_assets")}
    credit = next(i for i in report.errors if i.code == "credit_code.check")
    assert "M" in credit.expected


def test_unreadable_amount_does_not_hide_other_rules(check):
    data = valid_project_dossier()
    pi(data)["total_assets"] = "lots"  # the limit of net_assets cannot be read
    pi(data)["end_month"] = "2024-01"
    pi(data)["commit_truthful"] = False
    assert errors(check(data)) == {("number.invalid", "project_info.total_assets"),
                                   ("project_dates_in_order", "project_info.end_month"),
                                   ("commitment_truthful", "project_info.commit_truthful")}


def test_field_errors_are_not_reported_twice(check):
    data = valid_project_dossier()
    pi(data)["net_assets"] = "abc"
    report = check(data)
    assert only_error(report) == ("number.invalid", "project_info.net_assets")


@pytest.mark.parametrize(
    ("field", "raw", "code"),
    [("contact_phone", "5123456", "phone.invalid"),
     ("credit_code", "91330523MA2B3C4D5", "credit_code.length"),
     ("credit_code", "91330523MA2B3C4DSM", "credit_code.chars"),
     ("start_month", "2024年13月", "year_month.invalid"),
     ("registered_capital", "1,00", "number.grouping"),
     ("revenue", "-1", "money.negative"),
     ("enterprise_type", "贸易型", "choice.invalid"),  # the label, not the value
     ("project_name", "名" * 101, "text.too_long")],
)
def test_field_errors_have_field_paths(check, field, raw, code):
    data = valid_project_dossier()
    pi(data)[field] = raw
    assert only_error(check(data)) == (code, f"project_info.{field}")


def test_missing_required_fields(check):
    data = valid_project_dossier()
    for name in ("project_name", "credit_code", "org_profile", "contact_phone"):
        pi(data)[name] = "  "
    pi(data)["enterprise_type"] = None
    assert errors(check(data)) == {
        ("required", "project_info.project_name"), ("required", "project_info.credit_code"),
        ("required", "project_info.org_profile"), ("required", "project_info.contact_phone"),
        ("required_choice", "project_info.enterprise_type")}


# --- hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize("data", [[], "abc", None, 42, ["project_info"], b"bytes"])
def test_data_not_a_dict(check, data):
    assert only_error(check(data)) == ("model.invalid", "")


def test_form_given_as_a_list(check):
    data = valid_project_dossier()
    data["fund_details"] = [{"name": "x"}]
    report = check(data)
    assert ("model.invalid", "fund_details") in errors(report)
    assert not report.ok


def test_project_info_given_as_a_string(check):
    data = valid_project_dossier()
    data["project_info"] = "<script>alert(1)</script>"
    report = check(data)
    assert ("model.invalid", "project_info") in errors(report)


@pytest.mark.parametrize("bad", ["abc", 5, {"name": "x"}, ["row"], [{"name": "x"}, "row"]])
def test_table_given_as_something_else(check, bad):
    data = valid_project_dossier()
    data["fund_details"]["equipment"] = bad
    assert ("table.invalid", "fund_details.equipment") in errors(check(data))


def test_100_kb_text(check):
    data = valid_project_dossier()
    pi(data)["build_content"] = "建" * 100_000
    pi(data)["org_address"] = "x" * 100_000
    assert errors(check(data)) == {("text.too_long", "project_info.build_content"),
                                   ("text.too_long", "project_info.org_address")}


def test_control_characters_are_a_warning(check):
    data = valid_project_dossier()
    pi(data)["project_name"] = "安吉\x01产业带\x1f中心\x0b"
    data["fund_details"]["equipment"][1]["note"] = "含\x00维保"
    report = check(data)
    assert report.ok
    assert warnings(report) == {("text.control_chars", "project_info.project_name"),
                                ("text.control_chars", "fund_details.equipment.1.note")}
    assert {i.severity for i in report.warnings} == {"warning"}


def test_script_tags_kept_verbatim(check):
    data = valid_project_dossier()
    script = "<script>alert('x')</script>&lt;<img src=x onerror=alert(1)>"
    pi(data)["project_name"] = script[:100]
    pi(data)["org_profile"] = script
    report = check(data)
    assert report.ok
    assert report.normalised["project_info"]["project_name"] == script[:100]
    assert report.normalised["project_info"]["org_profile"] == script


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), "NaN", "Infinity", "1e309"])
def test_nan_and_infinity(check, raw):
    data = valid_project_dossier()
    pi(data)["total_assets"] = raw
    assert only_error(check(data)) == ("number.invalid", "project_info.total_assets")


@pytest.mark.parametrize("raw", [1e300, "9" * 5000, 10**40, "1" * 30 + ".123"])
def test_huge_numbers(check, raw):
    data = valid_project_dossier()
    pi(data)["total_assets"] = raw
    code, path = only_error(check(data))
    assert path == "project_info.total_assets"
    assert code in {"number.too_large", "money.decimals"}


@pytest.mark.parametrize("raw", [{"a": 1}, [1, 2], True])
def test_wrong_json_types_in_fields(check, raw):
    data = valid_project_dossier()
    pi(data)["project_name"] = raw
    pi(data)["total_assets"] = raw
    assert errors(check(data)) == {("text.invalid", "project_info.project_name"),
                                   ("number.invalid", "project_info.total_assets")}


def test_unknown_forms_and_fields_are_ignored_by_validation(check):
    data = valid_project_dossier()
    data["county_summary"] = {"x": 1}
    pi(data)["favourite_colour"] = "red"
    assert check(data).ok


def test_fifty_fund_items(check):
    data = valid_project_dossier()
    data["fund_details"]["equipment"] = [{"name": f"设备{i}", "spent": "0.1", "planned": "0.2"}
                                         for i in range(50)]
    pi(data)["subsidy_requested"] = "10"
    report = check(data)
    assert report.ok
    assert report.normalised["project_info"]["equipment_spent"] == "5.00"
    assert report.normalised["project_info"]["equipment_planned"] == "10.00"


def test_progress_milestone_after_the_project_end_is_a_warning(check):
    data = valid_project_dossier()
    pi(data)["end_month"] = "2025年6月"
    report = check(data)
    assert report.ok
    assert warnings(report) == {("progress_plan_within_project", "project_info.progress_plan.1.deadline")}
    assert "2025年6月" in report.warnings[0].message
