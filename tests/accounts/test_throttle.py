"""Login throttling (django-axes): wrong passwords lock a user name out for a while."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client, password, username="gaoxin"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_out_even_the_right_one(client, users, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert attempt(client, "wrong-password").status_code == 200
    locked = attempt(client, "wrong-password")
    assert locked.status_code == 429
    sixth = attempt(client, PASSWORD)
    assert sixth.status_code == 429 and sixth["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session
    html = sixth.content.decode()
    assert "登录失败次数过多" in html and "15 分钟" in html
    # another user name from the same address is not locked
    assert attempt(client, PASSWORD, username="analyst").status_code == 302


def test_the_lockout_page_is_english_by_choice(client, users):
    client.post(reverse("set_language"), {"language": "en"})
    for _ in range(5):
        attempt(client, "wrong-password")
    html = attempt(client, PASSWORD).content.decode()
    assert "Too many failed logins" in html
    assert "After 5 failed logins" in html and "Try again in 15 minutes." in html


def test_a_reset_lifts_the_lockout(client, users):
    for _ in range(5):
        attempt(client, "wrong-password")
    assert attempt(client, PASSWORD).status_code == 429
    reset(username="gaoxin")
    assert attempt(client, PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, users):
    for _ in range(5):
        attempt(client, "wrong-password")
    assert attempt(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    response = attempt(client, PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"]


def test_a_successful_login_resets_the_count(client, users):
    for _ in range(4):
        attempt(client, "wrong-password")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "wrong-password").status_code == 200


def test_the_admin_login_is_throttled_too(client, users):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "admin", "password": "wrong-password"})
    assert client.post(url, {"username": "admin", "password": PASSWORD}).status_code == 429


def test_the_address_behind_a_proxy_is_the_one_it_appended(rf, settings):
    from lianzhang.accounts.throttle import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    assert client_ip(request) == "10.0.0.1"  # no proxy configured: the header is ignored
    settings.LIANZHANG_PROXY_COUNT = 1
    assert client_ip(request) == "5.6.7.8"  # not the client-supplied 1.2.3.4


def test_force_login_and_login_without_a_request_still_work(client, users):
    assert client.login(username="gaoxin", password=PASSWORD)
    client.logout()
    client.force_login(users["district"])
    assert client.get(reverse("enterprise-list")).status_code == 200
