"""API tokens: they expire, record their last use, can be revoked (CLI and admin), and an
expired or revoked one is refused with 401 and the reason in both languages."""

import datetime as dt

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lianzhang.accounts.models import ApiToken
from lianzhang.accounts.services import issue_token, revoke_tokens
from lianzhang.cli.main import cli
from lianzhang.core.errors import NotFound, ValidationError

pytestmark = pytest.mark.django_db
URL = "/api/v1/enterprises"


def get(token):
    return Client().get(URL, headers={"Authorization": f"Bearer {token}"})


def test_a_token_expires_after_90_days_by_default(users):
    before = timezone.now()
    issue_token(users["district"], "t")
    expires = ApiToken.objects.get().expires_at
    assert dt.timedelta(days=90) <= expires - before < dt.timedelta(days=90, minutes=1)
    issue_token(users["district"], "short", days=7)
    assert ApiToken.objects.get(name="short").expires_at - before < dt.timedelta(days=7, minutes=1)
    with pytest.raises(ValidationError):
        issue_token(users["district"], "never", days=0)


def test_use_is_recorded(users):
    token = issue_token(users["district"], "t")
    assert ApiToken.objects.get().last_used_at is None
    assert get(token).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_an_expired_token_is_refused_with_the_reason(users):
    token = issue_token(users["district"], "t")
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = get(token)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error_zh", "error_en"}
    assert "过期" in body["error_zh"] and "expired" in body["error_en"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_with_the_reason(users):
    token = issue_token(users["district"], "t")
    other = issue_token(users["district"], "other")
    assert revoke_tokens(users["district"], "t") == 1
    response = get(token)
    assert response.status_code == 401
    assert "吊销" in response.json()["error_zh"] and "revoked" in response.json()["error_en"]
    assert get(other).status_code == 200
    with pytest.raises(NotFound):
        revoke_tokens(users["district"], "t")  # nothing left to revoke


def test_unknown_tokens_and_inactive_users_stay_plain_401(users):
    assert get("lz_nope").status_code == 401
    token = issue_token(users["district"], "t")
    users["district"].is_active = False
    users["district"].save()
    assert get(token).status_code == 401


def test_cli_issues_lists_and_revokes(users):
    runner = CliRunner()
    issued = runner.invoke(cli, ["token", "gaoxin", "--name", "etl", "--days", "30"])
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert token.startswith("lz_") and get(token).status_code == 200
    listed = runner.invoke(cli, ["token", "gaoxin", "--list"])
    assert "etl\tactive" in listed.stdout
    revoked = runner.invoke(cli, ["token", "gaoxin", "--revoke", "etl"])
    assert revoked.exit_code == 0 and "1" in revoked.stdout
    assert get(token).status_code == 401
    assert "etl\trevoked" in runner.invoke(cli, ["token", "gaoxin", "--list"]).stdout
    again = runner.invoke(cli, ["token", "gaoxin", "--revoke", "etl"])
    assert again.exit_code == 1


def test_admin_revokes_selected_tokens(client, users):
    token = issue_token(users["district"], "t")
    client.force_login(users["admin"])
    changelist = reverse("admin:accounts_apitoken_changelist")
    assert client.get(changelist).status_code == 200
    pk = ApiToken.objects.get().pk
    response = client.post(changelist, {"action": "revoke", "_selected_action": [pk]})
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert get(token).status_code == 401
