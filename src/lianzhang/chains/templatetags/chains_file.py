"""The chains panel of the enterprise file (一企一档): the enterprise's nodes and links on
the city's chains, and the nodes up and down each chain from its own.

The registry does not import chains, so its page asks through this inclusion tag:
``{% chains_file enterprise request.user %}``. Bureau and district staff (those who may
analyse chains, ``accounts.access``) see every link with its status and confidence and reach
the node's page; an enterprise user sees its confirmed placements only. No other firm's
name is shown here: the node pages carry those, in the viewer's scope.
"""

from __future__ import annotations

from typing import Any

from django import template

from lianzhang.accounts import access

from ..models import EnterpriseLink, LinkStatus
from ..queries import position

register = template.Library()


@register.inclusion_tag("chains/_file.html")
def chains_file(enterprise: Any, user: Any) -> dict[str, Any]:
    uscc = enterprise.uscc
    visible = access.enterprises_for(user, "view").filter(pk=uscc).exists()
    analyst = access.may_analyse_chains(user)
    links = EnterpriseLink.objects.filter(enterprise_id=uscc).select_related("node__chain")
    if not analyst:
        links = links.filter(status=LinkStatus.CONFIRMED)
    rows = list(links.order_by("node__chain__order", "node__chain__code", "node__order"))
    places = position(uscc) if visible else []
    return {
        "enterprise": enterprise,
        "links": rows if visible else [],
        "positions": places,
        "analyst": analyst,
    }
