from decimal import Decimal

import pytest

from lianzhang.core.errors import PermissionDenied, ValidationError
from lianzhang.innovation import matching, services
from lianzhang.innovation.models import Demand, Event, MatchMark

from .conftest import FIRM, OTHER


def post(user, uscc=FIRM, **kw):
    fields = dict(
        title="碳化硅功率模块封装可靠性",
        problem="车规级碳化硅功率器件封装后高温循环失效，需要封装与可靠性测试能力",
        indicators="1000 次温度循环无失效",
        chain_code="ic",
        node_code="power",
        budget=Decimal("1000000.00"),
        min_trl=5,
    )
    fields.update(kw)
    return services.post_demand(user, uscc, **fields)


def test_enterprise_posts_its_own_demand_only(people):
    demand = post(people["firm"])
    assert demand.region == "成都高新区" and demand.industry_code == "3972"
    assert demand.budget == Decimal("1000000.00")
    with pytest.raises(PermissionDenied):
        post(people["firm"], OTHER)
    with pytest.raises(PermissionDenied):  # district officer of another district
        post(people["district"], FIRM)
    assert post(people["district"], OTHER, industry_code="").industry_code == "1469"
    assert Event.objects.filter(kind="demand", action="publish").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("budget", "12.345"),
        ("budget", "-1"),
        ("min_trl", 10),
        ("industry_code", "39"),
        ("title", "  "),
    ],
)
def test_bad_demands_write_nothing(people, field, value):
    with pytest.raises(ValidationError) as info:
        post(people["firm"], **{field: value})
    assert info.value.zh and info.value.en
    assert not Demand.objects.exists() and not Event.objects.exists()


def test_unknown_budget_is_not_zero(people):
    demand = post(people["firm"], budget=None)
    assert demand.budget is None
    assert matching.demand_query(demand).budget is None


def test_match_demand_ranks_capabilities_with_reasons(people, supply):
    demand = post(people["firm"])
    rows = matching.match_demand(demand)
    titles = [getattr(r.obj, "title", getattr(r.obj, "name", "")) for r in rows]
    assert titles[0] == "碳化硅功率器件封装与可靠性测试"
    assert "火锅底料风味稳定工艺" not in titles
    kinds = {r.kind for r in rows[0].hit.reasons}
    assert {"text", "industry", "node", "maturity", "budget", "region"} <= kinds
    assert any(r.obj == supply["platform"] for r in rows)  # the pilot base is offered too


def test_marks_change_later_rankings(people, supply):
    demand = post(people["firm"])
    first = matching.match_demand(demand)[0]
    with pytest.raises(PermissionDenied):
        services.mark_match(people["firm"], demand, first.hit.key, good=False)
    services.mark_match(people["analyst"], demand, first.hit.key, good=False, note="做不了车规")
    again = matching.match_demand(demand)
    assert again[0].hit.key != first.hit.key
    demoted = next(r for r in again if r.hit.key == first.hit.key)
    assert demoted.mark is False and any(x.kind == "marked_bad" for x in demoted.hit.reasons)
    # Changing one's mind updates the same mark
    services.mark_match(people["analyst"], demand, first.hit.key, good=True)
    assert MatchMark.objects.count() == 1
    assert matching.match_demand(demand)[0].hit.key == first.hit.key


def test_match_result_finds_the_demands_that_need_it(people, supply):
    demand = post(people["firm"])
    post(
        people["other"],
        OTHER,
        title="火锅底料保质期",
        problem="底料油脂氧化",
        industry_code="1469",
        chain_code="food",
        node_code="",
        min_trl=None,
        budget=None,
    )
    rows = matching.match_result(supply["caps"]["sic"])
    assert rows[0].obj == demand


def test_capability_trl_and_price_validated(people):
    provider = services.add_provider("某大学", "university")
    with pytest.raises(ValidationError):
        services.add_capability(provider, title="x", trl=0)
    with pytest.raises(ValidationError):
        services.add_capability(provider, title="x", price="0.001")


def test_a_mark_on_one_demand_changes_the_ranking_of_a_later_similar_one(people, supply):
    first = post(people["firm"])
    later = post(
        people["other"],
        OTHER,
        title="碳化硅器件封装测试",
        problem="碳化硅功率器件封装可靠性",
        industry_code="",
        chain_code="",
        node_code="",
        min_trl=None,
        budget=None,
    )
    before = [r.hit.key for r in matching.match_demand(later)]
    services.mark_match(people["analyst"], first, before[0], good=False, note="不做车规")
    after = matching.match_demand(later)
    assert after[0].hit.key != before[0]
    demoted = next(r for r in after if r.hit.key == before[0])
    assert demoted.mark is None  # not this demand's own mark: it moved through feedback
    assert any(x.kind == "marked_bad" for x in demoted.hit.reasons)
    # an unrelated demand keeps its order
    food = post(people["other"], OTHER, title="火锅底料", problem="风味稳定", industry_code="1469")
    assert matching.match_demand(food)[0].obj == supply["caps"]["hotpot"]


def test_marks_feed_the_evaluation_set(people, supply):
    assert matching.evaluate_marks() == []
    demand = post(people["firm"])
    key = f"capability:{supply['caps']['substrate'].pk}"
    services.mark_match(people["analyst"], demand, key, good=True)
    services.mark_match(
        people["analyst"], demand, f"capability:{supply['caps']['sic'].pk}", good=False
    )
    _, queries, relevant, _ = matching.marked_eval_set()
    assert len(queries) == 1 and relevant == [{key}]
    results = {r.name: r for r in matching.evaluate_marks()}
    assert set(results) == {"bm25", "combined", "combined+marks"}
    assert 0 < results["combined"].recall <= 1 and results["bm25"].queries == 1
