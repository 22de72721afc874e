"""招商 targets: outside companies that make a gap node's products (no Django).

Each company's products are matched against the gap nodes with the same matcher as
local enterprises. A company's score for a node is the match confidence weighted by how
much of its revenue the product brings (unknown share counts as a small one), plus a
size bonus; every target comes with its reasons.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .matching import Matcher, NodeTerms

UNKNOWN_SHARE = 0.1


@dataclass
class Target:
    node: str
    code: str
    name: str
    score: float
    region: str = ""
    revenue: Any = None
    reasons: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)


def rank_targets(
    gap_nodes: Sequence[NodeTerms],
    companies: Iterable[dict[str, Any]],
    *,
    top: int = 10,
    threshold: float = 0.6,
    matcher: Matcher | None = None,
) -> dict[str, list[Target]]:
    """Per gap node, the best ``top`` outside companies with reasons.

    ``companies``: dicts with code, name, region, revenue (yuan or None) and products
    [{"name", "share"}]. Products of a company are matched once and shared across nodes.
    """
    matcher = matcher or Matcher(gap_nodes)
    wanted = {n.node for n in gap_nodes}
    names = {n.node: n.name for n in gap_nodes}
    best: dict[str, dict[str, Target]] = {n: {} for n in wanted}
    for company in companies:
        revenue = company.get("revenue")
        size = 0.0
        if revenue:
            size = min(0.2, max(0.0, math.log10(float(revenue) / 1e8) / 15))
        for product in company.get("products", []):
            text = str(product.get("name", ""))
            share = product.get("share")
            weight = share if isinstance(share, int | float) and share > 0 else UNKNOWN_SHARE
            for m in matcher.match(text, threshold=threshold):
                if m.node not in wanted:
                    continue
                score = m.confidence * (0.4 + 0.6 * min(1.0, weight)) + size
                term = m.evidence[0]["term"]
                reason = f"主营「{text}」匹配节点「{names[m.node]}」的「{term}」" + (
                    f"，占营收 {share:.0%}" if isinstance(share, int | float) else ""
                )
                target = best[m.node].get(company["code"])
                if target is None:
                    best[m.node][company["code"]] = Target(
                        m.node,
                        company["code"],
                        company["name"],
                        score,
                        company.get("region", ""),
                        revenue,
                        [reason],
                        [text],
                    )
                else:
                    target.score = max(target.score, score) + 0.02
                    target.reasons.append(reason)
                    target.products.append(text)
    return {
        node: sorted(found.values(), key=lambda t: (-t.score, t.code))[:top]
        for node, found in best.items()
    }
