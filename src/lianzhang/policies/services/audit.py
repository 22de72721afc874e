"""The audit log of policy delivery: append one event, many, checkpoint, or verify.

Every writer in ``services`` appends here in the same transaction as its change, so the
log and the data never disagree. The chain itself (numbered, each event hashing the one
before, heads published as checkpoints) is ``lianzhang.audit``, shared with the other apps.
"""

from __future__ import annotations

from typing import Any

from lianzhang.audit import chain
from lianzhang.audit.chain import Report
from lianzhang.audit.models import GENESIS, Checkpoint

from ..models import AuditEvent

__all__ = [
    "GENESIS",
    "audit",
    "audit_many",
    "checkpoint",
    "checkpoint_on_commit",
    "verify_audit",
    "verify_audit_chain",
]


def _actor(user: Any) -> str:
    return getattr(user, "username", "") or "system"


def audit(
    user: Any,
    action: str,
    obj: Any,
    *,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the chain (inside the caller's transaction)."""
    return chain.append(
        AuditEvent,
        actor=_actor(user),
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=str(obj.pk),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def audit_many(user: Any, action: str, items: list[tuple[Any, str, dict[str, Any]]]) -> None:
    """``audit`` for many objects at once (a match run's cases): one lock, one insert.

    A batch seals itself: the chain's head is checkpointed once the transaction commits.
    """
    if not items:
        return
    actor = _actor(user)
    chain.append_many(
        AuditEvent,
        (
            {
                "actor": actor,
                "action": action,
                "object_type": type(obj).__name__.lower(),
                "object_id": str(obj.pk),
                "to_state": to_state,
                "data": data,
            }
            for obj, to_state, data in items
        ),
    )
    checkpoint_on_commit()


def checkpoint() -> Checkpoint | None:
    """Publish the chain's head now (row and file): see ``lianzhang.audit.chain``."""
    return chain.checkpoint(AuditEvent)


def checkpoint_on_commit() -> None:
    """Checkpoint once the current transaction commits (end of a payment or match run)."""
    chain.checkpoint_on_commit(AuditEvent)


def verify_audit() -> Report:
    """Numbers without gaps, hashes, links and the newest checkpoint: the full proof."""
    return chain.verify(AuditEvent)


def verify_audit_chain() -> list[int]:
    """Ids of events whose content or link no longer matches: empty when untouched."""
    return verify_audit().broken
