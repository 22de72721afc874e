from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Channel


class AppealForm(forms.Form):
    enterprise = forms.ChoiceField(label=_("Enterprise"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial="web")
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    subject = forms.CharField(label=_("Subject (e.g. 用地, 融资, 人才)"), max_length=40)
    title = forms.CharField(label=_("Appeal title"), max_length=200)
    text = forms.CharField(label=_("Appeal text"), widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(
        label=_("Attachment (PDF, picture, Word or Excel; up to 10 MB)"), required=False
    )

    def __init__(self, *args: Any, enterprises: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = enterprises  # type: ignore[attr-defined]
