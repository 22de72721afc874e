"""The credit register: importing credit lists, and who is listed on a given day.

Cities publish 严重失信 and 经营异常 lists (信用中国, 国家企业信用信息公示系统), the
emergency, market and environment bureaus report major incidents, and 行政处罚 decisions
are public. Approval and every payment run ask ``blocking(...)`` as of that moment, so a
firm listed after it was found eligible is held before money moves.

What blocks (the tier rules' general conditions, ``reference/policy-criteria.md`` §0):

- 严重失信 and 经营异常: while listed (from the listing date until its removal date);
- a major safety, quality or environmental incident: for three years from its date;
- 行政处罚: recorded and shown to reviewers, blocks nothing by itself (a policy that
  excludes penalised firms says so in its own conditions).

A file is read whole and written only when every row is good (one bilingual error per bad
cell), so a half-imported list never exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction

from lianzhang.core import contract, uscc
from lianzhang.core.errors import LianzhangError, ValidationError
from lianzhang.core.tables import RowError, read_records

from .models import CreditListing, ImportLog
from .services import ImportReport

Kind = CreditListing.Kind

#: kind → years a listing blocks from its date (None: while listed; 0: never by itself)
BLOCKING_YEARS: dict[str, int | None] = {
    Kind.SERIOUS_DISHONEST: None,
    Kind.ABNORMAL_OPERATION: None,
    Kind.MAJOR_INCIDENT: 3,
    Kind.ADMINISTRATIVE_PENALTY: 0,
}

#: header (Chinese or English) → field
HEADERS = {
    "统一社会信用代码": "uscc",
    "uscc": "uscc",
    "企业名称": "name",
    "name": "name",
    "名单类别": "kind",
    "kind": "kind",
    "列入日期": "listed_on",
    "listed_on": "listed_on",
    "移出日期": "removed_on",
    "removed_on": "removed_on",
    "来源": "source",
    "source": "source",
    "文号": "reference",
    "reference": "reference",
}
REQUIRED = ("uscc", "kind", "listed_on", "source")

#: what a list is called in the files cities publish → kind
KIND_WORDS = {
    "严重失信": Kind.SERIOUS_DISHONEST,
    "严重失信主体名单": Kind.SERIOUS_DISHONEST,
    "失信": Kind.SERIOUS_DISHONEST,
    "经营异常": Kind.ABNORMAL_OPERATION,
    "经营异常名录": Kind.ABNORMAL_OPERATION,
    "重大事故": Kind.MAJOR_INCIDENT,
    "重大安全事故": Kind.MAJOR_INCIDENT,
    "重大质量事故": Kind.MAJOR_INCIDENT,
    "严重环境违法": Kind.MAJOR_INCIDENT,
    "行政处罚": Kind.ADMINISTRATIVE_PENALTY,
    **{k.value: k for k in Kind},
}

_DATE = contract.Field("listed_on", "日期", contract.Kind.DATE, "date")


def import_credit(path: Path | str, user: Any = None) -> ImportReport:
    """Read a credit list (CSV or Excel) and upsert it; nothing is written on any error.

    The import is logged like the registry's (``ImportLog``, table ``credit``).
    """
    path = Path(path)
    report = ImportReport("credit", path.name)
    _import(path, report)
    ImportLog.record(report, user)
    return report


def _import(path: Path, report: ImportReport) -> None:
    try:
        header, rows = read_records(path)
    except LianzhangError as e:
        report.add([RowError(0, "", "", e.zh, e.en)])
        return
    columns: dict[str, str] = {}
    for h in header:
        name = HEADERS.get(h.strip()) or HEADERS.get(h.strip().lower())
        if name:
            columns[h] = name
    missing = [f for f in REQUIRED if f not in columns.values()]
    if missing:
        report.add(
            [
                RowError(
                    0,
                    "",
                    "",
                    f"缺少列：{'、'.join(missing)}（表头：统一社会信用代码、名单类别、列入日期、来源）",
                    f"missing columns: {', '.join(missing)}",
                )
            ]
        )
        return
    entries: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for number, raw in enumerate(rows, start=2):
        report.rows_read += 1
        entry = _entry(number, {columns[h]: v for h, v in raw.items() if h in columns}, errors)
        if entry is not None:
            entries.append(entry)
    report.add(errors)
    report.rows_valid = len(entries)
    if errors or not entries:
        return
    with transaction.atomic():
        for row in entries:
            _, created = CreditListing.objects.update_or_create(
                uscc=row["uscc"],
                kind=row["kind"],
                listed_on=row["listed_on"],
                source=row["source"],
                defaults={k: row[k] for k in ("name", "removed_on", "reference")},
            )
            report.created += created
            report.updated += not created
    report.written = True


def _entry(number: int, values: dict[str, str], errors: list[RowError]) -> dict[str, Any] | None:
    out: dict[str, Any] = {"name": values.get("name", "")[:200], "removed_on": None}
    out["reference"] = values.get("reference", "")[:100]
    bad = len(errors)
    for name in REQUIRED:
        if not (values.get(name) or "").strip():
            errors.append(RowError(number, name, "", "不能为空", "must not be empty"))
    if len(errors) > bad:
        return None
    try:
        out["uscc"] = uscc.validate(values["uscc"])
    except ValidationError as e:
        errors.append(RowError(number, "uscc", values["uscc"], e.zh, e.en))
    kind = KIND_WORDS.get(values["kind"].strip())
    if kind is None:
        errors.append(
            RowError(
                number,
                "kind",
                values["kind"],
                "名单类别应为 严重失信、经营异常、重大事故 或 行政处罚",
                "kind is one of serious_dishonest, abnormal_operation, major_incident, "
                "administrative_penalty",
            )
        )
    out["kind"] = kind
    for name in ("listed_on", "removed_on"):
        if values.get(name):
            try:
                out[name] = _DATE.parse(values[name])
            except ValidationError as e:
                errors.append(RowError(number, name, values[name], e.zh, e.en))
    source = values["source"].strip()
    if len(source) > 200:
        errors.append(RowError(number, "source", source[:40], "超过 200 字", "over 200 characters"))
    out["source"] = source
    if out.get("removed_on") and out.get("listed_on") and out["removed_on"] < out["listed_on"]:
        errors.append(
            RowError(
                number,
                "removed_on",
                values["removed_on"],
                "移出日期早于列入日期",
                "removed before it was listed",
            )
        )
    return out if len(errors) == bad else None


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def is_blocking(entry: CreditListing, as_of: dt.date) -> bool:
    """Does ``entry`` stop money reaching its enterprise on ``as_of``?"""
    years = BLOCKING_YEARS.get(entry.kind)
    if years == 0 or entry.listed_on > as_of:
        return False
    if entry.removed_on is not None and entry.removed_on <= as_of:
        return False
    return years is None or entry.listed_on > _years_before(as_of, years)


def blocking(usccs: Iterable[str], as_of: dt.date) -> dict[str, list[CreditListing]]:
    """USCC → the listings that block it on ``as_of`` (only the blocked firms are keys)."""
    out: dict[str, list[CreditListing]] = {}
    wanted = list(set(usccs))
    for start in range(0, len(wanted), 900):  # SQLite's variable limit
        chunk = wanted[start : start + 900]
        for entry in CreditListing.objects.filter(uscc__in=chunk, listed_on__lte=as_of):
            if is_blocking(entry, as_of):
                out.setdefault(entry.uscc, []).append(entry)
    return out


def reason(listings: list[CreditListing]) -> str:
    """The hold reason a reviewer and the enterprise read (Chinese / English)."""
    zh = "；".join(
        f"{e.get_kind_display()}（{e.listed_on:%Y-%m-%d} 列入，来源：{e.source}"
        + (f"，{e.reference}" if e.reference else "")
        + "）"
        for e in listings
    )
    en = "; ".join(f"{e.kind} since {e.listed_on:%Y-%m-%d} ({e.source})" for e in listings)
    return f"信用核查未通过：{zh} / credit check failed: {en}"


def listings_of(uscc: str, as_of: dt.date) -> list[dict[str, Any]]:
    """An enterprise's entries in the register, newest first, each with whether it blocks
    payment on ``as_of``."""
    return [
        {
            "kind": e.kind,
            "listed_on": e.listed_on,
            "removed_on": e.removed_on,
            "source": e.source,
            "reference": e.reference,
            "blocking": is_blocking(e, as_of),
        }
        for e in CreditListing.objects.filter(uscc=uscc.strip().upper()).order_by("-listed_on")
    ]
