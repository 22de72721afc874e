"""Linking enterprises to chain nodes: automatic proposals and an analyst's decisions.

``link_enterprises`` proposes candidate links from the matcher; decided (confirmed or
rejected) links are never touched by it, only by ``decide_link``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lianzhang.core.errors import ValidationError
from lianzhang.enterprises.models import Enterprise

from .. import templates
from ..matching import Matcher, NodeTerms, normalise
from ..models import Chain, EnterpriseLink, Kind, LinkStatus, Node


def matcher_for(chains: Iterable[Chain]) -> tuple[Matcher, dict[str, Node]]:
    """A matcher over the chains' non-segment nodes (keys ``chain/node``)."""
    nodes: dict[str, Node] = {}
    terms = []
    for chain in chains:
        for node in chain.nodes.exclude(kind=Kind.SEGMENT):
            key = f"{chain.code}/{node.code}"
            nodes[key] = node
            words = [w for w in (normalise(x) for x in [node.name, *node.keywords]) if len(w) >= 2]
            products = [
                p.product
                for p in templates.sei_products_under(node.sei_codes)
                if any(w in normalise(p.product) for w in words)
            ]
            terms.append(
                NodeTerms(
                    key, node.name, tuple(node.keywords), tuple(products), tuple(node.gbt_codes)
                )
            )
    return Matcher(terms), nodes


@dataclass
class LinkReport:
    enterprises: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept_decided: int = 0
    confirmed: int = 0

    def __str__(self) -> str:
        return (
            f"企业 {self.enterprises}，新增候选 {self.created}，更新 {self.updated}，"
            f"移除过时候选 {self.removed}，保留人工决定 {self.kept_decided}，"
            f"自动确认 {self.confirmed} / enterprises {self.enterprises}, created "
            f"{self.created}, updated {self.updated}, removed {self.removed}, decided kept "
            f"{self.kept_decided}, confirmed {self.confirmed}"
        )


def link_enterprises(
    chains: Iterable[Chain] | None = None,
    enterprises: QuerySet[Enterprise] | None = None,
    *,
    threshold: float = 0.3,
    confirm_above: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> LinkReport:
    """Propose enterprise → node links; decided (confirmed/rejected) links are never touched.

    Candidates the new run no longer proposes are removed. ``confirm_above`` confirms
    new or candidate links at or above that confidence (bulk acceptance by an analyst).
    """
    chain_list = list(chains if chains is not None else Chain.objects.all())
    matcher, nodes = matcher_for(chain_list)
    node_ids = [n.pk for n in nodes.values()]
    qs = enterprises if enterprises is not None else Enterprise.objects.all()
    report = LinkReport()
    existing: dict[tuple[str, int], EnterpriseLink] = {
        (lk.enterprise_id, lk.node_id): lk
        for lk in EnterpriseLink.objects.filter(node_id__in=node_ids, enterprise__in=qs)
    }
    proposed: dict[tuple[str, int], tuple[float, list[dict[str, Any]]]] = {}
    for ent in qs.only("uscc", "main_product", "industry_code").iterator(chunk_size=2000):
        report.enterprises += 1
        for m in matcher.match_enterprise(ent.main_product, ent.industry_code, threshold):
            proposed[(ent.uscc, nodes[m.node].pk)] = (round(m.confidence, 4), m.evidence)
        if progress and report.enterprises % 1000 == 0:
            progress(1000)
    now = timezone.now()
    new, changed = [], []
    for key, (conf, evidence) in proposed.items():
        link = existing.get(key)
        confirm = confirm_above is not None and conf >= confirm_above
        if link is None:
            link = EnterpriseLink(
                enterprise_id=key[0],
                node_id=key[1],
                confidence=conf,
                evidence=evidence,
                method="auto",
                status=LinkStatus.CONFIRMED if confirm else LinkStatus.CANDIDATE,
                decided_at=now if confirm else None,
            )
            new.append(link)
            report.confirmed += int(confirm)
        elif link.status != LinkStatus.CANDIDATE:
            report.kept_decided += 1
        elif confirm or link.confidence != conf or link.evidence != evidence:
            link.confidence, link.evidence = conf, evidence
            if confirm:
                link.status, link.decided_at = LinkStatus.CONFIRMED, now
                report.confirmed += 1
            changed.append(link)
    stale = [
        lk.pk
        for key, lk in existing.items()
        if key not in proposed and lk.status == LinkStatus.CANDIDATE
    ]
    report.kept_decided += sum(
        1
        for key, lk in existing.items()
        if key not in proposed and lk.status != LinkStatus.CANDIDATE
    )
    with transaction.atomic():
        EnterpriseLink.objects.bulk_create(new, batch_size=2000)
        EnterpriseLink.objects.bulk_update(
            changed, ["confidence", "evidence", "status", "decided_at"], batch_size=2000
        )
        for i in range(0, len(stale), 5000):
            EnterpriseLink.objects.filter(pk__in=stale[i : i + 5000]).delete()
    report.created, report.updated, report.removed = len(new), len(changed), len(stale)
    return report


def decide_link(
    link: EnterpriseLink, status: str, user: Any = None, note: str = ""
) -> EnterpriseLink:
    if status not in LinkStatus.values:
        raise ValidationError(
            f"状态 {status!r} 无效", f"status {status!r} is not one of {LinkStatus.values}"
        )
    link.status = status
    link.decided_by = user if getattr(user, "is_authenticated", False) else None
    link.decided_at = timezone.now() if status != LinkStatus.CANDIDATE else None
    link.note = note or link.note
    link.save()
    return link


def add_manual_link(enterprise: Enterprise, node: Node, user: Any = None) -> EnterpriseLink:
    link, _ = EnterpriseLink.objects.get_or_create(
        enterprise=enterprise,
        node=node,
        defaults={
            "confidence": 1.0,
            "method": "manual",
            "evidence": [{"kind": "manual", "term": node.name}],
        },
    )
    return decide_link(link, LinkStatus.CONFIRMED, user)
