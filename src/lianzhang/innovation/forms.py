from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CapabilityKind, Cooperation, ProviderKind

#: A date input reads ISO only: a localised 2020/02/10 would show empty and a save erase it.
ISO_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class DemandForm(forms.Form):
    enterprise = forms.ChoiceField(label=_("Enterprise"))
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("Problem statement"), widget=forms.Textarea(attrs={"rows": 4})
    )
    indicators = forms.CharField(
        label=_("Indicators to reach"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    chain_code = forms.CharField(label=_("Chain"), required=False, max_length=40)
    node_code = forms.CharField(label=_("Chain node"), required=False, max_length=80)
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
        self.fields["enterprise"].choices = enterprises  # type: ignore[attr-defined]


class CapabilityForm(forms.Form):
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
    chain_code = forms.CharField(label=_("Chain"), required=False, max_length=40)
    node_code = forms.CharField(label=_("Chain node"), required=False, max_length=80)
    industry_code = forms.CharField(label=_("Industry code (GB/T 4754)"), required=False)
    price = forms.DecimalField(
        label=_("Asking price (yuan)"), required=False, min_value=0, decimal_places=2, max_digits=17
    )

    def __init__(self, *args: Any, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = providers  # type: ignore[attr-defined]


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
