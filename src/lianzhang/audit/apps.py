"""The shared audit-trail app: only the ``Checkpoint`` table is its own."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "lianzhang.audit"
    label = "audit"
    verbose_name = _("Audit trail")
