"""The demo hook on the shared registry fixture (and chain templates when loaded)."""

import datetime as dt

from lianzhang.chains import services as chain_services
from lianzhang.innovation import demo, matching, services
from lianzhang.innovation.models import (
    Capability,
    Challenge,
    Demand,
    Milestone,
    Payment,
    StageEntry,
)
from tests.conftest import HIGH_TECH


def test_load_demo_gives_demands_capabilities_a_challenge_and_a_pipeline(registry, users):
    chain_services.load_templates()
    lines = []
    summary = demo.load_demo(lines.append)
    assert "创新模块" in summary and "innovation" in summary and lines
    # every district of the registry has a demand; the chip maker's is about its own class
    assert {d.region for d in Demand.objects.all()} == {"成都高新区", "武侯区"}
    chips = Demand.objects.get(enterprise_id=HIGH_TECH)
    rows = matching.match_demand(chips)
    assert rows and all(r.hit.reasons for r in rows)
    assert Capability.objects.exclude(chain_code="").exists()  # placed on real chain nodes
    running = Challenge.objects.get(title=demo.CHALLENGE)
    assert running.status == "awarded" and running.winner is not None
    assert services.paid_total(running) == Payment.objects.get().amount > 0
    assert sum(m.amount for m in Milestone.objects.filter(challenge=running)) == running.award
    two_way = Challenge.objects.get(mode="result")
    assert two_way.status == "published" and two_way.result.kind == "result"
    board = services.board()
    assert board.reached["screening"] == StageEntry.objects.filter(stage="screening").count() > 0
    assert all(e.entered_on <= dt.date.today() for e in StageEntry.objects.all())
    # the demo enterprise user sees its own demand and can take the two-way result up
    assert list(services.visible_demands(users["enterprise"])) == [chips]

    counts = [m.objects.count() for m in (Capability, Demand, Challenge, Milestone, StageEntry)]
    demo.load_demo(lines.append)  # idempotent
    assert [
        m.objects.count() for m in (Capability, Demand, Challenge, Milestone, StageEntry)
    ] == counts


def test_load_demo_without_chain_maps_or_users(registry):
    summary = demo.load_demo(lambda _line: None)
    assert {d.region for d in Demand.objects.all()} == {"成都高新区", "武侯区"}
    assert Challenge.objects.filter(title=demo.CHALLENGE).exists()
    assert "demands" in summary
