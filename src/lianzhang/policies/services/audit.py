"""The hash-chained audit log of policy delivery: append one event, many, or verify.

Every writer in ``services`` appends here in the same transaction as its change, so the
log and the data never disagree; the chain (each event hashes the one before) shows any
later edit in the database.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from ..models import AuditEvent

GENESIS = "0" * 64


def _actor(user: Any) -> str:
    return getattr(user, "username", "") or "system"


def _lock_chain() -> None:
    if connection.vendor == "postgresql":  # serialise appends so the chain never forks
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7514)")


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
    """Append an event to the hash chain (inside the caller's transaction)."""
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event = AuditEvent(
        actor=_actor(user),
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=str(obj.pk),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
        prev_hash=last or GENESIS,
    )
    event.hash = event.digest()
    event.save()
    return event


def audit_many(user: Any, action: str, items: list[tuple[Any, str, dict[str, Any]]]) -> None:
    """``audit`` for many objects at once: one lock, one insert, the same hash chain."""
    if not items:
        return
    _lock_chain()
    previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    previous = previous or GENESIS
    events = []
    for obj, to_state, data in items:
        event = AuditEvent(
            actor=_actor(user),
            action=action,
            object_type=type(obj).__name__.lower(),
            object_id=str(obj.pk),
            to_state=to_state,
            data=data,
            prev_hash=previous,
        )
        event.hash = previous = event.digest()
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def verify_audit_chain() -> list[int]:
    """Ids of events whose content or link no longer matches: empty when untouched."""
    broken, previous = [], GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous or event.digest() != event.hash:
            broken.append(event.pk)
        previous = event.hash
    return broken
