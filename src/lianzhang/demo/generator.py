"""A deterministic demo city: a Chengdu-like registry, from a few hundred to a million firms.

Vectorised with NumPy, so 1,000,000 enterprises (five million annual rows) take seconds.
The same seed gives the same city. Values follow what registries look like: lognormal
revenues by sector, R&D intensities around each sector's median, staff from revenue per
head, land and energy only for industrial enterprises, titles that follow the indicators
(and sometimes expire), and a few unknown values, which stay unknown (null), never zero.

>>> city = generate(seed=1, enterprises=50)
>>> city.enterprises.height, city.annual["uscc"].n_unique() <= 50
(50, True)
>>> generate(seed=1, enterprises=50).annual.equals(city.annual)
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from lianzhang.core import contract, exports, frames, gbt4754, uscc

from .sectors import BRAND, DISTRICTS, SECTORS, SUFFIXES

#: The five years of annual data: the last complete year before the demo's as-of dates.
YEARS = (2021, 2022, 2023, 2024, 2025)
TABLES = ("enterprises", "annual", "honours", "awards")
SHOWCASE = "成都蓉芯微电子股份有限公司"


@dataclass
class City:
    """The four contract tables as typed Polars frames (money in integer fen)."""

    enterprises: pl.DataFrame
    annual: pl.DataFrame
    honours: pl.DataFrame
    awards: pl.DataFrame


def generate(*, seed: int = 20261124, enterprises: int = 6000) -> City:
    rng = np.random.default_rng(seed)
    firms = _enterprises(rng, enterprises)
    annual = _annual(rng, firms)
    honours = _honours(rng, firms, annual)
    awards = _awards(rng, firms, annual)
    return City(
        enterprises=frames.conform("enterprises", firms.drop(_PRIVATE)),
        annual=frames.conform("annual", annual),
        honours=frames.conform("honours", honours),
        awards=frames.conform("awards", awards),
    )


# Helper columns carried between the steps, dropped from the contract tables.
_PRIVATE = ("sector", "tech", "industrial", "rd_median", "base_revenue", "reg_year", "land")


def _uscc_bodies(admin: np.ndarray, n: int) -> list[str]:
    """Unique bodies: 9 (enterprise) 1 (company) + division code + MA6 + six base-31 digits."""
    digits = uscc.ALPHABET
    out = []
    for i, code in enumerate(admin.tolist()):
        serial = ""
        for _ in range(6):
            i, r = divmod(i, 31)
            serial = digits[r] + serial
        out.append(uscc.make(f"91{code}MA6{serial}"))
    return out


def _enterprises(rng: np.random.Generator, n: int) -> pl.DataFrame:
    weights = np.array([s.weight for s in SECTORS])
    sector = rng.choice(len(SECTORS), n, p=weights / weights.sum())
    names = [d.name for d in DISTRICTS]
    # Sectors cluster: three in four firms sit in one of their sector's districts.
    clustered = rng.random(n) < 0.75
    district = rng.integers(0, len(DISTRICTS), n)
    pick = rng.random(n)
    for k, s in enumerate(SECTORS):
        mine = (sector == k) & clustered
        home = np.array([names.index(d) for d in s.districts])
        district[mine] = home[(pick[mine] * len(home)).astype(int)]
    product = (rng.random(n) * np.array([len(SECTORS[k].products) for k in sector])).astype(int)
    age = np.minimum(np.floor(rng.exponential(8.0, n)).astype(int), 30)
    reg_year = np.maximum(YEARS[-1] - age, 1995)
    reg_day = rng.integers(0, 365, n)

    brand = np.array(list(BRAND))
    b1, b2 = rng.integers(0, len(brand), n), rng.integers(0, len(brand), n)
    suffix = rng.integers(0, len(SUFFIXES), n)
    has_park = rng.random(n) < 0.8
    park_pick = rng.random(n)

    tech = np.array([SECTORS[k].tech for k in sector])
    rows = {
        "uscc": _uscc_bodies(np.array([DISTRICTS[d].admin_code for d in district]), n),
        "name": [
            f"成都{brand[x]}{brand[y]}{SECTORS[k].name}{SUFFIXES[s]}"
            for x, y, k, s in zip(b1, b2, sector, suffix, strict=True)
        ],
        "district": [names[d] for d in district],
        "park": [
            DISTRICTS[d].parks[int(p * len(DISTRICTS[d].parks))] if has else ""
            for d, p, has in zip(district, park_pick, has_park, strict=True)
        ],
        "industry_code": [SECTORS[k].products[p][1] for k, p in zip(sector, product, strict=True)],
        "registered_on": [
            dt.date(int(y), 1, 1) + dt.timedelta(days=int(d))
            for y, d in zip(reg_year, reg_day, strict=True)
        ],
        "main_product": [SECTORS[k].products[p][0] for k, p in zip(sector, product, strict=True)],
        "is_sei_product": _unknown(rng, tech & (rng.random(n) < 0.9), 0.05),
        "major_incident_recent": _unknown(rng, rng.random(n) < 0.01, 0.04),
        "credit_blacklisted": _unknown(rng, rng.random(n) < 0.01, 0.02),
        "tech_in_supported_fields": _unknown(
            rng, np.where(tech, rng.random(n) < 0.9, rng.random(n) < 0.1), 0.05
        ),
        "sector": sector,
        "tech": tech,
        "rd_median": np.array([SECTORS[k].rd_intensity for k in sector]),
        "reg_year": reg_year,
    }
    industrial = np.array([gbt4754.is_industrial(c) for c in rows["industry_code"]])
    medians = np.array([SECTORS[k].revenue_median for k in sector])
    young = np.minimum(1.0, (age + 1) / 6.0) ** 0.8  # young firms are small
    rows["industrial"] = industrial
    rows["base_revenue"] = medians * young * rng.lognormal(0.0, 1.3, n)
    rows["land"] = np.where(industrial, rng.lognormal(np.log(3.0e6), 0.5, n), np.nan)
    firms = pl.DataFrame(rows)
    return _showcase(firms)


def _showcase(firms: pl.DataFrame) -> pl.DataFrame:
    """The first 成都高新区 firm (the demo enterprise login) is a well-run chip maker."""
    first = firms.with_row_index().filter(pl.col("district") == "成都高新区").head(1)
    if first.is_empty():
        return firms
    i = int(first["index"][0])
    ic = next(k for k, s in enumerate(SECTORS) if s.key == "ic")
    values = {
        "name": SHOWCASE,
        "park": "成都高新综合保税区",
        "industry_code": "3973",
        "main_product": "功率半导体器件",
        "registered_on": dt.date(2012, 4, 1),
        "is_sei_product": True,
        "major_incident_recent": False,
        "credit_blacklisted": False,
        "tech_in_supported_fields": True,
        "sector": ic,
        "tech": True,
        "industrial": True,
        "rd_median": 0.08,
        "base_revenue": 2.6e8,
        "reg_year": 2012,
        "land": 4.0e6,
    }
    return firms.with_columns(
        pl.when(pl.int_range(pl.len()) == i)
        .then(pl.lit(value, dtype=firms.schema[name]))
        .otherwise(pl.col(name))
        .alias(name)
        for name, value in values.items()
    )


def _unknown(rng: np.random.Generator, values: np.ndarray, share: float) -> list[bool | None]:
    """Booleans with a share of them unknown."""
    hidden = rng.random(len(values)) < share
    return [None if h else bool(v) for v, h in zip(values, hidden, strict=True)]


def _fen(yuan: np.ndarray) -> np.ndarray:
    """Yuan to whole fen, still as floats so that NaN (unknown) becomes null, not a number."""
    return np.round(yuan * 100)


def _annual(rng: np.random.Generator, firms: pl.DataFrame) -> pl.DataFrame:
    n, years = firms.height, len(YEARS)
    year = np.tile(np.array(YEARS), n)
    firm = np.repeat(np.arange(n), years)
    # Revenue back from the last year by yearly growth (about 8 % a year, widely spread).
    growth = np.clip(rng.normal(0.08, 0.18, (n, years)), -0.5, 1.5)
    growth[:, -1] = 0.0
    back = np.cumprod((1 + growth)[:, ::-1], axis=1)[:, ::-1]
    revenue = (firms["base_revenue"].to_numpy()[:, None] / back).ravel()

    reg_year = firms["reg_year"].to_numpy()[firm]
    alive = year >= np.maximum(reg_year, year.min())
    alive &= ~(rng.random(n * years) < 0.02)  # a few firm-years never reported
    tech = firms["tech"].to_numpy()[firm]
    industrial = firms["industrial"].to_numpy()[firm]
    m = n * years

    def u(lo: float, hi: float) -> np.ndarray:
        return rng.uniform(lo, hi, m)

    def hide(values: np.ndarray, share: float) -> np.ndarray:
        out = values.astype(float)
        out[rng.random(m) < share] = np.nan
        return out

    intensity = firms["rd_median"].to_numpy()[firm] * rng.lognormal(0.0, 0.55, m)
    rd = hide(revenue * np.minimum(intensity, 0.6), 0.04)
    assets = revenue * rng.lognormal(np.log(1.3), 0.4, m)
    employees = np.clip(np.round(revenue / rng.lognormal(np.log(1.1e6), 0.5, m)), 3, 30000)
    rd_share = np.where(tech, rng.beta(3, 12, m), rng.beta(1.5, 30, m))
    rd_staff = np.minimum(np.round(employees * rd_share), employees)
    tech_staff = np.minimum(rd_staff + np.round((employees - rd_staff) * u(0.02, 0.15)), employees)
    energy = np.where(industrial, revenue / 1e4 * rng.lognormal(np.log(0.05), 0.6, m), np.nan)
    land = firms["land"].to_numpy()[firm]
    output = np.where(industrial, revenue * u(0.95, 1.08), np.nan)
    known_rd = np.nan_to_num(rd)
    ip1 = np.where(tech, rng.poisson(np.minimum(known_rd / 1.5e6, 300)), rng.poisson(0.3, m))
    share = np.round(np.minimum(0.6, revenue / 8e9 * u(0.2, 3.0)), 4)
    level = rng.choice(
        ["none", "below_city", "city", "provincial", "national"],
        m,
        p=[0.5, 0.2, 0.17, 0.1, 0.03],
    )
    rows = {
        "uscc": firms["uscc"].gather(firm),
        "year": year,
        "revenue": _fen(revenue),
        "main_revenue": _fen(revenue * u(0.85, 1.0)),
        "cost_total": _fen(revenue * u(0.82, 1.02)),
        "rd_expense": _fen(rd),
        "rd_expense_domestic": _fen(rd * u(0.85, 1.0)),
        "high_tech_revenue": _fen(
            np.where(tech, revenue * u(0.4, 0.95), hide(revenue * u(0, 0.2), 0.5))
        ),
        "net_profit": _fen(revenue * rng.normal(0.06, 0.07, m)),
        "total_assets": _fen(assets),
        "total_liabilities": _fen(assets * u(0.25, 0.75)),
        "tax_paid": _fen(revenue * u(0.02, 0.07)),
        "value_added": _fen(np.where(industrial, revenue * u(0.18, 0.35), np.nan)),
        "output_value": _fen(output),
        "equity_financing": _fen(
            np.where(rng.random(m) < 0.05, revenue * rng.lognormal(np.log(0.2), 0.7, m), 0.0)
        ),
        "employees": employees,
        "rd_staff": rd_staff,
        "tech_staff": tech_staff,
        "energy_tce": np.round(energy, 2),
        "electricity_kwh": np.round(energy * 8000 * u(0.7, 1.3)),
        "emissions_t": np.round(energy * 0.01 * u(0.3, 1.5), 3),
        "land_mu": np.round(np.clip(output / land, 3, 3000), 1),
        "ip_class1": ip1,
        "ip_class1_self": rng.binomial(ip1, 0.85),
        "ip_class1_high_value": rng.binomial(ip1, 0.3),
        "ip_class2": rng.poisson(np.where(tech, np.minimum(known_rd / 4e5, 500), 1.0)),
        "segment_years": np.maximum(year - reg_year, 0),
        "market_share": hide(share, 0.3),
        "market_rank_domestic": np.maximum(1, np.round(0.5 / np.maximum(share, 0.001) ** 0.7)),
        "market_rank_global": hide(np.maximum(1, np.round(3 / np.maximum(share, 0.001))), 0.85),
        "rd_institution_level": level,
        "digital_level": hide(rng.choice(5, m, p=[0.1, 0.3, 0.35, 0.18, 0.07]), 0.1),
        "standards_led": rng.poisson(np.where(tech, 0.3, 0.05)),
        "tech_conversions": rng.poisson(np.minimum(known_rd / 3e6, 40)),
        "innovation_score": hide(np.round(np.clip(rng.normal(72, 10, m), 40, 98), 1), 0.7),
        "local_feature_score": hide(np.round(u(0, 15), 1), 0.8),
        "quality_award_provincial": rng.random(m) < 0.05,
        "iso9001": rng.random(m) < 0.6,
        "own_brand": rng.random(m) < 0.5,
        "standards_participated": rng.random(m) < 0.2,
        "leading_product_field": rng.choice(
            ["key_link", "foundation", "other"], m, p=[0.2, 0.2, 0.6]
        ),
        "product_in_key_areas": tech & (rng.random(m) < 0.5),
        "key_chain_position": rng.random(m) < 0.25,
        "core_business_info_system": rng.random(m) < 0.7,
        "specialization_dev_score": hide(
            np.round(np.clip(rng.normal(65, 12, m), 20, 100), 1), 0.75
        ),
    }
    return pl.DataFrame(rows, nan_to_null=True).filter(pl.Series(alive))


def _latest(annual: pl.DataFrame) -> pl.DataFrame:
    return annual.sort("year").group_by("uscc", maintain_order=True).last()


def _honours(rng: np.random.Generator, firms: pl.DataFrame, annual: pl.DataFrame) -> pl.DataFrame:
    """Titles follow the indicators: R&D-heavy tech firms hold them, and some have expired."""
    last = firms.select("uscc", "tech", "reg_year").join(
        _latest(annual).select("uscc", "revenue", "rd_expense", "employees"), on="uscc"
    )
    n = last.height
    revenue = last["revenue"].to_numpy() / 100
    rd = last["rd_expense"].fill_null(0).to_numpy() / 100
    intensity = np.where(revenue > 0, rd / np.maximum(revenue, 1), 0)
    tech = last["tech"].to_numpy()
    old = last["reg_year"].to_numpy() <= 2022
    employees = last["employees"].to_numpy()
    draw = rng.random((n, 8))

    rules = {
        "tech_sme": tech
        & (employees <= 500)
        & (revenue <= 2e8)
        & (intensity >= 0.04)
        & (draw[:, 0] < 0.4),
        "high_tech": tech & (intensity >= 0.035) & (revenue >= 5e6) & (draw[:, 1] < 0.3),
        "innovative_sme": (intensity >= 0.03) & (draw[:, 2] < 0.25),
        "specialized_sme": (revenue >= 1e7) & (intensity >= 0.03) & old & (draw[:, 3] < 0.2),
        "tech_innovation_demo": (revenue >= 5e8) & (draw[:, 6] < 0.1),
        "ip_advantage": tech & (draw[:, 7] < 0.01),
    }
    rules["little_giant"] = rules["specialized_sme"] & (revenue >= 1e8) & (draw[:, 4] < 0.25)
    rules["single_champion"] = rules["little_giant"] & (revenue >= 4e8) & (draw[:, 5] < 0.2)
    # The demo enterprise login holds a current 高新技术企业 title whatever the draw.
    shown = firms.filter(pl.col("name") == SHOWCASE)["uscc"].first()
    showcase = (last["uscc"] == shown).fill_null(False).to_numpy()
    rules["high_tech"] &= ~showcase
    everyone = last["uscc"].to_numpy()
    parts = []
    for title, held in rules.items():
        who = everyone[held]
        k = len(who)
        if title == "tech_sme":  # 入库 for one year
            year = rng.choice([2024, 2025, 2026], k, p=[0.2, 0.35, 0.45])
            granted = [
                dt.date(int(y), 5, 1) + dt.timedelta(days=int(d))
                for y, d in zip(year, rng.integers(0, 120, k), strict=True)
            ]
            until = [dt.date(g.year, 12, 31) for g in granted]
        else:  # three-year titles, granted 2019–2025: those before late 2022 have lapsed
            start = dt.date(2019, 6, 1)
            granted = [start + dt.timedelta(days=int(d)) for d in rng.integers(0, 6 * 365, k)]
            until = [dt.date(g.year + 3, g.month, 1) - dt.timedelta(days=1) for g in granted]
        parts.append(
            pl.DataFrame(
                {"uscc": who, "title": [title] * k, "granted_on": granted, "valid_until": until},
                schema_overrides={"uscc": pl.String, "title": pl.String},
            )
        )
    parts.append(
        pl.DataFrame(
            {
                "uscc": everyone[showcase],
                "title": "high_tech",
                "granted_on": dt.date(2024, 11, 20),
                "valid_until": dt.date(2027, 11, 19),
            }
        )
    )
    return pl.concat(parts).sort("uscc", "title")


def _awards(rng: np.random.Generator, firms: pl.DataFrame, annual: pl.DataFrame) -> pl.DataFrame:
    last = firms.select("uscc", "tech").join(
        _latest(annual).select("uscc", "rd_expense"), on="uscc"
    )
    rd = last["rd_expense"].fill_null(0).to_numpy() / 100
    draw = rng.random(last.height)
    strong = last["tech"].to_numpy() & (rd >= 5e6)
    kinds = (
        ("sci_national", strong & (draw < 0.01), 5, "国家科学技术进步奖"),
        ("sci_provincial", strong & (draw >= 0.01) & (draw < 0.08), 10, "四川省科学技术进步奖"),
        ("maker_china", (draw >= 0.97), 50, "创客中国中小企业创新创业大赛"),
    )
    parts = []
    for kind, held, worst, name in kinds:
        who = last["uscc"].to_numpy()[held]
        k = len(who)
        parts.append(
            pl.DataFrame(
                {
                    "uscc": who,
                    "year": rng.integers(YEARS[0], YEARS[-1] + 1, k),
                    "kind": [kind] * k,
                    "rank": rng.integers(1, worst + 1, k),
                    "name": [name] * k,
                },
                schema_overrides={"uscc": pl.String, "kind": pl.String, "name": pl.String},
            )
        )
    return pl.concat(parts).unique(["uscc", "year", "kind", "rank"]).sort("uscc", "year")


# --- files ------------------------------------------------------------------------------


def _as_text(kind: contract.Kind, name: str) -> pl.Expr:
    """A contract column as the text an import reads back exactly (money in yuan)."""
    col = pl.col(name)
    if kind is contract.Kind.MONEY:
        a = col.abs()
        text = a.floordiv(100).cast(pl.String) + "." + (a % 100).cast(pl.String).str.zfill(2)
        return pl.when(col < 0).then("-" + text).otherwise(text).alias(name)
    if kind is contract.Kind.BOOL:
        return pl.when(col).then(pl.lit("是")).when(~col).then(pl.lit("否")).alias(name)
    return col.cast(pl.String).alias(name)


def write_city(city: City, directory: Path | str, *, fmt: str = "csv") -> list[Path]:
    """Write the four tables with the import templates' Chinese headers (.csv or .xlsx)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        specs = contract.fields(table)
        frame = getattr(city, table).select(_as_text(s.kind, s.name) for s in specs)
        frame.columns = [s.header for s in specs]
        path = directory / f"{table}.{fmt}"
        if fmt == "csv":
            frame.write_csv(path)
        elif fmt == "xlsx":
            _write_xlsx(frame, path, contract.TABLE_ZH[table])
        else:
            raise ValueError(f"fmt must be csv or xlsx, not {fmt!r}")
        written.append(path)
    return written


def _write_xlsx(frame: pl.DataFrame, path: Path, sheet_name: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, **exports.XLSX_TEXT})
    try:
        sheet = book.add_worksheet(sheet_name)
        sheet.write_row(0, 0, frame.columns)
        for r, row in enumerate(frame.iter_rows(), start=1):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write_string(r, c, value)
    finally:
        book.close()
