"""For the data migrations that put an existing event table on the chain.

``number`` gives the rows ``seq`` 1..N in id order and, when ``chain_fields`` is given,
computes ``prev_hash`` and ``hash`` (a table that had no chain: its history is sealed as it
stands at the migration). A table that already had a chain keeps its hashes.
"""

from __future__ import annotations

from typing import Any

from .models import GENESIS, digest_of, plain

BATCH = 1000


def number(
    apps: Any, app_label: str, model_name: str, chain_fields: tuple[str, ...] | None = None
) -> None:
    model = apps.get_model(app_label, model_name)
    previous, batch = GENESIS, []
    update = ["seq"] + (["prev_hash", "hash"] if chain_fields is not None else [])
    for seq, event in enumerate(model._default_manager.order_by("id").iterator(), start=1):
        event.seq = seq
        if chain_fields is not None:
            event.prev_hash = previous
            event.hash = previous = digest_of(
                previous, [plain(getattr(event, f)) for f in chain_fields]
            )
        batch.append(event)
        if len(batch) >= BATCH:
            model._default_manager.bulk_update(batch, update)
            batch = []
    if batch:
        model._default_manager.bulk_update(batch, update)
