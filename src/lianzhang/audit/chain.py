"""Append to a stream, publish its head (checkpoint), and prove the stream complete.

A hash chain alone shows an edit in the middle, but deleting the newest events leaves a
shorter chain that is still valid. So each stream is numbered (``seq`` 1..N, no gaps) and
its head is published now and then as a ``Checkpoint``: a row in the database *and* a JSON
line in ``<AUDIT_CHECKPOINT_DIR>/<stream>.checkpoints`` (default ``DATA_DIR/audit``; copy
that file off the database host to make it evidence). ``verify`` fails when the numbers
have a gap, a hash or a link does not recompute, the newest row and the newest file line
disagree (one of them deleted or truncated), or the chain no longer holds the checkpointed
head. Events appended after the newest checkpoint are protected only by the next one.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import GENESIS, ChainedEvent, Checkpoint

E = TypeVar("E", bound=ChainedEvent)


def stream_of(model: type[ChainedEvent]) -> str:
    """The stream's name: the model's label (``policies.auditevent``)."""
    return model._meta.label_lower


def checkpoint_file(stream: str) -> Path:
    base = getattr(settings, "AUDIT_CHECKPOINT_DIR", None) or Path(settings.DATA_DIR) / "audit"
    return Path(base) / f"{stream}.checkpoints"


def _lock(model: type[ChainedEvent]) -> None:
    """Serialise the appends of one stream so it never forks (SQLite: IMMEDIATE writers)."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(stream_of(model).encode()) & 0x7FFFFFFF
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7514, %s)", [key])


def _head(model: type[ChainedEvent]) -> tuple[int, str]:
    last = model.objects.order_by("-seq").values_list("seq", "hash").first()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def append(model: type[E], **fields: Any) -> E:
    """Append one event (inside the caller's transaction, if any): the next seq, linked."""
    with transaction.atomic(savepoint=False):  # the caller's transaction, else its own
        _lock(model)
        seq, previous = _head(model)
        event = model(**fields, seq=seq + 1, prev_hash=previous)
        event.hash = event.digest()
        event.save()
    return event


def append_many(model: type[E], rows: Iterable[dict[str, Any]]) -> list[E]:
    """``append`` for many events at once: one lock, one insert, the same chain."""
    with transaction.atomic(savepoint=False):  # the caller's transaction, else its own
        _lock(model)
        seq, previous = _head(model)
        events = []
        for fields in rows:
            seq += 1
            event = model(**fields, seq=seq, prev_hash=previous)
            event.hash = previous = event.digest()
            events.append(event)
        model.objects.bulk_create(events, batch_size=1000)
    return events


def _newest(stream: str) -> Checkpoint | None:
    found: Checkpoint | None = Checkpoint.objects.filter(stream=stream).order_by("-id").first()
    return found


def _file_head(stream: str) -> dict[str, Any] | None:
    """The last line of the stream's checkpoint file; ``None`` when missing or empty."""
    path = checkpoint_file(stream)
    if not path.exists():
        return None
    lines = [line for line in path.read_text("utf-8").splitlines() if line.strip()]
    if not lines:
        return None
    try:
        head = json.loads(lines[-1])
        return {"seq": int(head["seq"]), "hash": str(head["hash"]), "at": head.get("at", "")}
    except (ValueError, KeyError, TypeError):
        return {"seq": -1, "hash": "", "at": ""}


class BrokenChain(Exception):
    """The stream no longer holds its newest checkpoint: a new one would hide the damage."""


def streams() -> list[type[ChainedEvent]]:
    """Every installed event model on the chain, one stream each."""
    return [m for m in apps.get_models() if issubclass(m, ChainedEvent)]


def checkpoint(model: type[ChainedEvent]) -> Checkpoint | None:
    """Publish the stream's head: a ``Checkpoint`` row and a line in its file.

    Run it outside other transactions (after the work it seals has committed). The line is
    appended under the stream's lock, just before the row commits, so a concurrent checkpoint
    always finds the two in step. ``None`` for an empty stream; when the head
    is already the newest checkpoint in both places, that one is returned. Raises
    ``BrokenChain`` when the previous checkpoint is gone or no longer in the chain (the
    newest events deleted): sealing that shorter chain would hide the deletion.
    """
    stream = stream_of(model)
    with transaction.atomic():
        _lock(model)
        seq, head = _head(model)
        if seq == 0:
            return None
        newest: Checkpoint | None = _newest(stream)
        on_file = _file_head(stream)
        _still_holds(model, newest, on_file)
        if newest and (newest.seq, newest.hash) == (seq, head):
            return newest
        row = Checkpoint.objects.create(stream=stream, seq=seq, hash=head, at=timezone.now())
        path = checkpoint_file(stream)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"seq": row.seq, "hash": row.hash, "at": row.at.isoformat()})
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())
    return row


def _still_holds(
    model: type[ChainedEvent], newest: Checkpoint | None, on_file: dict[str, Any] | None
) -> None:
    if newest is None and on_file is None:
        return
    if (
        newest is None
        or on_file is None
        or (newest.seq, newest.hash)
        != (
            on_file["seq"],
            on_file["hash"],
        )
    ):
        raise BrokenChain(
            f"{stream_of(model)}：检查点记录与文件不一致，拒绝写新检查点 / checkpoint row and "
            "file disagree: no new checkpoint written"
        )
    if not model.objects.filter(seq=newest.seq, hash=newest.hash).exists():
        raise BrokenChain(
            f"{stream_of(model)}：第 {newest.seq} 号检查点已不在链中，拒绝写新检查点 / "
            f"checkpoint #{newest.seq} is no longer in the chain: no new checkpoint written"
        )


def checkpoint_on_commit(model: type[ChainedEvent]) -> None:
    """Checkpoint once the current transaction commits (now, outside one)."""

    def publish() -> None:
        checkpoint(model)

    transaction.on_commit(publish, robust=True)  # a failure is logged; verify still tells


@dataclass
class Report:
    """What ``verify`` found for one stream; ``ok`` when ``problems`` is empty."""

    stream: str
    events: int = 0
    #: Primary keys of events whose hash or link no longer recomputes.
    broken: list[int] = field(default_factory=list)
    #: Missing sequence numbers, as inclusive ranges.
    gaps: list[tuple[int, int]] = field(default_factory=list)
    checkpoint: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _gap(a: int, b: int) -> str:
    return f"{a}" if a == b else f"{a}–{b}"


def verify(model: type[ChainedEvent]) -> Report:
    """Prove the stream complete and unchanged up to its newest checkpoint."""
    stream = stream_of(model)
    report = Report(stream=stream)
    newest = _newest(stream)
    on_file = _file_head(stream)
    report.checkpoint = newest
    wanted = {newest.seq if newest else 0, on_file["seq"] if on_file else 0}
    hashes: dict[int, str] = {}
    expected, previous = 1, GENESIS
    for event in model.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected:
            report.gaps.append((expected, event.seq - 1))
        if event.prev_hash != previous or event.digest() != event.hash:
            report.broken.append(event.pk)
        if event.seq in wanted:
            hashes[event.seq] = event.hash
        previous, expected = event.hash, event.seq + 1
        report.events += 1
    last = expected - 1
    for a, b in report.gaps:
        report.problems.append(
            f"{stream}：缺少序号 {_gap(a, b)} 的事件（被删除）/ "
            f"events {_gap(a, b)} missing (deleted)"
        )
    if report.broken:
        report.problems.append(
            f"{stream}：事件被改动或断链 {report.broken} / events altered or unlinked: "
            f"{report.broken}"
        )
    _check_heads(report, newest, on_file, last, hashes)
    return report


def _check_heads(
    report: Report,
    newest: Checkpoint | None,
    on_file: dict[str, Any] | None,
    last: int,
    hashes: dict[int, str],
) -> None:
    s, path = report.stream, checkpoint_file(report.stream)
    if newest is None and on_file is None:
        if last:
            report.warnings.append(
                f"{s}：尚无检查点，末尾事件未受保护 / no checkpoint yet: the newest events "
                "are not protected"
            )
        return
    if newest is None:
        report.problems.append(
            f"{s}：检查点记录被删除（文件记到第 {on_file and on_file['seq']} 号）/ checkpoint "
            f"rows deleted (the file records #{on_file and on_file['seq']})"
        )
    elif on_file is None:
        report.problems.append(
            f"{s}：检查点文件缺失或为空：{path} / checkpoint file missing or empty: {path}"
        )
    elif (newest.seq, newest.hash) != (on_file["seq"], on_file["hash"]):
        report.problems.append(
            f"{s}：检查点记录与文件不一致（记录 #{newest.seq}，文件 #{on_file['seq']}）/ "
            f"checkpoint row and file disagree (row #{newest.seq}, file #{on_file['seq']})"
        )
    heads = {(newest.seq, newest.hash)} if newest else set()
    if on_file and on_file["seq"] > 0:
        heads.add((on_file["seq"], on_file["hash"]))
    for seq, head in sorted(heads):
        if seq > last:
            report.problems.append(
                f"{s}：检查点为第 {seq} 号，链只到第 {last} 号：末尾事件被删除 / checkpoint at "
                f"#{seq} but the chain ends at #{last}: the newest events were deleted"
            )
        elif hashes.get(seq) != head:
            report.problems.append(
                f"{s}：第 {seq} 号事件与检查点不符 / event #{seq} differs from its checkpoint"
            )
