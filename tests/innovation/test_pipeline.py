import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.core.errors import ValidationError
from lianzhang.innovation import services

D = dt.date


def test_pipeline_order_board_conversion_and_stalls(people, supply):
    admin = people["admin"]
    sub, hot = supply["caps"]["substrate"], supply["caps"]["hotpot"]
    with pytest.raises(ValidationError):  # a capability is not a result
        services.advance(admin, supply["caps"]["sic"], "screening", on=D(2025, 1, 1))
    with pytest.raises(ValidationError):  # must start with screening
        services.advance(admin, sub, "poc", on=D(2025, 1, 1))
    services.advance(admin, sub, "screening", on=D(2025, 1, 1), owner="王经理")
    with pytest.raises(ValidationError):  # no skipping
        services.advance(admin, sub, "pilot", on=D(2025, 2, 1))
    services.advance(admin, sub, "poc", on=D(2025, 2, 1), outcome="通过筛选")
    services.advance(admin, sub, "pilot", on=D(2025, 6, 1), outcome="概念验证通过")
    services.advance(admin, hot, "screening", on=D(2025, 3, 1))
    services.advance(admin, hot, "licensed", on=D(2025, 4, 1), outcome="许可给本地企业")
    with pytest.raises(ValidationError):
        services.advance(admin, hot, "poc", on=D(2025, 5, 1))
    with pytest.raises(ValidationError):  # dates go forward
        services.advance(admin, sub, "incubation", on=D(2025, 5, 1))
    b = services.board(today=D(2026, 3, 1), stall_days=180)
    assert b.counts["pilot"] == 1 and b.counts["licensed"] == 1 and b.counts["screening"] == 0
    assert b.reached["screening"] == 2 and b.reached["poc"] == 1
    assert b.conversion["screening→poc"] == Decimal("0.5000")
    assert b.conversion["pilot→incubation"] == Decimal("0.0000")
    assert b.conversion["screening→transferred"] == Decimal("0.5000")
    assert b.by_chain["ic"]["pilot"] == 1 and b.by_source["institute"]["licensed"] == 1
    assert [(r.pk, e.stage, age) for r, e, age in b.stalled] == [(sub.pk, "pilot", 273)]
    assert services.board(today=D(2025, 7, 1)).stalled == []
    first = sub.stages.order_by("id").first()
    assert first.outcome == "通过筛选" and first.owner == "王经理"


def test_empty_board_has_unknown_rates(db):
    b = services.board(today=D(2026, 1, 1))
    assert b.conversion["screening→poc"] is None and not b.stalled
