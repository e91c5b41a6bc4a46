"""The forms of the two-factor pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=8,
        help_text=_("The code your authenticator app shows now for Kohtaamo."),
        error_messages={"invalid": _("Enter the six digits of the code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].replace(" ", "").strip()
