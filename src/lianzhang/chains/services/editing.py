"""Editing chains: load templates, save a chain spec, and change its nodes by hand.

These are the only writers of ``Chain`` and ``Node``. Saving a spec keeps nodes (and their
links) matched by code, so an analyst's decisions survive a template refresh.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from lianzhang.core import gbt4754
from lianzhang.core.errors import NotFound, ValidationError

from .. import templates
from ..models import Chain, Kind, LinkStatus, Node

# -- chains and templates -------------------------------------------------------------


def get_chain(code: str) -> Chain:
    chain = Chain.objects.filter(code=code).first()
    if chain is None:
        known = ", ".join(Chain.objects.values_list("code", flat=True)) or "（无 / none）"
        raise NotFound(
            f"没有产业链 {code!r}（已有：{known}；先运行 lianzhang chains load-templates）",
            f"no chain {code!r} (known: {known}; run `lianzhang chains load-templates` first)",
        )
    return chain


@transaction.atomic
def save_spec(spec: templates.ChainSpec, *, source: str = "file", order: int = 0) -> Chain:
    """Create or update a chain from a spec; nodes matched by code keep their links.

    Nodes missing from the spec are deleted with their candidate links; a node that
    holds confirmed or rejected links is kept, so an analyst's decisions survive.
    """
    chain, _ = Chain.objects.update_or_create(
        code=spec.code,
        defaults={
            "name": spec.name,
            "name_en": spec.name_en,
            "group": spec.group,
            "description": spec.description,
            "source": source,
            "order": order,
        },
    )
    existing = {n.code: n for n in chain.nodes.all()}
    kept: set[str] = set()
    for i, segment in enumerate(templates.SEGMENTS):
        seg_code = f"{spec.code}-{segment}"
        seg = _upsert_node(
            chain,
            existing,
            seg_code,
            None,
            templates.SEGMENT_NAMES[segment],
            segment,
            Kind.SEGMENT,
            i,
            [],
            [],
            [],
        )
        kept.add(seg_code)
        _place(chain, existing, kept, [n for n in spec.nodes if n.segment == segment], seg, [0])
    for code, node in existing.items():
        if code not in kept and not node.links.exclude(status=LinkStatus.CANDIDATE).exists():
            node.delete()
    return chain


def _place(
    chain: Chain,
    existing: dict[str, Node],
    kept: set[str],
    specs: list[templates.NodeSpec],
    parent: Node,
    counter: list[int],
) -> None:
    for spec in specs:
        counter[0] += 1
        node = _upsert_node(
            chain,
            existing,
            spec.code,
            parent,
            spec.name,
            spec.segment,
            spec.kind,
            counter[0],
            spec.gbt,
            spec.sei,
            spec.keywords,
        )
        kept.add(spec.code)
        _place(chain, existing, kept, spec.children, node, counter)


def _upsert_node(
    chain: Chain,
    existing: dict[str, Node],
    code: str,
    parent: Node | None,
    name: str,
    segment: str,
    kind: str,
    order: int,
    gbt: list[str],
    sei: list[str],
    keywords: list[str],
) -> Node:
    node = existing.get(code) or Node(chain=chain, code=code)
    node.parent, node.name, node.segment, node.kind, node.order = parent, name, segment, kind, order
    node.gbt_codes, node.sei_codes, node.keywords = list(gbt), list(sei), list(keywords)
    node.save()
    existing[code] = node
    return node


def load_templates(codes: Iterable[str] | None = None, *, refresh: bool = True) -> list[Chain]:
    """Load the shipped chain templates. ``refresh=False`` leaves chains already in the
    database as they are (an analyst may have edited them) and adds the missing ones."""
    wanted = set(codes) if codes else None
    have = {c.code: c for c in Chain.objects.all()}
    out = []
    for i, spec in enumerate(templates.shipped()):
        if wanted is not None and spec.code not in wanted:
            continue
        if spec.code in have and not refresh:
            out.append(have[spec.code])
        else:
            out.append(save_spec(spec, source="template", order=i))
    return out


# -- editing ---------------------------------------------------------------------------


def add_node(chain: Chain, parent: Node, code: str, name: str, kind: str = Kind.PRODUCT) -> Node:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", code) or not name:
        raise ValidationError(
            "节点需要名称和代码（小写字母、数字和 -）",
            "a node needs a name and a code (lower-case letters, digits and -)",
        )
    if kind not in templates.KINDS or kind == Kind.SEGMENT:
        raise ValidationError(f"节点类型 {kind!r} 无效", f"node kind {kind!r} is not valid")
    if parent.chain_id != chain.pk:
        raise ValidationError("上级节点不属于该产业链", "the parent node is in another chain")
    if chain.nodes.filter(code=code).exists():
        raise ValidationError(f"节点代码 {code} 已存在", f"node code {code} already exists")
    order = (chain.nodes.filter(parent=parent).count() + 1) * 10
    return Node.objects.create(
        chain=chain,
        parent=parent,
        code=code,
        name=name,
        segment=parent.segment,
        kind=kind,
        order=order,
    )


def _words(text: str | list[str]) -> list[str]:
    parts = text if isinstance(text, list) else re.split(r"[,，、;；\s]+", text)
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def update_node(node: Node, *, name: str, keywords: str | list[str], gbt: str | list[str]) -> Node:
    """Rename a node and set its matching keywords and GB/T 4754 classes (checked)."""
    if not name.strip():
        raise ValidationError("节点名称不能为空", "a node needs a name")
    codes = [gbt4754.validate_class(code) for code in _words(gbt)]
    node.name, node.keywords, node.gbt_codes = name.strip(), _words(keywords), codes
    node.save()
    return node


@transaction.atomic
def move_node(node: Node, new_parent: Node) -> Node:
    if new_parent.chain_id != node.chain_id:
        raise ValidationError("不能移到其他产业链", "a node cannot move to another chain")
    ancestor: Node | None = new_parent
    while ancestor is not None:
        if ancestor.pk == node.pk:
            raise ValidationError("不能移到自己的下级", "a node cannot move under itself")
        ancestor = ancestor.parent
    node.parent = new_parent
    node.save()
    _set_segment(node, new_parent.segment)
    return node


def _set_segment(node: Node, segment: str) -> None:
    Node.objects.filter(pk=node.pk).update(segment=segment)
    for child in node.children.all():
        _set_segment(child, segment)


@transaction.atomic
def merge_nodes(keep: Node, gone: Node) -> Node:
    """Fold ``gone`` into ``keep``: codes, keywords, children and links move over.

    A link already on ``keep`` for the same enterprise wins if it was decided.
    """
    if keep.chain_id != gone.chain_id or keep.pk == gone.pk:
        raise ValidationError("只能合并同一产业链的两个节点", "merge two nodes of one chain")
    for attr in ("gbt_codes", "sei_codes", "keywords"):
        setattr(keep, attr, list(dict.fromkeys([*getattr(keep, attr), *getattr(gone, attr)])))
    keep.keywords = list(dict.fromkeys([*keep.keywords, gone.name]))
    keep.save()
    gone.children.update(parent=keep)
    have = {lk.enterprise_id: lk for lk in keep.links.all()}
    for link in gone.links.all():
        mine = have.get(link.enterprise_id)
        if mine is None:
            link.node = keep
            link.save()
        elif mine.status == LinkStatus.CANDIDATE and link.status != LinkStatus.CANDIDATE:
            mine.status, mine.decided_by, mine.decided_at = (
                link.status,
                link.decided_by,
                link.decided_at,
            )
            mine.save()
    gone.delete()
    return keep


def today() -> dt.date:
    return timezone.localdate()
