"""Django's password validators on every path that sets a password: services, CLI, admin."""

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.urls import reverse

from lianzhang.accounts.services import check_password, create_user
from lianzhang.cli.main import cli
from lianzhang.core.errors import ValidationError
from lianzhang.demo.loader import DEMO_USERS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "password", "zh", "en"),
    [
        ("boss", "a", "太短", "too short"),
        ("boss", "a", "太常见", "too common"),
        ("boss", "short-pw", "至少 10 个字符", "at least 10 characters"),
        ("boss", "password123", "太常见", "too common"),
        ("boss", "8362019457", "只包含数字", "entirely numeric"),
        ("zhangsanfeng", "zhangsanfeng1", "太相似", "too similar"),
    ],
)
def test_create_user_refuses_weak_passwords(production_passwords, username, password, zh, en):
    with pytest.raises(ValidationError) as refused:
        create_user(username, password, "analyst")
    assert zh in refused.value.zh and en in refused.value.en
    assert not User.objects.filter(username=username).exists()


def test_a_good_password_is_accepted(production_passwords):
    user = create_user("boss", "steady-lantern-42", "admin")
    assert user.check_password("steady-lantern-42")


@pytest.mark.parametrize(("username", "password"), [(u[0], u[1]) for u in DEMO_USERS])
def test_the_demo_passwords_pass_the_rules(production_passwords, username, password):
    check_password(password, User(username=username))


def test_createuser_refuses_a_weak_password(production_passwords):
    result = CliRunner().invoke(cli, ["createuser", "boss", "--role", "admin", "--password", "a"])
    assert result.exit_code == 1
    assert "密码不符合要求" in result.output and "password rejected" in result.output
    assert not User.objects.filter(username="boss").exists()


def test_createuser_accepts_a_good_password(production_passwords):
    args = ["createuser", "boss", "--role", "admin", "--password", "steady-lantern-42"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="boss").check_password("steady-lantern-42")


def test_the_admin_user_form_refuses_a_weak_password(client, users, production_passwords):
    client.force_login(users["admin"])
    form = {"username": "newbie", "password1": "a", "password2": "a", "usable_password": "true"}
    response = client.post(reverse("admin:auth_user_add"), form)
    assert response.status_code == 200  # the form again, with the errors
    assert not User.objects.filter(username="newbie").exists()
    form |= {"password1": "steady-lantern-42", "password2": "steady-lantern-42"}
    assert client.post(reverse("admin:auth_user_add"), form).status_code == 302
    assert User.objects.filter(username="newbie").exists()
