"""Input bounds where an API request starts work, each refused with a clear bilingual error
(400 or 422, never 500), and a description that documents every answer.

The first cases are the 500s schemathesis found: a match run on a day with no policy in
force, settling a missing payment order, amounts of ``1e30``, a year past the integer
range; then the unbounded ones: a match run in year 9999, payment runs for year 0,
−298079 or ``false``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lianzhang.core import bounds
from lianzhang.core.errors import ValidationError

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase for the bounds tests 2026"


@pytest.fixture
def api(registry, client):
    """``api("post", path, json)``: the test client as an administrator with a bearer token."""
    from lianzhang.accounts.services import create_user, issue_token
    from lianzhang.policies.models import Budget, Policy

    token = issue_token(create_user("bounds-admin", PASSWORD, "admin"), "bounds")
    policy = Policy.objects.create(
        code="B-TEST", title="测试政策", mode="automatic", source="id: x", active=False
    )
    Budget.objects.create(policy=policy, year=2026, amount=Decimal("1000000"))

    def call(method, path, body=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if body is not None:
            kwargs["data"] = body
            kwargs["content_type"] = "application/json"
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


def refused(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"error_zh", "error_en"}
    assert body["error_zh"] and body["error_en"]
    return body


# --- the pure checks ----------------------------------------------------------------------


def test_the_checks_pass_sane_values_and_refuse_the_rest():
    assert bounds.check_date(dt.date(2026, 6, 30)) == dt.date(2026, 6, 30)
    assert bounds.check_year(2026) == 2026
    assert bounds.check_money(Decimal("12.30")) == Decimal("12.30")
    for bad in [
        lambda: bounds.check_date(dt.date(9999, 1, 1)),
        lambda: bounds.check_date(dt.date(1, 1, 1)),
        lambda: bounds.check_year(0),
        lambda: bounds.check_year(-298079),
        lambda: bounds.check_year(False),
        lambda: bounds.check_year(2**70),
        lambda: bounds.check_money(Decimal("1e30")),
        lambda: bounds.check_money(Decimal("NaN")),
        lambda: bounds.check_money(Decimal("-1")),
        lambda: bounds.check_money(Decimal("0.001")),
        lambda: bounds.check_count(1001),
        lambda: bounds.check_text("x" * (bounds.MAX_TEXT + 1)),
        lambda: bounds.check_size(bounds.MAX_FILE_BYTES + 1),
    ]:
        with pytest.raises(ValidationError) as caught:
            bad()
        assert caught.value.zh != caught.value.en


def test_money_limit_fits_the_money_column():
    """``MoneyField`` stores integer fen in a 64-bit column."""
    assert int(bounds.MONEY_LIMIT) * 100 < 2**63


# --- policies -----------------------------------------------------------------------------


def test_a_match_run_on_a_day_without_policies_is_an_empty_run(api):
    from lianzhang.policies.background import perform

    response = api("post", "/match-runs", {"as_of": "2000-01-01"})
    assert response.status_code == 202, response.content
    queued = response.json()
    assert queued["status"] == "queued"
    assert perform(queued["id"]) == "finished"  # what the worker does once it is committed
    done = api("get", f"/match-runs/{queued['id']}").json()
    assert (done["status"], done["eligible"]) == ("finished", 0)


@pytest.mark.parametrize("day", ["9999-12-31", "1900-01-01"])
def test_a_match_run_outside_the_date_window_is_refused(api, day):
    body = refused(api("post", "/match-runs", {"as_of": day}), 400)
    assert "out of range" in body["error_en"]


def test_settling_a_missing_payment_order_is_404(api):
    refused(api("post", "/payment-orders/987654/settlement", {"paid": True}), 404)


@pytest.mark.parametrize("year", [0, -298079, False, 10**20, 9999, "2026x"])
def test_a_payment_run_for_an_impossible_year_is_refused(api, year):
    refused(api("post", "/policies/B-TEST/payment-runs", {"year": year}), 422)


def test_a_payment_run_for_a_real_year_still_runs(api):
    response = api("post", "/policies/B-TEST/payment-runs", {"year": 2026})
    assert response.status_code == 201, response.content
    assert response.json()["budget"] == "1000000.00"


@pytest.mark.parametrize("amount", [1e30, "1e30", "-5", "0.001", "NaN"])
def test_a_budget_out_of_range_is_refused(api, amount):
    body = {"year": 2026, "amount": amount, "reason": "调整"}
    refused(api("put", "/policies/B-TEST/budget", body), 400, 422)


def test_ledger_and_coverage_years_are_bounded(api):
    refused(api("get", "/policies/B-TEST/ledger?year=99999999999999999999"), 422)
    refused(api("get", "/dashboard/coverage?year=0"), 422)
    assert api("get", "/policies/B-TEST/ledger?year=2026").status_code == 200


# --- innovation and appeals --------------------------------------------------------------


def test_innovation_amounts_and_dates_are_bounded(api):
    from tests.conftest import HIGH_TECH

    demand = {"uscc": HIGH_TECH, "title": "t", "problem": "p", "budget": 1e30}
    refused(api("post", "/innovation/demands", demand), 400, 422)
    challenge = {"title": "t", "goal": "g", "award": 1e30, "deadline": "2027-01-01"}
    refused(api("post", "/innovation/challenges", challenge), 400, 422)
    late = {"title": "t", "goal": "g", "award": "1000", "deadline": "9999-01-01"}
    refused(api("post", "/innovation/challenges", late), 400)
    refused(api("get", "/innovation/pipeline?stall_days=99999999999"), 422)


def test_a_milestone_of_1e30_is_refused(api):
    challenge = {"title": "t", "goal": "g", "award": "1000", "deadline": "2027-01-01"}
    created = api("post", "/innovation/challenges", challenge)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    milestone = {"title": "m", "due": "2027-01-01", "amount": 1e30}
    refused(api("post", f"/innovation/challenges/{pk}/milestones", milestone), 400, 422)


def test_appeal_metrics_dates_are_bounded(api):
    refused(api("get", "/appeals/metrics?start=2026-01-01&end=9999-12-31"), 400)
    refused(api("get", "/appeals/metrics?start=2026-02-01&end=2026-01-01"), 400)


# --- the description ----------------------------------------------------------------------


def test_a_request_not_matching_the_description_is_422_in_both_languages(api):
    body = refused(api("post", "/match-runs", {"as_of": "not a date"}), 422)
    assert "as_of" in body["error_en"] and "as_of" in body["error_zh"]


def test_no_token_is_401_with_the_error_body(client, db):
    refused(client.get("/api/v1/policies", HTTP_AUTHORIZATION="Bearer nope"), 401)


def test_every_operation_documents_the_error_answers(api):
    schema = api("get", "/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "422"} <= codes, (method, path, codes)
            if method != "get":
                assert "409" in codes, (method, path, codes)
            error = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
    year = schema["components"]["schemas"]["YearIn"]["properties"]["year"]
    assert (year["minimum"], year["maximum"]) == (bounds.FIRST_YEAR, bounds.LAST_YEAR)
