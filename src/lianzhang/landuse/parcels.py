"""Parcel links in an evaluation (files only): each firm's area, and co-owners merged.

A parcels table has one row per parcel–enterprise link: ``parcel_id``, ``uscc``, ``role``
(``owner``, ``tenant`` or ``sub_tenant``) and the area the firm uses, either ``area_mu``
(亩) or ``area_share`` (a fraction, or ``40%``) of ``parcel_mu``. A firm's land is the sum
of its links' areas; tenants are thereby scored on their leased share. Owners of the same
parcel (directly or through a chain of shared parcels) form one unit: their figures are
summed and they share one result (遂昌 practice; ``parcels.merge_owners`` in a scheme).

>>> f = frame([{"parcel_id": "P1", "uscc": "A", "role": "owner", "area_mu": "6"},
...            {"parcel_id": "P1", "uscc": "B", "role": "owner", "area_share": "40%",
...             "parcel_mu": "10"},
...            {"parcel_id": "P2", "uscc": "C", "role": "tenant", "area_mu": "2.5"}])
>>> sorted(land(f).rows())
[('A', 6.0), ('B', 4.0), ('C', 2.5)]
>>> sorted(units(f).rows())
[('A', 'A'), ('B', 'A')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

import polars as pl

from lianzhang.core.errors import ValidationError

ROLES = {"owner": "owner", "tenant": "tenant", "sub_tenant": "sub_tenant"}
ROLES.update(
    {"sub-tenant": "sub_tenant", "产权人": "owner", "承租": "tenant", "转租": "sub_tenant"}
)
COLUMNS = ("parcel_id", "uscc", "role", "area_mu", "area_share", "parcel_mu")


def _decimal(text: str | None, where: str) -> float | None:
    if text is None or not text.strip():
        return None
    raw = text.strip()
    scale = Decimal(1)
    if raw.endswith("%"):
        raw, scale = raw[:-1], Decimal("0.01")
    try:
        value = Decimal(raw.replace(",", "")) * scale
    except InvalidOperation:
        raise ValidationError(
            f"{where}：不是数值 {text!r}", f"{where}: not a number {text!r}"
        ) from None
    if not value.is_finite() or value < 0:
        raise ValidationError(f"{where}：应为非负数 {text!r}", f"{where}: must be ≥ 0: {text!r}")
    return float(value)


def frame(rows: Iterable[Mapping[str, str]]) -> pl.DataFrame:
    """Text rows of a parcels file → a typed frame with each link's ``area`` (亩)."""
    out: dict[str, list[object]] = {c: [] for c in (*COLUMNS, "area")}
    for n, row in enumerate(rows, start=2):
        where = f"地块表第 {n} 行 / parcels row {n}"
        pid, uscc = (row.get("parcel_id") or "").strip(), (row.get("uscc") or "").strip()
        if not pid or not uscc:
            raise ValidationError(
                f"{where}：缺少 parcel_id 或 uscc", f"{where}: parcel_id and uscc"
            )
        role = ROLES.get((row.get("role") or "owner").strip())
        if role is None:
            raise ValidationError(
                f"{where}：role 应为 owner、tenant 或 sub_tenant",
                f"{where}: role is owner, tenant or sub_tenant",
            )
        mu = _decimal(row.get("area_mu"), where)
        share = _decimal(row.get("area_share"), where)
        whole = _decimal(row.get("parcel_mu"), where)
        if share is not None and share > 1:
            raise ValidationError(f"{where}：area_share 不能超过 1", f"{where}: area_share ≤ 1")
        area = mu if mu is not None else (None if share is None or whole is None else share * whole)
        if area is None:
            raise ValidationError(
                f"{where}：应给出 area_mu，或 area_share 与 parcel_mu",
                f"{where}: give area_mu, or area_share and parcel_mu",
            )
        for key, value in zip(
            (*COLUMNS, "area"), (pid, uscc, role, mu, share, whole, area), strict=True
        ):
            out[key].append(value)
    schema = {c: pl.String for c in COLUMNS[:3]} | {c: pl.Float64 for c in (*COLUMNS[3:], "area")}
    return pl.DataFrame(out, schema=schema)


def land(parcels: pl.DataFrame) -> pl.DataFrame:
    """(uscc, land_mu): the sum of each firm's link areas."""
    return parcels.group_by("uscc").agg(pl.col("area").sum().alias("land_mu"))


def units(parcels: pl.DataFrame) -> pl.DataFrame:
    """(uscc, unit) for owners sharing a parcel with another owner; the unit is the
    smallest USCC of its connected owners (firms alone on their parcels are absent)."""
    owners = parcels.filter(pl.col("role") == "owner").select("parcel_id", "uscc").unique()
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for _pid, members in owners.group_by("parcel_id").agg(pl.col("uscc")).iter_rows():
        if len(members) < 2:
            continue
        roots = sorted({find(m) for m in members})
        for r in roots[1:]:
            parent[r] = roots[0]
    pairs = [(u, find(u)) for u in parent]
    pairs += [(r, r) for r in {r for _u, r in pairs}]
    return pl.DataFrame(
        sorted(set(pairs)), schema={"uscc": pl.String, "unit": pl.String}, orient="row"
    )
