"""Refusals become pages in one place: the right status, the message in the page's
language, the site's layout, and one log line without a traceback."""

import logging

import pytest
from django.urls import reverse

from lianzhang.web.errors import status_for
from tests.conftest import FOOD
from tests.web.urls import REFUSALS

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.web.urls")]


def refused_lines(caplog):
    return [r for r in caplog.records if r.name == "lianzhang.refused"]


def assert_one_line_no_traceback(caplog, status, path):
    lines = refused_lines(caplog)
    assert len(lines) == 1, [r.getMessage() for r in caplog.records]
    line = lines[0].getMessage()
    assert line.startswith(f"{status} GET {path} ")
    # nothing else about this request: django.request does not log it again
    assert [r for r in caplog.records if r.name.startswith("django")] == []
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in caplog.text
    return line


def test_a_403_page_logs_one_line_and_no_traceback(client_as, caplog):
    url = reverse("import")
    with caplog.at_level(logging.INFO):
        response = client_as("district").get(url)
    assert response.status_code == 403
    line = assert_one_line_no_traceback(caplog, 403, url)
    assert "user=gaoxin" in line and "you are not allowed to do this" in line


def test_django_permission_denied_logs_one_line_and_no_traceback(client_as, caplog):
    url = reverse("refuse", args=["django-denied"])
    with caplog.at_level(logging.INFO):
        response = client_as("analyst").get(url)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    assert_one_line_no_traceback(caplog, 403, url)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(lambda: reverse("enterprise-detail", args=[FOOD]), id="out-of-reach"),
        pytest.param(lambda: reverse("refuse", args=["django-missing"]), id="http404"),
        pytest.param(lambda: "/no/such/page/", id="no-such-url"),
    ],
)
def test_a_404_page_logs_one_line_and_no_traceback(client_as, caplog, url):
    url = url()
    with caplog.at_level(logging.INFO):
        response = client_as("district").get(url)
    assert response.status_code == 404
    assert_one_line_no_traceback(caplog, 404, url)


@pytest.mark.parametrize(
    ("kind", "status"), [("conflict", 409), ("invalid", 400), ("missing", 404), ("denied", 403)]
)
def test_a_platform_error_gets_its_status_and_message_in_both_languages(
    client_as, caplog, kind, status
):
    error = REFUSALS[kind]
    assert status_for(error) == status
    client = client_as("analyst")
    url = reverse("refuse", args=[kind])
    with caplog.at_level(logging.INFO):
        chinese = client.get(url)
    assert chinese.status_code == status
    html = chinese.content.decode()
    assert error.zh in html and error.en not in html
    assert '<html lang="zh-CN">' in html and 'class="topbar"' in html  # the site's layout
    line = assert_one_line_no_traceback(caplog, status, url)
    assert line.endswith(error.en)  # the log is in English

    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(url)
    assert english.status_code == status
    html = english.content.decode()
    assert error.en in html and error.zh not in html and '<html lang="en">' in html


def test_403_and_404_pages_are_in_chinese(client_as):
    client = client_as("district")
    denied = client.get(reverse("import"), headers={"Accept-Language": "en"}).content.decode()
    assert "无权访问" in denied and "您的角色无权使用此页面" in denied and "返回首页" in denied
    missing = client.get("/no/such/page/", headers={"Accept-Language": "en"}).content.decode()
    assert "页面不存在" in missing and "该页面或企业不存在" in missing
    assert '<html lang="zh-CN">' in missing


def test_anonymous_refusal_is_logged_without_a_user(client, caplog):
    with caplog.at_level(logging.INFO):
        assert client.get("/no/such/page/").status_code == 404
    assert "user=-:" in refused_lines(caplog)[0].getMessage()


def test_a_real_failure_is_not_a_refusal(client_as):
    client = client_as("analyst")
    with pytest.raises(RuntimeError):
        client.get(reverse("refuse", args=["failure"]))


@pytest.mark.django_db
def test_the_favicon_exists(client_as):
    """Every page links the icon, and /favicon.ico (asked for by pages without the link)
    leads to it instead of a 404."""
    html = client_as("analyst").get("/appeals/").content.decode()
    assert 'rel="icon"' in html and "web/favicon.svg" in html
    response = client_as("analyst").get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)
