"""Use cases of the innovation app: the only writers. Each runs in one transaction, checks
permissions through ``accounts.access``, and leaves an audit ``Event`` for every change of
state (who, when, from, to, why). Errors are ``LianzhangError``s in Chinese and English
and write nothing.

Split by topic; this package re-exports the public names so callers write
``services.post_demand(...)``. The submodules import one another directly, never this file:

- ``common``: the audit event, the bureau check and the parsing of input fields.
- ``demands``: technical demands (技术需求清单), who sees them, their status.
- ``supply``: providers, capabilities and results, platforms, analysts' match marks.
- ``challenges``: 揭榜挂帅, from draft through bids, review and award to acceptance,
  with milestones and their payments.
- ``pipeline``: 成果转化 stages and the pipeline board.
"""

from lianzhang.accounts.access import is_bureau

from .challenges import (
    CHALLENGE_TRANSITIONS,
    S,
    accept,
    add_milestone,
    apply,
    award,
    cancel_challenge,
    close_applications,
    create_challenge,
    paid_total,
    pay_milestone,
    publish_challenge,
    ranking_of,
    reach_milestone,
    review,
)
from .demands import post_demand, set_demand_status, visible_demands, visible_usccs
from .pipeline import (
    ORDER,
    STAGES,
    TERMINAL,
    Board,
    Counts,
    advance,
    board,
    conversion_rates,
    current_stage,
)
from .supply import (
    actable_enterprises,
    add_capability,
    add_platform,
    add_provider,
    create_platform,
    create_provider,
    mark_match,
    own_provider,
    post_capability,
    providers_for,
)

__all__ = [
    "CHALLENGE_TRANSITIONS",
    "ORDER",
    "STAGES",
    "TERMINAL",
    "Board",
    "Counts",
    "S",
    "accept",
    "actable_enterprises",
    "add_capability",
    "add_milestone",
    "add_platform",
    "add_provider",
    "advance",
    "apply",
    "award",
    "board",
    "cancel_challenge",
    "close_applications",
    "conversion_rates",
    "create_challenge",
    "create_platform",
    "create_provider",
    "current_stage",
    "is_bureau",
    "mark_match",
    "own_provider",
    "paid_total",
    "pay_milestone",
    "post_capability",
    "post_demand",
    "providers_for",
    "publish_challenge",
    "ranking_of",
    "reach_milestone",
    "review",
    "set_demand_status",
    "visible_demands",
    "visible_usccs",
]
