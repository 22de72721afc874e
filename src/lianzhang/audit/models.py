"""The chained event every audit trail inherits, and the published chain heads.

``ChainedEvent`` is abstract: each concrete event model is one *stream* (its table), numbered
by ``seq`` from 1 without gaps. Its ``digest`` covers ``prev_hash`` and the fields the model
names in ``chain_fields``, so an edit, a deleted event or a fork shows in ``chain.verify``.
A ``Checkpoint`` records the head (seq, hash) of a stream at a moment, so that deleting the
newest events (which leaves a valid but shorter chain) is caught too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: ``prev_hash`` of the first event of every stream.
GENESIS = "0" * 64


def digest_of(prev_hash: str, values: Sequence[Any]) -> str:
    """SHA-256 over the previous hash and the content values (stable JSON)."""
    body = json.dumps([prev_hash, *values], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def plain(value: Any) -> Any:
    """A value as it reads back from the database: datetimes in UTC, ISO 8601."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(dt.UTC).isoformat()
    return value


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk updates and deletes are refused too, not only ``save`` and ``delete``."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events cannot be deleted")


class ChainedEvent(models.Model):
    """Append-only, numbered and hash-chained: write with ``chain.append`` only."""

    seq = models.PositiveBigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    #: The content fields the hash covers, in order (attnames: ``by_id`` for a foreign key).
    chain_fields: ClassVar[tuple[str, ...]] = ()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audit events cannot be deleted")

    def digest(self) -> str:
        return digest_of(self.prev_hash, [plain(getattr(self, f)) for f in self.chain_fields])


class Checkpoint(models.Model):
    """A published chain head: stream ``stream`` had ``seq`` events, the last hashing ``hash``.

    Also appended to ``DATA_DIR/audit/<stream>.checkpoints``; the two must agree.
    """

    stream = models.CharField(_("stream"), max_length=80)
    seq = models.PositiveBigIntegerField(_("sequence number"))
    hash = models.CharField(_("hash"), max_length=64)
    at = models.DateTimeField(_("time"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["stream", "id"], name="audit_checkpoint_stream")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("checkpoints cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("checkpoints cannot be deleted")

    def __str__(self) -> str:
        return f"{self.stream} #{self.seq} {self.hash[:12]}"
