"""Account use cases: users with their role, their passwords, and API tokens.

Every password set here passes Django's validators (``AUTH_PASSWORD_VALIDATORS``), the
same the admin's forms apply, so the CLI and the web hold to one rule. API tokens are
stored as SHA-256 digests, expire (``LIANZHANG_TOKEN_DAYS``) and can be revoked.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone, translation

from lianzhang.core.errors import LianzhangError, NotFound, ValidationError
from lianzhang.enterprises.models import Enterprise

from .models import ApiToken, Profile, Role

#: At most this often the API records when a token was last used (one write, not one a request).
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
#: The longest a token may be issued for.
MAX_TOKEN_DAYS = 3650


class TokenRefused(LianzhangError):
    """A known API token that may no longer be used: expired or revoked (HTTP 401)."""


def check_password(password: str, user: User | None = None) -> None:
    """Django's password validators, as one bilingual ``ValidationError``.

    ``user`` (saved or not) lets the similarity validator compare with the user name.
    """
    problems = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            try:
                validate_password(password, user)
            except DjangoValidationError as exc:
                problems[language] = exc.messages
    if problems:
        raise ValidationError(
            "密码不符合要求：" + "".join(problems["zh-hans"]),
            "password rejected: " + " ".join(problems["en"]),
        )


@transaction.atomic
def create_user(
    username: str, password: str, role: str, *, district: str = "", uscc: str = ""
) -> User:
    """Create a user with its role; refuses an incomplete binding (district / enterprise)
    and a password the validators reject."""
    if role not in Role.values:
        raise ValidationError(f"未知角色 {role!r}", f"unknown role {role!r}")
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"用户名 {username} 已存在", f"user {username} already exists")
    if role == Role.DISTRICT and not district:
        raise ValidationError(
            "区县干部必须指定区县（--district）", "a district officer needs --district"
        )
    enterprise = None
    if role == Role.ENTERPRISE:
        enterprise = Enterprise.objects.filter(pk=uscc.strip().upper()).first()
        if enterprise is None:
            raise ValidationError(
                f"企业用户必须绑定名录中的企业（--uscc），未找到 {uscc!r}",
                "an enterprise user needs --uscc of a registered enterprise",
            )
    check_password(password, User(username=username))
    admin = role == Role.ADMIN
    user = User.objects.create_user(username, password=password, is_staff=admin, is_superuser=admin)
    Profile.objects.create(
        user=user,
        role=role,
        district=district if role == Role.DISTRICT else "",
        enterprise=enterprise,
    )
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str, *, days: int | None = None) -> str:
    """A new API token for ``user``, valid ``days`` (default ``LIANZHANG_TOKEN_DAYS``);
    the plain token is returned once and never stored."""
    days = settings.LIANZHANG_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            f"令牌有效天数须在 1 到 {MAX_TOKEN_DAYS} 之间（--days），不能是 {days}",
            f"a token is valid for 1 to {MAX_TOKEN_DAYS} days (--days), not {days}",
        )
    token = "lz_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name=name,
        digest=_digest(token),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return token


def revoke_tokens(user: User, name: str) -> int:
    """Revoke the user's tokens called ``name`` that are not revoked yet; how many."""
    count = ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not count:
        raise NotFound(
            f"用户 {user.username} 没有名为 {name} 的有效令牌",
            f"user {user.username} has no unrevoked token named {name}",
        )
    return count


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to; None for an unknown token.

    Raises ``TokenRefused`` for a token that exists but has expired or been revoked, so the
    API can say why instead of a bare 401.
    """
    found = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if found is None or not found.user.is_active:
        return None
    now = timezone.now()
    if found.revoked_at is not None:
        raise TokenRefused(
            "API 令牌已被吊销，请用 `lianzhang token` 重新签发",
            "the API token was revoked; issue a new one with `lianzhang token`",
        )
    if found.expires_at <= now:
        when = timezone.localtime(found.expires_at).strftime("%Y-%m-%d %H:%M")
        raise TokenRefused(
            f"API 令牌已于 {when} 过期，请用 `lianzhang token` 重新签发",
            f"the API token expired on {when}; issue a new one with `lianzhang token`",
        )
    if found.last_used_at is None or found.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
