"""Schemathesis over every operation of the API, in-process against the WSGI app.

Every operation of ``/api/v1/openapi.json`` is called with generated requests: the
description's examples, the coverage phase's boundary values and fuzzed data, valid and
invalid, as an administrator with a bearer token, on the shared fixtures' registry plus
the chains, innovation and appeals demos and one (inactive) policy with a budget and a
match run, so that the requests reach real code. It fails on any 5xx, any status code the
description does not document and any response that does not match its documented schema.

Bounded: ``LIANZHANG_SCHEMATHESIS_EXAMPLES`` (10) fuzzed requests per operation and mode,
a fixed seed (the run is the same every time), no Hypothesis database, no stateful phase.
``LIANZHANG_SCHEMATHESIS_PROGRESS=1`` prints each operation's count and time (with ``-s``).
Reproduce: ``pytest tests/web/test_schemathesis.py -s``; a failure names the operation and
gives the curl command."""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable
from typing import Any

import pytest

EXAMPLES = int(os.environ.get("LIANZHANG_SCHEMATHESIS_EXAMPLES", "10"))

#: The demo modules loaded on top of the registry (the policies demo, with its match run
#: and applications, takes minutes on two cores: its endpoints get one policy instead).
DEMO = os.environ.get("LIANZHANG_SCHEMATHESIS_DEMO", "chains,innovation,appeals")
DEMO_MODULES = [name for name in DEMO.split(",") if name]

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(registry):
    """The shared registry (three enterprises) with one policy, its budget and a match run,
    so that the policy, money and case endpoints reach their code (a full ``lianzhang
    demo`` city takes minutes to load on two cores)."""
    import datetime as dt
    from decimal import Decimal

    from lianzhang.policies.models import Budget, MatchRun, Policy

    policy = Policy.objects.create(
        code="ST-TEST",
        title="测试政策",
        mode="automatic",
        allocation="ranking",
        source="id: x",
        active=False,
    )
    Budget.objects.create(policy=policy, year=2026, amount=Decimal("1000000"))
    MatchRun.objects.create(as_of=dt.date(2026, 6, 30))
    for name in DEMO_MODULES:  # the demo's chain maps, innovation supply and appeals
        importlib.import_module(f"lianzhang.{name}.demo").load_demo(lambda _: None)


@pytest.fixture
def admin_token(demo_city):
    from lianzhang.accounts.services import create_user, issue_token

    admin = create_user("schemathesis", "a long pass phrase for the fuzzer 2026", "admin")
    return issue_token(admin, "schemathesis")


@pytest.fixture
def wsgi_app():
    """The WSGI app, without closing the test's database connection at each request's end
    (as Django's test client does)."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _checks() -> list[Callable[..., Any]]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, response_schema_conformance]


def _config() -> Any:
    """Bounded and repeatable: a fixed seed, ``EXAMPLES`` fuzzed requests per operation in
    both modes (valid and invalid data), the coverage phase's boundary values, no stored
    examples between runs."""
    from schemathesis.config import SchemathesisConfig

    return SchemathesisConfig.from_dict(
        {
            "seed": 20260101,
            "generation": {"max-examples": EXAMPLES, "mode": "all", "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    )


def _fuzz(operation: Any, headers: dict[str, str], checks: list[Any]) -> tuple[int, list[str]]:
    """Call one operation with generated requests; the number sent and one report per kind."""
    from hypothesis import HealthCheck, settings
    from schemathesis.generation.feedback import FeedbackSources
    from schemathesis.pytest._test_builder import build_operation_test

    seen: dict[str, str] = {}
    sent = [0]

    def call(case: Any) -> None:
        sent[0] += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except BaseExceptionGroup as exc:  # a FailureGroup: keep the first of each kind
            kinds = sorted(type(f).__name__ for f in getattr(exc, "exceptions", [exc]))
            key = f"{response.status_code} {kinds}"
            seen.setdefault(key, f"{operation.label}: {exc}")

    test = build_operation_test(
        config=operation.schema.config,
        operation=operation,
        test_func=call,
        given_kwargs={},
        feedback=FeedbackSources(),
        explicit_settings=settings(deadline=None, suppress_health_check=list(HealthCheck)),
    )
    test()
    return sent[0], list(seen.values())


def test_every_operation_conforms_and_never_fails(admin_token, wsgi_app):
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app, config=_config())
    headers = {"Authorization": f"Bearer {admin_token}"}
    checks = _checks()
    failures: list[str] = []
    operations = requests = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        began = time.monotonic()
        sent, found = _fuzz(operation, headers, checks)
        requests += sent
        if os.environ.get("LIANZHANG_SCHEMATHESIS_PROGRESS"):
            took_one = time.monotonic() - began
            print(f"{operation.label}: {sent} requests, {len(found)} failures, {took_one:.1f} s")
        failures.extend(found)
    took = time.monotonic() - started
    print(
        f"schemathesis: {operations} operations, {requests} requests, "
        f"{len(failures)} failures, {took:.0f} s"
    )
    assert not failures, "\n\n".join(failures)
