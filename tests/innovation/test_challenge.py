import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.enterprises.models import Enterprise
from lianzhang.innovation import services
from lianzhang.innovation.models import Capability, Event, Payment

from .conftest import FIRM, OTHER

D = dt.date


def challenge(people, supply, **kw):
    demand = services.post_demand(
        people["firm"],
        FIRM,
        title="车规级碳化硅模块",
        problem="碳化硅模块封装可靠性攻关",
        chain_code="ic",
        node_code="power",
    )
    fields = dict(
        title="车规级碳化硅功率模块封装技术攻关",
        goal="攻克车规级碳化硅模块封装可靠性",
        indicators="结温 175℃；温度循环 1000 次无失效",
        award=Decimal("3000000.00"),
        deadline=D(2026, 4, 30),
        eligible_kinds=["university", "institute"],
        eligibility="高校、科研院所",
        demand=demand,
        poster=demand.enterprise,
    )
    fields.update(kw)
    return services.create_challenge(people["admin"], **fields)


def test_challenge_from_publication_to_acceptance_with_milestone_payments(people, supply):
    admin, p = people["admin"], supply["providers"]
    ch = challenge(people, supply)
    ch = services.publish_challenge(admin, ch)
    a_uni = services.apply(
        admin, ch, provider=p["uni"], plan="银烧结+铜线键合", today=D(2026, 4, 1)
    )
    a_inst = services.apply(admin, ch, provider=p["inst"], plan="双面散热", today=D(2026, 4, 2))
    ch = services.close_applications(admin, ch)
    # Expert 1 declares a conflict with the university: no score from them.
    services.review(people["expert1"], a_uni, conflict=True, conflict_note="曾在该校任职")
    services.review(people["expert1"], a_inst, conflict=False, score="70")
    services.review(people["expert2"], a_uni, conflict=False, score="88")
    services.review(people["expert2"], a_inst, conflict=False, score="80")
    services.review(people["expert3"], a_uni, conflict=False, score="90")
    ranked = services.ranking_of(ch)
    assert [(a.pk, s, n) for a, s, n in ranked] == [
        (a_uni.pk, Decimal("89.00"), 2),
        (a_inst.pk, Decimal("75.00"), 2),
    ]
    ch = services.award(admin, ch)
    assert ch.winner == a_uni and ch.status == "awarded"
    m1 = services.add_milestone(admin, ch, title="样品", due=D(2026, 9, 30), amount="1000000.01")
    m2 = services.add_milestone(admin, ch, title="中试", due=D(2027, 3, 31), amount="1999999.99")
    with pytest.raises(ValidationError):  # planned payments may not exceed the award
        services.add_milestone(admin, ch, title="多余", due=D(2027, 6, 1), amount="0.01")
    with pytest.raises(ValidationError):  # not reached yet: no payment
        services.pay_milestone(admin, m1, D(2026, 10, 1))
    with pytest.raises(ValidationError):  # cannot pass acceptance with milestones pending
        services.accept(admin, ch, on=D(2026, 10, 1))
    services.reach_milestone(admin, m1, D(2026, 9, 28))
    services.pay_milestone(admin, m1, D(2026, 10, 8))
    with pytest.raises(ValidationError):  # paid once only
        services.pay_milestone(admin, m1, D(2026, 10, 9))
    services.reach_milestone(admin, m2, D(2027, 3, 20))
    services.pay_milestone(admin, m2, D(2027, 4, 1))
    assert services.paid_total(ch) == Decimal("3000000.00") == ch.award
    assert [p.amount for p in Payment.objects.order_by("id")] == [
        Decimal("1000000.01"),
        Decimal("1999999.99"),
    ]
    result = services.accept(admin, ch, on=D(2027, 4, 15), note="指标全部达到", result_trl=7)
    ch.refresh_from_db()
    assert ch.status == "accepted" and ch.accepted_on == D(2027, 4, 15)
    assert isinstance(result, Capability) and result.provider == p["uni"]
    assert result.kind == "result" and result.trl == 7 and result.node_code == "power"
    trail = list(
        Event.objects.filter(kind="challenge", object_id=ch.pk).values_list("action", "to_state")
    )
    assert [a for a, _ in trail if _] == ["create", "publish", "close", "award", "accept"]
    assert all(e.by_id for e in Event.objects.all())


def test_eligibility_deadline_and_duplicates(people, supply):
    admin, p = people["admin"], supply["providers"]
    ch = challenge(people, supply, eligible_kinds=["university"])
    with pytest.raises(ValidationError):  # not published yet
        services.apply(admin, ch, provider=p["uni"], plan="x", today=D(2026, 4, 1))
    services.publish_challenge(admin, ch)
    with pytest.raises(ValidationError):
        services.apply(admin, ch, provider=p["inst"], plan="x", today=D(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.apply(admin, ch, provider=p["uni"], plan="x", today=D(2026, 5, 1))
    services.apply(admin, ch, provider=p["uni"], plan="x", today=D(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.apply(admin, ch, provider=p["uni"], plan="y", today=D(2026, 4, 1))


def test_conflicted_expert_cannot_score_and_no_double_review(people, supply):
    admin, p = people["admin"], supply["providers"]
    ch = services.publish_challenge(admin, challenge(people, supply))
    app = services.apply(admin, ch, provider=p["uni"], plan="x", today=D(2026, 4, 1))
    with pytest.raises(ValidationError):  # review before the review stage
        services.review(people["expert1"], app, conflict=False, score=80)
    services.close_applications(admin, ch)
    with pytest.raises(ValidationError):
        services.review(people["expert1"], app, conflict=True, score=80)
    with pytest.raises(ValidationError):
        services.review(people["expert1"], app, conflict=False, score=101)
    with pytest.raises(PermissionDenied):
        services.review(people["firm"], app, conflict=False, score=80)
    services.review(people["expert1"], app, conflict=True)
    with pytest.raises(ValidationError):  # only conflicted reviews: nothing to award on
        services.award(admin, ch)
    with pytest.raises(ValidationError):
        services.review(people["expert1"], app, conflict=False, score=80)


def test_illegal_transitions_are_refused(people, supply):
    admin = people["admin"]
    ch = challenge(people, supply)
    with pytest.raises(ValidationError):
        services.close_applications(admin, ch)
    with pytest.raises(ValidationError):
        services.award(admin, ch)
    with pytest.raises(PermissionDenied):
        services.publish_challenge(people["firm"], ch)
    with pytest.raises(ValidationError):
        services.create_challenge(admin, title="x", goal="y", award="1.001", deadline=D(2026, 1, 1))


def test_two_way_mode_enterprises_take_up_a_result(people, supply):
    admin = people["admin"]
    result = supply["caps"]["substrate"]
    ch = services.create_challenge(
        admin,
        mode="result",
        title="碳化硅外延成果转化",
        goal="寻找承接企业",
        award=Decimal("0"),
        deadline=D(2026, 6, 30),
        result=result,
    )
    services.publish_challenge(admin, ch)
    firm = Enterprise.objects.get(pk=FIRM)
    with pytest.raises(PermissionDenied):  # another enterprise's user cannot apply for it
        services.apply(people["other"], ch, enterprise=firm, plan="x", today=D(2026, 5, 1))
    app = services.apply(people["firm"], ch, enterprise=firm, plan="建线承接", today=D(2026, 5, 1))
    assert app.applicant == str(firm)
    other = Enterprise.objects.get(pk=OTHER)
    services.apply(people["other"], ch, enterprise=other, plan="试试", today=D(2026, 5, 1))
    services.close_applications(admin, ch)
    services.review(people["expert1"], app, conflict=False, score=85)
    assert services.award(admin, ch).winner == app
