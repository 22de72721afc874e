"""Forms of the registry's pages and its API (the same validation for both)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lianzhang.core import cells, contract, gbt4754
from lianzhang.core.errors import ValidationError

from .models import Enterprise

#: Base fields an authorised user may change; the USCC is the key and never changes.
BASE_FIELDS = [
    "name",
    "district",
    "park",
    "industry_code",
    "registered_on",
    "main_product",
    "is_sei_product",
    "major_incident_recent",
    "credit_blacklisted",
    "tech_in_supported_fields",
]


def _english() -> bool:
    return (get_language() or "").startswith("en")


class EnterpriseForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Enterprise
        fields = BASE_FIELDS
        widgets = {
            # a date input reads ISO only: the localised 2020/02/10 would show empty in the
            # Chinese UI and a save would erase the date
            "registered_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "main_product": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            spec = contract.field("enterprises", name)
            field.label = spec.en if _english() else spec.zh

    def clean_district(self) -> str:
        """A district of the city's list (as imports check); a record kept unchanged passes, so
        an old value outside the list never blocks editing the other fields."""
        name: str = self.cleaned_data["district"].strip()
        if name == (self.instance.district if self.instance.pk else None):
            return name
        try:
            cells.check_district(name, cells.districts())
        except ValidationError as e:
            raise forms.ValidationError(e.en if _english() else e.zh) from None
        return name

    def clean_industry_code(self) -> str:
        code: str = self.cleaned_data["industry_code"].strip()
        if not code:
            return code
        try:
            return gbt4754.validate_class(code)
        except ValidationError as e:
            raise forms.ValidationError(e.en if _english() else e.zh) from None


TABLE_CHOICES = [
    ("enterprises", _("Enterprises")),
    ("annual", _("Annual indicators")),
    ("honours", _("Titles")),
    ("awards", _("Awards")),
]


#: What the import page accepts: the contract's tables and the credit register's lists.
IMPORT_CHOICES = [*TABLE_CHOICES, ("credit", _("Credit lists (严重失信, 经营异常, incidents)"))]


class ImportForm(forms.Form):
    table = forms.ChoiceField(label=_("Table"), choices=IMPORT_CHOICES)
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    partial = forms.BooleanField(
        label=_("Write the good rows only (report the bad ones)"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
