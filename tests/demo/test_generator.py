"""The demo city generator: deterministic, valid against the contract, and plausible."""

import datetime as dt

import polars as pl
import pytest

from lianzhang.core import contract, gbt4754, uscc
from lianzhang.demo.generator import SHOWCASE, YEARS, generate, write_city
from lianzhang.demo.sectors import DISTRICTS, SECTORS


@pytest.fixture(scope="module")
def city():
    return generate(seed=3, enterprises=3000)


def test_same_seed_same_city_other_seed_other_city(city):
    again = generate(seed=3, enterprises=3000)
    for table in ("enterprises", "annual", "honours", "awards"):
        assert getattr(again, table).equals(getattr(city, table)), table
    other = generate(seed=4, enterprises=3000)
    assert not other.annual.equals(city.annual)


def test_keys_and_codes_are_valid(city):
    firms = city.enterprises
    assert firms["uscc"].n_unique() == firms.height == 3000
    assert all(uscc.problem(code) is None for code in firms["uscc"])
    classes = {c.code for c in gbt4754.classes()}
    assert set(firms["industry_code"]) <= classes
    assert set(firms["district"]) <= {d.name for d in DISTRICTS}
    assert city.annual.select("uscc", "year").is_duplicated().sum() == 0
    assert set(city.annual["uscc"]) <= set(firms["uscc"])
    assert set(city.honours["title"]) <= set(contract.HONOUR_TITLES)
    assert set(city.awards["kind"]) <= set(contract.AWARD_KINDS)


def test_every_sector_of_the_city_is_present(city):
    products = {p for s in SECTORS for p, _ in s.products}
    assert set(city.enterprises["main_product"]) <= products
    per_sector = {
        s.key: city.enterprises.filter(pl.col("main_product").is_in([p for p, _ in s.products]))
        for s in SECTORS
    }
    assert all(frame.height > 0 for frame in per_sector.values()), {
        k: f.height for k, f in per_sector.items()
    }
    # the chains the city grows, from lithium salts to storage systems
    storage = per_sector["energy_storage"]["main_product"].to_list()
    assert {"电池级碳酸锂", "动力电池电芯", "储能系统集成"} <= set(storage)


def test_annual_rows_are_consistent(city):
    a = city.annual.join(city.enterprises.select("uscc", "registered_on"), on="uscc")
    assert a["year"].is_between(YEARS[0], YEARS[-1]).all()
    assert (a["year"] >= a["registered_on"].dt.year()).all()
    assert (a["rd_staff"] <= a["employees"]).all()
    assert (a["tech_staff"] <= a["employees"]).all()
    assert (a["main_revenue"] <= a["revenue"]).all()
    for name in ("revenue", "employees", "rd_expense", "ip_class1"):
        assert (a[name].drop_nulls() >= 0).all(), name
    # some values are unknown (null), and unknown never became zero
    assert a["rd_expense"].null_count() > 0
    assert a["rd_expense"].null_count() < a.height * 0.1
    # land, energy and output only for industrial enterprises
    services = a.join(city.enterprises.select("uscc", "industry_code"), on="uscc").filter(
        ~pl.col("industry_code").map_elements(gbt4754.is_industrial, return_dtype=pl.Boolean)
    )
    assert services.height > 0
    assert services["land_mu"].null_count() == services.height


def test_revenue_is_spread_like_a_registry(city):
    latest = city.annual.filter(pl.col("year") == YEARS[-1])["revenue"] / 100
    median = latest.median()
    assert 5e6 < median < 1e8
    # lognormal: a long right tail, some firms above the 规上 line and many below
    assert latest.quantile(0.99) > 20 * median
    above = (latest >= 20_000_000).mean()
    assert 0.2 < above < 0.8
    growth = city.annual.sort("year").group_by("uscc").agg(pl.col("revenue").pct_change().mean())
    assert 0.0 < growth["revenue"].drop_nulls().median() < 0.2


def test_titles_follow_indicators_and_some_lapse(city):
    h = city.honours
    assert h.height > 0
    lapsed = h.filter(pl.col("valid_until") < dt.date(2026, 1, 1))
    assert 0 < lapsed.height < h.height
    giants = set(h.filter(pl.col("title") == "little_giant")["uscc"])
    specialized = set(h.filter(pl.col("title") == "specialized_sme")["uscc"])
    assert giants <= specialized


def test_the_demo_enterprise_is_a_current_high_tech_chip_maker(city):
    firm = city.enterprises.filter(pl.col("name") == SHOWCASE)
    assert firm.height == 1
    assert firm["district"][0] == "成都高新区"
    assert firm["industry_code"][0] == "3973"
    titles = city.honours.filter(pl.col("uscc") == firm["uscc"][0])
    current = titles.filter(
        (pl.col("title") == "high_tech") & (pl.col("valid_until") >= dt.date(2026, 12, 1))
    )
    assert current.height == 1


def test_files_import_back_exactly(tmp_path, db):
    from lianzhang.enterprises.models import Annual, Enterprise, Honour
    from lianzhang.enterprises.services import import_file

    small = generate(seed=5, enterprises=300)
    write_city(small, tmp_path)
    for table in ("enterprises", "annual", "honours", "awards"):
        report = import_file(tmp_path / f"{table}.csv", table)
        assert report.written and not report.errors, report.errors[:3]
    assert Enterprise.objects.count() == 300
    assert Annual.objects.count() == small.annual.height
    assert Honour.objects.count() == small.honours.height
    row = small.annual.sort("revenue", descending=True).row(0, named=True)
    stored = Annual.objects.get(enterprise_id=row["uscc"], year=row["year"])
    assert stored.revenue * 100 == row["revenue"]  # exact to the fen


def test_xlsx_files_import_too(tmp_path, db):
    from lianzhang.enterprises.services import import_file

    small = generate(seed=6, enterprises=40)
    write_city(small, tmp_path, fmt="xlsx")
    for table in ("enterprises", "annual"):
        report = import_file(tmp_path / f"{table}.xlsx", table)
        assert report.written and not report.errors, report.errors[:3]
