"""Which verdicts rest on a ``manual`` or ``unverified`` clause, and so need a reviewer.

A verdict that a reviewer's reading could change is its own outcome: the verdict stays
(``eligible``, ``ineligible``, ``undetermined``) and ``needs_review`` is true. It is never
granted automatically, and a dashboard does not count it as entitled until reviewed.

:func:`needs_review` reads the criteria columns of one compiled policy and decides, per
enterprise, whether the value of the tree *rests on* a review clause, following the value
each node actually took:

- a leaf rests on review when it is ``manual`` (the engine never decides it) or
  ``unverified`` (its wording was not confirmed), or when an enclosing group or the whole
  policy is ``unverified``;
- ``all`` that holds rests on review when any child does; ``all`` that fails, when every
  failing child does (one computable failure decides it); ``any`` is the mirror image:
  when it holds, every holding child must rest on review; when it fails, any child that
  does makes it;
- an undecided group rests on review when one of its undecided children does (a reviewer
  could settle it);
- ``not`` rests on its child.

So a firm that fails a computable line is plainly ``ineligible``, while one that passes
only through an unverified alternative, or is held up only by a manual clause, needs
review.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import polars as pl

from . import syntax as ast
from .engine import Compiled
from .policy import Criterion, Policy, PolicyError


def _has_review(c: Criterion) -> bool:
    return any(n.manual or n.unverified for n in c.walk())


def _rests(comp: Compiled, c: Criterion) -> pl.Expr:
    """Boolean (never null): the value ``c`` took rests on a review clause."""
    if c.unverified:
        return pl.lit(True)
    if not _has_review(c):
        return pl.lit(False)
    if c.kind == "leaf":
        return pl.lit(c.manual)
    kids = [(pl.col(comp.col("c", k.id)), _rests(comp, k)) for k in c.children]
    if c.kind == "not":
        return kids[0][1]
    held = [v.fill_null(False) for v, _ in kids]
    failed = [(~v).fill_null(False) for v, _ in kids]
    if c.kind == "all":
        if_true = pl.any_horizontal([r for _, r in kids])
        if_false = pl.all_horizontal([~f | r for f, (_, r) in zip(failed, kids, strict=True)])
    else:
        if_true = pl.all_horizontal([~h | r for h, (_, r) in zip(held, kids, strict=True)])
        if_false = pl.any_horizontal([r for _, r in kids])
    if_null = pl.any_horizontal([v.is_null() & r for v, r in kids])
    value = pl.col(comp.col("c", c.id))
    return pl.when(value.is_null()).then(if_null).when(value).then(if_true).otherwise(if_false)


def needs_review(comp: Compiled) -> pl.Expr:
    """Per enterprise: the verdict of ``comp`` rests on a manual or unverified clause."""
    if comp.policy.confidence == "unverified":
        return pl.lit(True)
    return _rests(comp, comp.policy.criteria)


def confirm(policy: Policy, ids: Iterable[str]) -> Policy:
    """``policy`` with the named manual clauses confirmed by a reviewer (they read true).

    What a reviewer's approval means for the formula: a scenario (``confirmed: [project]``)
    checks the award of an application policy as it will be paid once the checks pass.

    >>> from lianzhang.rules.policy import load_library
    >>> p = load_library().policies["local.example.tech-renovation"]
    >>> done = confirm(p, ["project"])
    >>> [c.id for c in done.criteria.walk() if c.manual], done.auto_grant
    ([], False)
    """
    wanted = set(ids)
    manual = {c.id for c in policy.criteria.walk() if c.manual}
    if wanted - manual:
        raise PolicyError(
            f"{policy.id}：confirmed 只能列人工审核条件：{sorted(wanted - manual)}",
            f"{policy.id}: confirmed lists only manual criteria: {sorted(wanted - manual)}",
        )

    def walk(c: Criterion) -> Criterion:
        if c.kind == "leaf":
            if c.id in wanted:
                return dataclasses.replace(
                    c, manual=False, expr=ast.BoolLit(1, 1, True), source="true"
                )
            return c
        return dataclasses.replace(c, children=tuple(walk(k) for k in c.children))

    return dataclasses.replace(policy, criteria=walk(policy.criteria), mode="application")
