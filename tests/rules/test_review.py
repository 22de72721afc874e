"""A verdict resting on a manual or unverified clause needs review and is never auto-granted.

Concrete cases (both sides) are scenarios: ``needs_review`` in the 2022 小巨人 (unverified
链/品) and 2026 专精特新 (manual market position) files; here a property over random
registries and the whole library.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given

from lianzhang.rules import evaluate

from .test_properties import AS_OF, LIB, PROPERTY, registry, tables


@PROPERTY
@given(registry())
def test_review_is_never_auto_granted(data: dict[str, list[dict[str, Any]]]) -> None:
    res = evaluate(LIB, tables(data), AS_OF).results()
    assert res.filter(pl.col("auto_grant") & pl.col("needs_review")).height == 0
    assert res.filter(pl.col("auto_grant") & (pl.col("verdict") != "eligible")).height == 0
    assert res["needs_review"].null_count() == 0
    plain = {
        p.id
        for p in LIB.policies.values()
        if p.confidence != "unverified"
        and not any(c.manual or c.unverified for c in p.criteria.walk())
    }
    assert res.filter(pl.col("policy").is_in(sorted(plain)) & pl.col("needs_review")).height == 0
