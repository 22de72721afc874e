from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CapabilityKind, Cooperation, ProviderKind

#: A date input reads ISO only: a localised 2020/02/10 would show empty and a save erase it.
ISO_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _chain_choices() -> tuple[list[Any], list[Any]]:
    """The chains, and their nodes grouped by chain, to choose from (never typed by hand)."""
    from lianzhang.chains.models import Chain, Node

    chains = list(Chain.objects.order_by("order", "code").values_list("code", "name"))
    groups: dict[str, list[tuple[str, str]]] = {}
    for chain, code, name in Node.objects.order_by(
        "chain__order", "chain__code", "order"
    ).values_list("chain__code", "code", "name"):
        groups.setdefault(chain, []).append((code, name))
    names = dict(chains)
    return [("", "—"), *chains], [("", "—"), *((names[c], n) for c, n in groups.items())]


class ChainFields:
    """Chain and node from lists; a node must belong to the chosen chain."""

    fields: dict[str, Any]
    cleaned_data: dict[str, Any]

    def _chain_lists(self) -> None:
        chains, nodes = _chain_choices()
        self.fields["chain_code"].choices = chains
        self.fields["node_code"].choices = nodes

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        chain, node = data.get("chain_code") or "", data.get("node_code") or ""
        if node:
            from lianzhang.chains.models import Node

            if not chain or not Node.objects.filter(chain__code=chain, code=node).exists():
                raise forms.ValidationError(_("Choose a node of the chosen chain."))
        return data


class DemandForm(ChainFields, forms.Form):
    enterprise = forms.ChoiceField(label=_("Enterprise"))
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("Problem statement"), widget=forms.Textarea(attrs={"rows": 4})
    )
    indicators = forms.CharField(
        label=_("Indicators to reach"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    chain_code = forms.ChoiceField(label=_("Chain"), required=False)
    node_code = forms.ChoiceField(label=_("Chain node"), required=False)
    industry_code = forms.CharField(label=_("Industry code (GB/T 4754)"), required=False)
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), required=False, min_value=0, decimal_places=2, max_digits=17
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=ISO_DATE,
    )
    cooperation = forms.ChoiceField(label=_("Cooperation mode"), choices=Cooperation.choices)
    min_trl = forms.IntegerField(
        label=_("Minimum maturity (TRL 1–9)"), required=False, min_value=1, max_value=9
    )

    def __init__(self, *args: Any, enterprises: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = enterprises
        self._chain_lists()


class CapabilityForm(ChainFields, forms.Form):
    """A capability, result (成果) or expert's field; the provider is chosen from those the
    user may post for."""

    provider = forms.ChoiceField(label=_("Provider"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CapabilityKind.choices, initial="result")
    title = forms.CharField(label=_("Title"), max_length=200)
    field = forms.CharField(label=_("Field"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    patents = forms.CharField(label=_("Patents"), required=False)
    trl = forms.IntegerField(
        label=_("Maturity (TRL 1–9)"), required=False, min_value=1, max_value=9
    )
    pilot_platform = forms.CharField(label=_("Pilot-scale platform"), required=False)
    chain_code = forms.ChoiceField(label=_("Chain"), required=False)
    node_code = forms.ChoiceField(label=_("Chain node"), required=False)
    industry_code = forms.CharField(label=_("Industry code (GB/T 4754)"), required=False)
    price = forms.DecimalField(
        label=_("Asking price (yuan)"), required=False, min_value=0, decimal_places=2, max_digits=17
    )

    def __init__(self, *args: Any, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = providers
        self._chain_lists()


class ChallengeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}))
    indicators = forms.CharField(
        label=_("Indicators"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    award = forms.DecimalField(
        label=_("Award (yuan)"), min_value=0, decimal_places=2, max_digits=17
    )
    deadline = forms.DateField(
        label=_("Application deadline"),
        widget=ISO_DATE,
    )
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Eligible bidder kinds"),
        choices=ProviderKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    eligibility = forms.CharField(label=_("Eligibility of bidders"), required=False)
