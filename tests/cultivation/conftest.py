"""A finished match run over the shared registry, for the candidates and re-review lists."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import FOOD, HIGH_TECH, ROBOT

#: A near miss on one line (R&D share 2.6% against 3%) and a line that is met.
RD_SHORT = dict(id="rd", label="研发费用占比", passed=False, unit="ratio", value=0.026, threshold=0.03, margin=-0.004)  # fmt: skip  # noqa: E501
STAFF_MET = dict(id="staff", label="职工", passed=True, unit="", value=120, threshold=50, margin=70)  # fmt: skip  # noqa: E501


@pytest.fixture
def run(registry):
    from lianzhang.policies.models import Match, MatchRun, Policy

    def policy(code, family):
        return Policy.objects.create(
            code=code, family=family, title=code, mode="application", source="id: x"
        )

    giant = policy("cn.miit.2026.little-giant", "cn.miit.little-giant")
    high_tech = policy("cn.most.2016.high-tech", "cn.most.high-tech")
    done = MatchRun.objects.create(as_of=dt.date(2025, 6, 30), finished_at=timezone.now())
    Match.objects.create(run=done, enterprise_id=FOOD, policy=giant, verdict="eligible")
    Match.objects.create(
        run=done,
        enterprise_id=ROBOT,
        policy=giant,
        verdict="ineligible",
        near_miss=True,
        failed=1,
        criteria=[RD_SHORT, STAFF_MET],
    )
    Match.objects.create(run=done, enterprise_id=HIGH_TECH, policy=high_tech, verdict="ineligible")
    return done
