"""Account use cases."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from lianzhang.core.errors import ValidationError
from lianzhang.enterprises.models import Enterprise

from .models import Profile, Role


@transaction.atomic
def create_user(
    username: str, password: str, role: str, *, district: str = "", uscc: str = ""
) -> User:
    """Create a user with its role; refuses an incomplete binding (district / enterprise)."""
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
    admin = role == Role.ADMIN
    user = User.objects.create_user(username, password=password, is_staff=admin, is_superuser=admin)
    Profile.objects.create(
        user=user,
        role=role,
        district=district if role == Role.DISTRICT else "",
        enterprise=enterprise,
    )
    return user


def issue_token(user: User, name: str) -> str:
    """A new API token for ``user``; the plain token is returned once and never stored."""
    import hashlib
    import secrets

    from .models import ApiToken

    token = "lz_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=hashlib.sha256(token.encode()).hexdigest())
    return token


def user_for_token(token: str) -> User | None:
    import hashlib

    from django.utils import timezone

    from .models import ApiToken

    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=hashlib.sha256(token.encode()).hexdigest(), user__is_active=True)
        .first()
    )
    if found is None:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
    return found.user
