from __future__ import annotations

from typing import Any

from django import forms

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
