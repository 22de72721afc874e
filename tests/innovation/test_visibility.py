"""Who sees which demands and challenges, and may post for which providers: the models'
``visible_to``/``postable_by`` ask ``accounts.access``, and the services agree with them."""

import datetime as dt

from lianzhang.accounts import access
from lianzhang.innovation import services
from lianzhang.innovation.models import Challenge, Demand, Provider

from .conftest import FIRM, OTHER


def _demands(people):
    mine = services.post_demand(people["firm"], FIRM, title="碳化硅封装", problem="可靠性不足")
    theirs = services.post_demand(people["other"], OTHER, title="底料风味", problem="批次不稳")
    return mine, theirs


def test_demands_visible_to_follow_the_enterprises_a_user_may_view(people):
    mine, theirs = _demands(people)
    for who, expected in [
        ("admin", {mine, theirs}),
        ("analyst", {mine, theirs}),
        ("firm", {mine}),
        ("other", {theirs}),
        ("district", {theirs}),  # 郫都区 is OTHER's district
    ]:
        user = people[who]
        assert set(Demand.objects.visible_to(user)) == expected, who
        assert set(services.visible_demands(user)) == expected, who


def test_drafts_are_the_bureaus_only(people):
    draft = services.create_challenge(
        people["admin"], title="草稿榜", goal="目标", award="100000", deadline=dt.date(2031, 1, 1)
    )
    published = services.create_challenge(
        people["admin"], title="已发布", goal="目标", award="100000", deadline=dt.date(2031, 1, 1)
    )
    services.publish_challenge(people["admin"], published)
    assert set(Challenge.objects.visible_to(people["analyst"])) == {draft, published}
    for who in ("firm", "district"):
        assert set(Challenge.objects.visible_to(people[who])) == {published}


def test_providers_postable_by_the_bureau_and_the_enterprise_itself(people):
    uni = services.add_provider("电子科技大学", "university")
    own = services.own_provider(people["firm"], FIRM)
    assert set(Provider.objects.postable_by(people["analyst"])) == {uni, own}
    assert set(Provider.objects.postable_by(people["firm"])) == {own}
    assert set(Provider.objects.postable_by(people["other"])) == set()
    assert set(services.actable_enterprises(people["firm"]).values_list("pk", flat=True)) == {FIRM}


def test_match_scope_is_everything_for_the_bureau(people):
    assert access.match_scope(people["admin"]) is None
    assert access.match_scope(people["firm"]) == {FIRM}


def test_the_demo_actor_is_an_active_admin_or_an_inactive_system_account(db):
    system = access.innovation_actor()
    assert system.username == "innovation-demo" and not system.is_active
    assert access.is_admin(system) and not system.has_usable_password()
    assert access.innovation_actor() == system  # created once
