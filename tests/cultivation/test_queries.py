"""Who holds each tier on a date, the candidates, expiring titles, targets and conversion."""

import datetime as dt

import pytest

from lianzhang.chains.models import Listing
from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.cultivation import queries, services
from lianzhang.enterprises.models import Annual, Enterprise, Honour
from tests.conftest import FOOD, HIGH_TECH, ROBOT

pytestmark = pytest.mark.django_db
D = dt.date


def counts(on, scope=None):
    rows = queries.pyramid(scope if scope is not None else Enterprise.objects.all(), on)
    return {r["tier"]: r["count"] for r in rows}, {r["tier"]: r["unknown"] for r in rows}


def test_titles_count_on_their_dates_and_expired_ones_drop_out(registry):
    # chips: 专精特新 2019-06-01 to 2022-05-31 (expired), 高企 from 2023-11-01; food: 专精特新
    # from 2024-03-01
    assert counts(D(2022, 5, 31))[0]["specialized_sme"] == 1
    assert counts(D(2022, 6, 1))[0]["specialized_sme"] == 0
    held, _ = counts(D(2025, 1, 1))
    assert (held["specialized_sme"], held["high_tech"], held["little_giant"]) == (1, 1, 0)


def test_above_scale_rests_on_the_year_before_and_unknown_is_not_below(registry):
    held, unknown = counts(
        D(2025, 6, 1)
    )  # 2024 indicators: chips 2.5亿, food 5200万 in; robot 850万 out
    assert (held["above_scale"], unknown["above_scale"]) == (2, 0)
    held, unknown = counts(D(2023, 6, 1))  # only chips reported for 2022
    assert (held["above_scale"], unknown["above_scale"]) == (1, 2)
    Annual.objects.filter(enterprise_id=FOOD).update(main_revenue=None, revenue=None)
    held, unknown = counts(D(2025, 6, 1))
    assert (held["above_scale"], unknown["above_scale"]) == (1, 1)


def test_listing_is_unknown_until_the_register_is_imported(registry):
    held, unknown = counts(D(2025, 6, 1))
    assert held["listed"] == 0 and unknown["listed"] == "register empty"
    Listing.objects.create(enterprise_id=HIGH_TECH, stock_code="688001", listed_on=D(2025, 7, 1))
    held, unknown = counts(D(2025, 6, 30))
    assert held["listed"] == 0 and unknown["listed"] is None
    assert counts(D(2025, 7, 1))[0]["listed"] == 1


def test_a_district_scope_counts_its_own_firms_only(registry):
    held, _ = counts(D(2025, 1, 1), Enterprise.objects.filter(district="武侯区"))
    assert (held["specialized_sme"], held["high_tech"]) == (1, 0)
    rows = {
        d["district"]: d["counts"]
        for d in queries.by_district(Enterprise.objects.all(), D(2025, 1, 1))
    }
    assert set(rows) == {"成都高新区", "武侯区"}


def test_candidates_are_eligible_firms_without_the_title_and_near_misses(run):
    found = queries.candidates(Enterprise.objects.all(), "little_giant")
    assert found["run"] == {"id": run.pk, "as_of": "2025-06-30"}
    assert [r["uscc"] for r in found["eligible"]] == [FOOD]
    assert [(r["uscc"], r["lacks"]) for r in found["near"]] == [
        (ROBOT, "研发费用占比：2.60%，低于 3.00%，差 0.40%")
    ]
    # a firm that already holds the title on the run's date is no candidate
    Honour.objects.create(enterprise_id=FOOD, title="little_giant", granted_on=D(2025, 1, 1))
    assert queries.candidates(Enterprise.objects.all(), "little_giant")["eligible"] == []


def test_candidates_respect_the_scope(run):
    found = queries.candidates(Enterprise.objects.filter(district="成都高新区"), "little_giant")
    assert found["eligible"] == [] and [r["uscc"] for r in found["near"]] == [ROBOT]


def test_expiring_titles_with_their_re_review_status(run):
    Honour.objects.filter(enterprise_id=HIGH_TECH, title="high_tech").update(
        valid_until=D(2025, 10, 31)
    )
    rows = queries.expiring(Enterprise.objects.all(), D(2025, 6, 1), 6)
    assert [(r["uscc"], r["tier"], r["review"]) for r in rows] == [
        (HIGH_TECH, "high_tech", "不再符合条件")
    ]
    assert queries.expiring(Enterprise.objects.all(), D(2025, 6, 1), 4) == []  # 10-01 is the edge
    assert len(queries.expiring(Enterprise.objects.all(), D(2025, 5, 31), 5)) == 1  # 10-31 included
    # renewed: a later grant of the same title takes it off the list
    Honour.objects.create(
        enterprise_id=HIGH_TECH,
        title="high_tech",
        granted_on=D(2025, 9, 1),
        valid_until=D(2028, 8, 31),
    )
    assert queries.expiring(Enterprise.objects.all(), D(2025, 6, 1), 6) == []


def test_targets_beside_what_was_achieved(users):
    services.set_target(users["analyst"], 2025, "武侯区", "specialized_sme", 2)
    services.set_target(users["analyst"], 2025, "成都高新区", "high_tech", 1)
    rows = queries.targets(Enterprise.objects.all(), 2025, D(2026, 3, 1))
    got = {(r["district"], r["tier"]): (r["target"], r["achieved"], r["share"]) for r in rows}
    from fractions import Fraction

    assert got == {
        ("武侯区", "specialized_sme"): (2, 1, Fraction(1, 2)),
        ("成都高新区", "high_tech"): (1, 1, 1),
    }
    # set again: changed, not duplicated
    services.set_target(users["analyst"], 2025, "武侯区", "specialized_sme", 1)
    assert len(queries.targets(Enterprise.objects.all(), 2025, D(2026, 3, 1))) == 2
    # a district officer's scope shows its own district's targets only
    mine = queries.targets(Enterprise.objects.filter(district="成都高新区"), 2025, D(2026, 3, 1))
    assert [r["district"] for r in mine] == ["成都高新区"]


@pytest.mark.parametrize(
    ("year", "district", "tier", "count", "message"),
    [
        (2025, "火星区", "high_tech", 1, "区（市）县"),
        (2025, "武侯区", "gold", 1, "未知梯度"),
        (2025, "武侯区", "high_tech", -1, "目标数"),
        (1800, "武侯区", "high_tech", 1, "年度"),
    ],
)
def test_bad_targets_are_refused_and_nothing_is_written(
    users, year, district, tier, count, message
):
    from lianzhang.core.errors import LianzhangError
    from lianzhang.cultivation.models import Target

    with pytest.raises(LianzhangError) as caught:
        services.set_target(users["analyst"], year, district, tier, count)
    assert message in caught.value.zh and caught.value.en
    assert not Target.objects.exists()


@pytest.mark.parametrize("role", ["district", "enterprise"])
def test_only_the_bureau_sets_targets_and_the_pipeline(users, role):
    with pytest.raises(PermissionDenied):
        services.set_target(users[role], 2025, "武侯区", "high_tech", 1)
    with pytest.raises(PermissionDenied):
        services.set_listing_stage(users[role], FOOD, "reserve", D(2025, 1, 1))


def test_the_listing_pipeline_orders_the_furthest_first(users):
    services.set_listing_stage(users["admin"], FOOD, "reserve", D(2025, 1, 1))
    services.set_listing_stage(users["admin"], HIGH_TECH, "tutoring", D(2025, 3, 1), board="科创板")
    rows = queries.listing_pipeline(Enterprise.objects.all())
    assert [(r["uscc"], r["label"]) for r in rows] == [(HIGH_TECH, "辅导备案"), (FOOD, "上市后备")]
    with pytest.raises(ValidationError):
        services.set_listing_stage(users["admin"], FOOD, "ipo", D(2025, 1, 1))


def test_conversion_from_one_tier_to_the_next_over_a_year(registry):
    Honour.objects.create(enterprise_id=ROBOT, title="innovative_sme", granted_on=D(2023, 5, 1))
    Honour.objects.create(enterprise_id=FOOD, title="innovative_sme", granted_on=D(2023, 5, 1))
    Honour.objects.create(enterprise_id=ROBOT, title="specialized_sme", granted_on=D(2024, 8, 1))
    rows = queries.conversion(Enterprise.objects.all(), [2024])
    step = next(
        r for r in rows if (r["from_tier"], r["to_tier"]) == ("innovative_sme", "specialized_sme")
    )
    # food was 专精特新 from 2024-03 too: both of 2023's 创新型 moved up in 2024
    assert (step["moved"], step["base"], float(step["share"])) == (2, 2, 1.0)
