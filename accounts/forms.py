from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from accounts.models import User, time_zone_names
from ladder.forms import QuickSelect


class ProfileForm(forms.ModelForm[User]):
    time_zone = forms.TypedChoiceField(
        choices=[(name, name.replace("_", " ")) for name in time_zone_names()],
        help_text=User._meta.get_field("time_zone").help_text,
        widget=QuickSelect,  # about 600 zones
    )

    class Meta:
        model = User
        fields = ["name", "time_zone"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="We ask again so nobody else at your keyboard can do this.",
    )
    confirm = forms.BooleanField(
        label="I understand that my account and everything in it will be deleted for good.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            # Signed in by an emailed code and never set a password: allauth's
            # reauthentication (a fresh code) stands in for the password.
            del self.fields["password"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up, with the same work on both paths. For an address that already
    has an account allauth creates nothing, so it skipped the deliberately slow password
    hash and answered about 400 ms sooner, telling an attacker which addresses have
    accounts; now that path hashes the typed password too (and throws it away)."""

    def try_save(self, request: HttpRequest) -> Any:
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or None)
        return super().try_save(request)
