"""A one-off award is paid once per trigger (the grant, the first inclusion), whatever the
number of years it is evaluated in; 就高不重复 groups that span years (issue 10)."""

import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.core.errors import ValidationError
from lianzhang.enterprises.models import Enterprise, Honour
from lianzhang.policies import matching, services
from lianzhang.policies.models import Case, Match, MatchRun, Policy

from .conftest import make_policy

pytestmark = pytest.mark.django_db


def _eligible(policy, enterprise, as_of, award="1000000"):
    run = MatchRun.objects.create(as_of=as_of)
    return Match.objects.create(
        run=run, enterprise=enterprise, policy=policy, verdict="eligible", award=Decimal(award)
    )


def _one_off(code="city.giant-award"):
    policy = make_policy(code, "automatic")
    policy.once_per = "title_grant:little_giant"
    policy.save()
    return policy


def test_same_grant_in_three_years_is_one_case(city):
    policy = _one_off()
    Honour.objects.create(enterprise=city[0], title="little_giant", granted_on=dt.date(2025, 7, 1))
    opened = []
    for year in (2026, 2027, 2028):  # a policy text that stays eligible for the title
        opened += services.open_cases([_eligible(policy, city[0], dt.date(year, 6, 1))], year)
    assert len(opened) == 1 and Case.objects.count() == 1
    case = Case.objects.get()
    assert (case.year, case.trigger_key) == (2026, "little_giant@2025-07-01")


def test_a_new_grant_is_a_new_award_and_a_yearly_policy_still_pays_each_year(city):
    policy = _one_off()
    Honour.objects.create(enterprise=city[0], title="little_giant", granted_on=dt.date(2022, 7, 1))
    services.open_cases([_eligible(policy, city[0], dt.date(2023, 6, 1))], 2023)
    Honour.objects.create(enterprise=city[0], title="little_giant", granted_on=dt.date(2025, 7, 1))
    services.open_cases([_eligible(policy, city[0], dt.date(2026, 6, 1))], 2026)
    keys = sorted(Case.objects.values_list("trigger_key", flat=True))
    assert keys == ["little_giant@2022-07-01", "little_giant@2025-07-01"]
    yearly = make_policy("city.yearly", "automatic")
    for year in (2026, 2027, 2028):
        services.open_cases([_eligible(yearly, city[1], dt.date(year, 6, 1))], year)
    assert Case.objects.filter(policy=yearly).count() == 3
    assert set(Case.objects.filter(policy=yearly).values_list("trigger_key", flat=True)) == {""}


def test_no_trigger_on_record_opens_nothing(city):
    policy = _one_off()  # eligible by a stale match, but the registry has no grant
    assert services.open_cases([_eligible(policy, city[0], dt.date(2026, 6, 1))], 2026) == []


def test_first_inclusion_is_the_trigger_of_the_above_scale_award(city):
    policy = make_policy("city.above-scale", "automatic")
    policy.once_per = "date:above_scale_included_on"
    policy.save()
    Enterprise.objects.filter(pk=city[0].pk).update(above_scale_included_on=dt.date(2025, 12, 31))
    for year in (2026, 2027, 2028):
        services.open_cases([_eligible(policy, city[0], dt.date(year, 6, 1))], year)
    assert list(Case.objects.values_list("trigger_key", flat=True)) == [
        "above_scale_included_on@2025-12-31"
    ]


def test_library_little_giant_award_over_three_years_through_match_runs(city):
    matching.sync_library()
    policy = Policy.objects.get(code="local.example.little-giant-award")
    assert policy.once_per == "title_grant:little_giant" and policy.no_stack_years == 3
    Enterprise.objects.filter(pk=city[0].pk).update(industry_code="3411")
    Honour.objects.create(enterprise=city[0], title="little_giant", granted_on=dt.date(2025, 7, 1))
    total = 0
    for year in (2026, 2027, 2028):
        run = matching.run_match(dt.date(year, 6, 1))
        eligible = Match.objects.filter(run=run, policy=policy, verdict="eligible")
        total += len(services.open_cases(eligible, year))
    assert total == 1
    case = Case.objects.get(policy=policy)
    assert (case.year, case.trigger_key, case.award_computed) == (
        2026,
        "little_giant@2025-07-01",
        Decimal("1000000.00"),
    )


def test_no_stacking_spans_years_when_the_policy_says_so(city, people):
    specialized = make_policy("city.specialized", "automatic", no_stack=["city.giant"])
    giant = make_policy("city.giant", "automatic")
    specialized.no_stack_years = 3
    specialized.save()
    [first] = services.open_cases([_eligible(specialized, city[0], dt.date(2025, 6, 1))], 2025)
    services.confirm(first.pk, people["firm"], "6222020202020202")
    services.approve(first.pk, people["analyst"])
    [later] = services.open_cases([_eligible(giant, city[0], dt.date(2027, 6, 1))], 2027)
    services.confirm(later.pk, people["firm"], "6222020202020202")
    with pytest.raises(ValidationError, match="不可叠加"):
        services.approve(later.pk, people["analyst"])  # 2027 is within 3 years of 2025
    [after] = services.open_cases([_eligible(giant, city[0], dt.date(2028, 6, 1))], 2028)
    services.confirm(after.pk, people["firm"], "6222020202020202")
    assert services.approve(after.pk, people["analyst"]).state == "approved"  # 3 years on
