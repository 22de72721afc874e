"""The audit trail every module shares: hash-chained, numbered events and published heads.

One implementation for every app that keeps an audit trail (policy delivery, innovation,
appeals). An app's event model inherits ``models.ChainedEvent``; its services append with
``chain.append`` and ``chain.verify`` proves the trail complete: numbers 1..N without a gap,
each hash recomputes, each links to the one before, and the newest ``Checkpoint`` (kept both
in the database and in a file outside it) is still in the chain. Imports no other app.
"""
