import pytest

from lianzhang.appeals import services
from lianzhang.appeals.models import Appeal, AppealStatus, AssignmentStatus, Event
from lianzhang.core.errors import Conflict, PermissionDenied, ValidationError
from tests.conftest import FOOD, HIGH_TECH

from .conftest import at


def _file(users, now, text="厂房扩建用地指标迟迟未批，影响新产线投产", category="help"):
    return services.file_appeal(
        users["enterprise"],
        uscc=HIGH_TECH,
        channel="web",
        category=category,
        subject="用地",
        title="扩建用地",
        text=text,
        now=now,
    )


def test_full_loop_with_refusal_callback_and_reopen(users, units):
    h = units["handlers"]
    appeal = _file(users, at(2025, 1, 27, 10))
    # 求助: 3 working days; 1月28日–2月4日 off → 2月7日 17:30
    assert appeal.resolution_due == at(2025, 2, 7, 17, 30)
    finance, land = services.dispatch(users["admin"], appeal, now=at(2025, 1, 27, 11))
    assert land.response_due == at(2025, 2, 5, 17, 30)  # 1 working day, across 春节
    with pytest.raises(ValidationError):
        services.refuse(h["finance"], finance, "  ")
    with pytest.raises(PermissionDenied):
        services.accept(h["finance"], land)
    services.refuse(h["finance"], finance, "土地事项不属金融局", now=at(2025, 2, 5, 9))
    services.accept(h["land"], land, now=at(2025, 2, 5, 9))
    services.complete(h["land"], land, "已协调指标，下周批复", "批复文号 X", now=at(2025, 2, 6, 9))
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    assert appeal.callback_due.isoformat() == "2025-02-07"
    with pytest.raises(ValidationError):
        services.callback(users["admin"], appeal, "unsatisfied", "")
    services.callback(
        users["admin"],
        appeal,
        "unsatisfied",
        "批复仍未下达",
        handler_cause=True,
        now=at(2025, 2, 7, 10),
    )
    appeal.refresh_from_db()
    land.refresh_from_db()
    assert appeal.status == AppealStatus.OPEN and appeal.reopen_count == 1
    assert land.status == AssignmentStatus.ACCEPTED
    services.complete(h["land"], land, "批复已下达", now=at(2025, 2, 10, 9))
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds == [
        "filed",
        "dispatched",
        "dispatched",
        "refused",
        "accepted",
        "done",
        "closed",
        "callback",
        "reopened",
        "done",
        "closed",
    ]
    m = services.unit_metrics(users["admin"], at(2025, 1, 1), at(2026, 1, 1))
    assert m["gx-land"].reopen == 1 and m["gx-land"].satisfaction == 0
    assert m["gx-finance"].completion is None and m["gx-finance"].on_time_response == 1


def test_duplicates_are_merged(users, units):
    first = _file(users, at(2025, 3, 3, 10))
    second = _file(users, at(2025, 3, 10, 10), text="厂房扩建用地指标迟迟未批，影响新产线投产！")
    assert second.status == AppealStatus.MERGED and second.merged_into == first
    third = _file(users, at(2025, 3, 10, 11), text="融资贷款贴息申请进度如何")
    assert third.status == AppealStatus.OPEN


def test_permissions_for_filing(users, units):
    with pytest.raises(PermissionDenied):
        services.file_appeal(
            users["enterprise"],
            uscc=FOOD,
            channel="web",
            category="help",
            subject="用地",
            title="x",
            text="y",
        )
    assert Appeal.objects.visible_to(users["enterprise"]).count() == 0


def test_sla_across_national_day_and_sweep(users, units):
    appeal = _file(users, at(2025, 9, 29, 10), category="complaint")
    (_finance, land) = services.dispatch(users["admin"], appeal, now=at(2025, 9, 29, 10))
    # 13 working days after 9月29日: 9/30, (10/1–8 off), 10/9, 10/10, 10/11 (Saturday worked),
    # 10/13–17, 10/20–23
    assert land.resolution_due == at(2025, 10, 23, 17, 30)
    services.accept(units["handlers"]["land"], land, now=at(2025, 9, 30, 9))
    with pytest.raises(ValidationError):
        services.extend(units["handlers"]["land"], land, 11, "需要现场勘察", now=at(2025, 10, 9, 9))
    services.extend(units["handlers"]["land"], land, 2, "需要现场勘察", now=at(2025, 10, 9, 9))
    assert land.resolution_due == at(2025, 10, 27, 17, 30)
    r = services.sweep(at(2025, 10, 24, 9))
    assert r.reminded == 1 and r.chased == 1  # finance was due 10月23日, land is due 10月27日
    assert services.sweep(at(2025, 10, 24, 9)).summary().startswith("提醒 0，催办 0")
    r = services.sweep(at(2025, 10, 31, 9))
    assert r.chased == 1 and r.notified == 1 and r.overdue == 1
    with pytest.raises(Conflict):
        services.extend(units["handlers"]["land"], land, 1, "太晚了", now=at(2025, 10, 31, 9))
    assert Event.objects.filter(kind="notified").count() == 1


def test_consultation_in_working_hours(users, units):
    appeal = _file(users, at(2025, 1, 27, 16, 30), category="consult")
    (_, land) = services.dispatch(users["admin"], appeal, now=at(2025, 1, 27, 16, 30))
    assert land.response_due == at(2025, 1, 27, 17, 30)
    assert land.resolution_due == at(2025, 2, 6, 17, 30)  # 2 working days


def test_escalation_needs_a_reason_and_stops_at_leaders(users, units):
    appeal = _file(users, at(2025, 3, 3, 10))
    with pytest.raises(ValidationError):
        services.escalate(users["admin"], appeal, "")
    with pytest.raises(PermissionDenied):
        services.escalate(users["enterprise"], appeal, "x")
    services.escalate(users["district"], appeal, "涉及市级规划调整", now=at(2025, 3, 4, 10))
    assert appeal.level == "city" and appeal.status == AppealStatus.ESCALATED
    (city,) = services.dispatch(users["admin"], appeal, now=at(2025, 3, 4, 11))
    assert city.department == units["city"]
    with pytest.raises(PermissionDenied):
        services.escalate(users["district"], appeal, "再提级")
    services.escalate(users["admin"], appeal, "需市领导协调")
    with pytest.raises(Conflict):
        services.escalate(users["admin"], appeal, "再提级")


def test_escalation_hands_up_the_lower_units_open_shares(users, units):
    appeal = _file(users, at(2025, 3, 3, 10))
    finance, land = services.dispatch(users["admin"], appeal, now=at(2025, 3, 3, 11))
    services.refuse(units["handlers"]["finance"], finance, "不属金融局", now=at(2025, 3, 3, 12))
    services.escalate(users["admin"], appeal, "需市级协调", now=at(2025, 3, 4, 10))
    finance.refresh_from_db()
    land.refresh_from_db()
    assert finance.status == AssignmentStatus.REFUSED  # a finished share stays as it was
    assert land.status == AssignmentStatus.HANDED_UP
    handed = appeal.events.get(kind="handed_up")
    assert handed.assignment_id == land.pk and handed.reason == "需市级协调"
    # the sweep no longer chases the district unit for work taken from it
    report = services.sweep(at(2025, 6, 1, 9))
    land.refresh_from_db()
    assert land.status == AssignmentStatus.HANDED_UP and land.chased_at is None
    assert report.chased == 0
    # and the unit is not measured on it
    m = services.unit_metrics(users["admin"], at(2025, 1, 1), at(2026, 1, 1))["gx-land"]
    assert m.handed_up == 1 and m.completion is None


def test_a_redo_starts_on_time_again(users, units):
    h = units["handlers"]
    appeal = _file(users, at(2025, 3, 3, 10))
    finance, land = services.dispatch(users["admin"], appeal, now=at(2025, 3, 3, 11))
    services.refuse(h["finance"], finance, "不属金融局", now=at(2025, 3, 3, 12))
    services.sweep(at(2025, 3, 20, 9))  # past the 3-working-day deadline
    appeal.refresh_from_db()
    assert appeal.overdue
    services.complete(h["land"], land, "已办理", now=at(2025, 3, 20, 10))
    services.callback(
        users["admin"], appeal, "unsatisfied", "未解决", handler_cause=True, now=at(2025, 3, 21, 9)
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.OPEN and not appeal.overdue
    assert appeal.resolution_due > at(2025, 3, 21, 9)
    assert appeal.events.filter(kind="overdue").count() == 1  # the history keeps the lateness
