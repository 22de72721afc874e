"""The supply side: providers (universities, institutes, enterprises, experts), their
capabilities and results (成果), the 概念验证 and 中试 platforms, and analysts' marks on matches.

Who may post for which provider is ``accounts.access``'s decision (``providers_for``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lianzhang.accounts.access import enterprises_to_post_for, may_act_for
from lianzhang.core.errors import NotFound, PermissionDenied
from lianzhang.enterprises.models import Enterprise

from ..models import (
    Capability,
    CapabilityKind,
    Demand,
    MatchMark,
    Platform,
    PlatformKind,
    Provider,
    ProviderKind,
)
from .common import _choice, _event, _industry, _money, _require_bureau, _text, _trl


@transaction.atomic
def add_provider(name: str, kind: str, *, region: str = "", **extra: Any) -> Provider:
    return Provider.objects.create(
        name=_text(name, "名称", "name"),
        kind=_choice(kind, ProviderKind, "主体类型", "provider kind"),
        region=region,
        **extra,
    )


@transaction.atomic
def add_capability(provider: Provider, **fields: Any) -> Capability:
    return Capability.objects.create(
        provider=provider,
        kind=_choice(fields.get("kind"), CapabilityKind, "类型", "kind", "capability"),
        title=_text(fields.get("title", ""), "名称", "title"),
        field=fields.get("field", "") or "",
        description=fields.get("description", "") or "",
        patents=fields.get("patents", "") or "",
        trl=_trl(fields.get("trl"), "技术成熟度"),
        pilot_platform=fields.get("pilot_platform", "") or "",
        chain_code=fields.get("chain_code", "") or "",
        node_code=fields.get("node_code", "") or "",
        industry_code=_industry(fields.get("industry_code", "") or ""),
        price=_money(fields.get("price"), "报价", "price"),  # type: ignore[misc]
    )


def providers_for(user: Any) -> Any:
    """Providers a user may post capabilities and results for: the bureau all of them,
    an enterprise's users (or its district officer) the enterprise's own provider."""
    return Provider.objects.postable_by(user)


def actable_enterprises(user: Any) -> Any:
    """Enterprises the user may post for (as ``accounts.access.may_act_for`` decides)."""
    return enterprises_to_post_for(user)


@transaction.atomic
def own_provider(user: Any, uscc: str) -> Provider:
    """The provider record of an enterprise (created once), to post its own results."""
    if not may_act_for(user, uscc):
        raise PermissionDenied(
            f"无权代企业 {uscc} 发布成果", f"you may not post results for enterprise {uscc}"
        )
    enterprise = Enterprise.objects.get(pk=uscc)
    provider, _created = Provider.objects.get_or_create(
        enterprise=enterprise,
        kind=ProviderKind.ENTERPRISE,
        defaults={"name": enterprise.name, "region": enterprise.district},
    )
    return provider


@transaction.atomic
def create_provider(user: Any, name: str, kind: str, **extra: Any) -> Provider:
    """A university, institute or expert is registered by the bureau."""
    _require_bureau(user)
    provider = add_provider(name, kind, **extra)
    _event("provider", provider, "create", user, "", provider.kind)
    return provider


@transaction.atomic
def post_capability(user: Any, provider: Provider, **fields: Any) -> Capability:
    """Post a capability, a result (成果) or an expert's field for a provider."""
    if not providers_for(user).filter(pk=provider.pk).exists():
        raise PermissionDenied(
            f"无权为“{provider.name}”发布能力或成果",
            f"you may not post capabilities for '{provider.name}'",
        )
    capability = add_capability(provider, **fields)
    _event("result", capability, "publish", user, "", capability.kind)
    return capability


@transaction.atomic
def create_platform(user: Any, name: str, kind: str, **fields: Any) -> Platform:
    """A 概念验证中心 or 中试基地 is registered by the bureau."""
    _require_bureau(user)
    platform = add_platform(name, kind, **fields)
    _event("platform", platform, "create", user, "", platform.kind)
    return platform


@transaction.atomic
def add_platform(name: str, kind: str, **fields: Any) -> Platform:
    return Platform.objects.create(
        name=_text(name, "名称", "name"),
        kind=_choice(kind, PlatformKind, "平台类型", "platform kind"),
        region=fields.get("region", "") or "",
        services=fields.get("services", "") or "",
        chain_code=fields.get("chain_code", "") or "",
        industry_code=_industry(fields.get("industry_code", "") or ""),
    )


@transaction.atomic
def mark_match(user: Any, demand: Demand, target: str, good: bool, note: str = "") -> MatchMark:
    """An analyst marks a match good or bad; the mark changes later rankings."""
    _require_bureau(user)
    kind, _, pk = target.partition(":")
    exists = pk.isdigit() and (
        (kind == "capability" and Capability.objects.filter(pk=int(pk)).exists())
        or (kind == "platform" and Platform.objects.filter(pk=int(pk)).exists())
    )
    if not exists:
        raise NotFound(f"没有匹配对象 {target}", f"no match target {target}")
    mark, _created = MatchMark.objects.update_or_create(
        demand=demand, target=target, by=user, defaults={"good": good, "note": note}
    )
    _event("mark", demand, "mark", user, "", "good" if good else "bad", f"{target} {note}")
    return mark
