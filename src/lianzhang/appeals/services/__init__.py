"""Use cases of the appeals module: intake, handling, the sweep, metrics, the ledger."""

from ._common import calendar, deadline, profile_for
from .handling import accept, callback, complete, dispatch, escalate, extend, refuse, route
from .intake import attach, file_appeal, find_duplicate, import_hotline, merge, similarity
from .ledger import write_ledger
from .metrics import Dashboard, dashboard, rows, unit_metrics
from .sweep import SweepReport, sweep

__all__ = [
    "Dashboard",
    "SweepReport",
    "accept",
    "attach",
    "calendar",
    "callback",
    "complete",
    "dashboard",
    "deadline",
    "dispatch",
    "escalate",
    "extend",
    "file_appeal",
    "find_duplicate",
    "import_hotline",
    "merge",
    "profile_for",
    "refuse",
    "route",
    "rows",
    "similarity",
    "sweep",
    "unit_metrics",
    "write_ledger",
]
