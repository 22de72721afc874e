"""The ledger page's forms for 市区分担 and 联审: what each form shows, and what it sends
back as the services take it (a cost-sharing rule, a list of departments)."""

from __future__ import annotations

from typing import Any

from lianzhang.core.errors import LianzhangError

from . import services
from .models import Policy


def shares_form(policy: Policy) -> dict[str, str]:
    """The cost-sharing rule as the form shows it: the default pair and one line per
    district that differs (``高新区 3/10 7/10``)."""
    rule = policy.cost_shares or {}
    lines = [
        f"{district} {pair.get('city', '0')} {pair.get('district', '0')}"
        for district, pair in (rule.get("by_district") or {}).items()
    ]
    return {
        "city": str(rule.get("city", "1")),
        "district": str(rule.get("district", "0")),
        "by_district": "\n".join(lines),
    }


def parse_shares(post: Any) -> dict[str, Any]:
    by_district = {}
    for number, line in enumerate(post.get("by_district", "").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise LianzhangError(
                f"分区例外第 {number} 行应为「区名 市比例 区比例」",
                f"line {number} of the district exceptions is <district> <city> <district>",
            )
        by_district[parts[0]] = {"city": parts[1], "district": parts[2]}
    rule: dict[str, Any] = {"city": post.get("city", ""), "district": post.get("district", "")}
    if by_district:
        rule["by_district"] = by_district
    return rule


def departments_form(policy: Policy) -> list[dict[str, Any]]:
    """Every department, with whether (and on what) it signs off this policy's cases."""
    chosen = {d["department"]: d for d in policy.joint_review or []}
    return [
        {
            "code": d.code,
            "name": d.name,
            "on": d.code in chosen,
            "fields": ",".join(chosen.get(d.code, {}).get("fields", [])),
            "note": chosen.get(d.code, {}).get("note", ""),
        }
        for d in services.joint_review_departments()
    ]


def parse_departments(post: Any) -> list[dict[str, Any]]:
    return [
        {
            "department": code,
            "fields": [f.strip() for f in post.get(f"fields-{code}", "").split(",") if f.strip()],
            "note": post.get(f"note-{code}", "").strip(),
        }
        for code in post.getlist("department")
    ]
