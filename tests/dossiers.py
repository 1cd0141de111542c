"""Realistic dossier data for the tests, typed the way a person types it into the page.

Numbers are strings (some with full-width digits, thousands separators or unit suffixes), dates
in the forms people use. Every call returns a fresh deep structure, so tests may mutate it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# A valid GB 32100-2015 code: 91330523MA2B3C4D5 + check character M (verified in test_values).
VALID_CREDIT_CODE = "91330523MA2B3C4D5M"

# What the fund_details rows below add up to, per category (万元).
EXPECTED_CATEGORY_TOTALS: dict[str, tuple[Decimal, Decimal]] = {
    "equipment": (Decimal("200.50"), Decimal("40.00")),
    "software": (Decimal("0.10"), Decimal("0.20")),
    "technology": (Decimal("0.00"), Decimal("0.00")),
    "information": (Decimal("0.00"), Decimal("0.00")),
    "construction": (Decimal("1050.00"), Decimal("200.00")),
    "other": (Decimal("0.00"), Decimal("19.20")),
}
EXPECTED_RELATED_TOTAL = Decimal("1510.00")


def valid_project_dossier() -> dict[str, Any]:
    """A complete, valid 附件3 + 附件4 for a 展示选品中心 (showroom) project."""
    return {
        "project_info": {
            # 表头
            "project_name": "安吉县椅业跨境电商产业带展示选品中心",
            "project_types": ["showroom"],
            "enterprise_type": "trade",
            "city": "湖州市",
            "county": "安吉县",
            # 项目承担单位基本情况
            "org_name": "安吉优选跨境电子商务有限公司",
            "org_nature": "domestic",
            "legal_representative": "张伟",
            "org_address": "浙江省湖州市安吉县递铺街道昌硕东路88号",
            "credit_code": "91330523ma2b3c4d5m",  # lower case: normalised to upper case
            "registered_capital": "1,000",
            "total_assets": "5,200.50",
            "net_assets": "3100万元",
            "cbec_amount": "１２３４５.６７",  # full-width digits
            "revenue": "23,456.78",
            "profit": "-120.5",  # a loss: profit is the one signed amount
            "org_profile": "公司成立于2016年，主营办公椅、休闲椅跨境出口，"
            "在亚马逊、速卖通等平台开设店铺，2024年跨境电商出口额约1.2亿元。",
            "project_leader": "李娜",
            "contact_person": "王强",
            "contact_phone": "0572-5123456",
            # 项目基本情况
            "start_month": "2024年3月",
            "end_month": "2025年9月",
            "total_investment": "2,000",
            "period_investment": "1,600.00",
            "build_address": "安吉县递铺街道椅业园区1号楼",
            "build_content": "建设3000平方米展示选品中心，配套选品系统和直播间。",
            "progress_plan": [
                {"deadline": "2024年12月31日", "invested": "800", "progress": "40"},
                {"deadline": "2025-09-30", "invested": "2,000", "progress": "100"},
            ],
            "subsidy_requested": "300",
            # 项目建设情况
            "overview": "集中展示安吉椅业产业带产品，为跨境卖家提供一站式选品服务。",
            "approach": "线下展厅与线上选品系统结合，组织供需对接会。",
            "kpis": "1.新增跨境电商交易额5000万元；2.带动就业200人；3.服务企业100家。",
            "government_funding": "无",
            "approvals": "已完成备案，不涉及能评、环评。",
            "demonstration": "带动全县椅业企业开展跨境电商业务。",
            # 基本条件自查 (展示选品中心)
            "showroom_area": "1,500㎡",
            "showroom_suppliers": "80",
            "showroom_brands": "60家",
            "showroom_products": "1,200",
            # 承诺意见
            "commit_policy": True,
            "commit_no_funding": True,
            "commit_credit": True,
            "commit_truthful": True,
        },
        "fund_details": {
            "equipment": [
                {"name": "展示柜及陈列架", "spent": "１２０.５", "planned": "", "note": ""},
                {"name": "服务器", "spent": "80", "planned": "40", "note": "含三年维保"},
            ],
            "software": [{"name": "选品管理系统", "spent": "0.1", "planned": "0.2"}],
            "technology": [],
            "information": [{"name": "", "spent": "", "planned": "", "note": ""}],  # blank row
            "construction": [
                {"name": "展厅装修", "spent": "1,050.00", "planned": "200万元"},
            ],
            "other": [{"name": "选品培训", "spent": "", "planned": "19.20"}],
        },
    }


# 附件1 indicators: (field prefix, the three summary years and the plan-year target), as typed.
COUNTY_INDICATORS: dict[str, tuple[str, str, str, str]] = {
    "trade": ("52,000", "61,300.5", "70,000", "80500"),
    "export": ("48000", "55000", "63000", "72000"),
    "entities": ("320", "410", "520", "600"),
    "sellers": ("12", "15", "21", "25"),
    "brands": ("40", "46", "58", "70"),
    "parks": ("2", "2", "3", "4"),
    "park_area": ("52000", "52000", "81000", "100000"),
    "park_firms": ("96", "120", "163", "200"),
    "warehouses": ("5", "7", "9", "12"),
    "warehouse_area": ("21000", "30000", "41000", "50000"),
    "providers": ("18", "24", "31", "40"),
    "trainees": ("1200", "1500", "2100", "2500"),
    "policies": ("2", "3", "3", "4"),
    "funding": ("300", "450", "600", "800"),
}


def valid_county_dossier(city: str = "湖州市", county: str = "安吉县") -> dict[str, Any]:
    """附件1 of a county, complete; its 附件2 rows come from the attached project bundles."""
    summary: dict[str, Any] = {"city": city, "county": county, "org_name": f"{county}商务局",
                               "contact_person": "李明", "contact_phone": "0572-5123456"}
    for prefix, (y1, y2, y3, target) in COUNTY_INDICATORS.items():
        summary.update({f"{prefix}_y1": y1, f"{prefix}_y2": y2, f"{prefix}_y3": y3,
                        f"{prefix}_target": target})
    for section in ("summary", "practices", "problems", "goals", "measures", "directions"):
        summary[section] = f"{county}{section}：全县跨境电商工作情况。\n第二段。"
    return {"county_summary": summary}


KEY_PROJECT_TEXT = {"contact_person": "王芳", "contact_phone": "13800001111",
                    "goals": "到2025年带动企业100家。", "work": "建设展示选品中心。",
                    "policies": "县财政配套支持。", "safeguards": "专班推进。"}


def valid_city_dossier(city: str = "湖州市", tier: str = "2") -> dict[str, Any]:
    return {"city_list": {"city": city, "tier": tier, "org_name": f"{city}商务局",
                          "contact_person": "赵强", "contact_phone": "0572-2222222"}}
