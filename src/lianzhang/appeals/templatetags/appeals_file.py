"""The appeals panel of the enterprise file (一企一档): ``{% appeals_file enterprise
request.user %}`` renders ``queries.enterprise_section`` (scoped by the viewer through
``Appeal.objects.visible_to``). The registry does not import appeals, so its page asks
through this inclusion tag."""

from __future__ import annotations

from typing import Any

from django import template

from ..queries import enterprise_section

register = template.Library()


@register.inclusion_tag("appeals/_enterprise_section.html")
def appeals_file(enterprise: Any, user: Any) -> dict[str, Any]:
    return {"section": enterprise_section(user, enterprise.uscc)}
