import datetime as dt

import pytest

from lianzhang.enterprises.models import Annual, Enterprise
from lianzhang.policies import matching, services
from lianzhang.policies.models import Match, Policy

from .conftest import USCCS

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def registry(city):
    revenues = ["20000000.00", "19999999.99", None, "25000000", "30000000", "1"]
    for uscc, revenue in zip(USCCS, revenues, strict=True):
        Annual.objects.create(enterprise_id=uscc, year=2025, revenue=revenue, main_revenue=revenue)
    Enterprise.objects.filter(pk=USCCS[4]).update(industry_code="6513")  # software: not industry
    matching.sync_library()
    return Policy.objects.get(code="cn.nbs.above-scale-industrial")


def test_library_loads_into_the_platform(registry):
    assert registry.mode == "automatic" and registry.document_number == "国统字〔2010〕87号"
    assert Policy.objects.count() >= 1


def test_match_run_stores_verdicts_with_explanations_and_manifest(registry):
    Policy.objects.exclude(pk=registry.pk).update(active=False)
    run = matching.run_match(AS_OF)
    got = {m.enterprise_id: m for m in Match.objects.filter(run=run, policy=registry)}
    assert got[USCCS[0]].verdict == "eligible"  # exactly 2000万元: 及以上 includes the line
    assert got[USCCS[1]].verdict == "ineligible" and got[USCCS[1]].near_miss
    assert got[USCCS[2]].verdict == "undetermined"  # revenue unknown
    assert got[USCCS[3]].verdict == "eligible"
    assert USCCS[4] not in got and USCCS[5] not in got  # clear misses are not stored
    short = next(c for c in got[USCCS[1]].criteria if c["passed"] is False)
    assert short["margin"] == pytest.approx(-0.01)
    assert run.eligible == 2
    [entry] = [p for p in run.manifest["policies"] if p["id"] == registry.code]
    assert entry["digest"] and run.manifest["as_of"] == AS_OF.isoformat()


def test_approved_parameter_change_takes_effect_only_after_review(registry, people):
    Policy.objects.exclude(pk=registry.pk).update(active=False)
    change = services.propose_parameter(
        registry, "min_main_revenue", dt.date(2026, 1, 1), "1000万元", "试点放宽", people["admin"]
    )
    run = matching.run_match(AS_OF)
    assert Match.objects.get(run=run, enterprise_id=USCCS[1]).verdict == "ineligible"
    from lianzhang.accounts.services import create_user

    services.review_parameter(change.pk, create_user("boss2", "pw-123456", "admin"), approve=True)
    run = matching.run_match(AS_OF)
    assert Match.objects.get(run=run, enterprise_id=USCCS[1]).verdict == "eligible"
    [entry] = [p for p in run.manifest["policies"] if p["id"] == registry.code]
    assert "1000" in str(entry["parameters"]["min_main_revenue"])
