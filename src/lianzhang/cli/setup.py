"""Django start-up for the CLI: every subcommand group calls ``setup_django`` before it
touches a model (lazily, so ``lianzhang --help`` starts without Django)."""

from __future__ import annotations

import os


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianzhang.settings")
    import django

    django.setup()
