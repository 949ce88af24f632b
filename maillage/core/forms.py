"""Forms of accounts, the fields every module shares (dates, amounts), and the form renderer that draws every
field of the platform in DSFR markup."""

from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

from maillage.core.amounts import amount_text, parse_amount
from maillage.core.models import CITE_ROLES, Role, User


def add_service_errors(form: forms.Form, error: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Show a service's `ValidationError` on the form: on the field it names (renamed through `fields` when the
    service and the form name it differently) when the form has it, else at the top of the form."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = fields.get(name, name)
        form.add_error(target if target in form.fields else None, messages)


class DateInput(forms.DateInput):
    """The browser's date picker (`<input type="date">`), which reads and writes ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AmountField(forms.CharField):
    """An amount in euros as French users type it (`1 500,50`), cleaned to `Decimal` by `parse_amount`.
    Optional by default, where blank means 0; `required=True` asks for it with `required_message`."""

    def __init__(self, *, required: bool = False, required_message: str = "Indiquez un montant en euros.", **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(required=required, error_messages={"required": required_message}, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return parse_amount(text)
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0]) from error

    def prepare_value(self, value):
        return amount_text(value) if isinstance(value, Decimal) else value


class FormRenderer(TemplatesSetting):
    """Our own field and form templates (templates/components/), so the markup stays ours."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Le code affiché par votre application d'authentification.",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("Le code ne contient que des chiffres.")
        return token


class InviteForm(forms.ModelForm):
    """The administrator's form to invite a person (roles are given below, in the same screen)."""

    is_admin = forms.BooleanField(
        label="Administrateur de la plateforme",
        required=False,
        help_text="Donne tous les droits, y compris l'accès à cet écran d'administration.",
    )

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "job_title"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse e-mail.")
        return email


class MembershipForm(forms.ModelForm):
    """One (cité, role) line in the administrator's user screen."""

    def clean(self):
        cleaned = super().clean()
        role, cite = cleaned.get("role"), cleaned.get("cite")
        if role == Role.NATIONAL and cite:
            self.add_error("cite", "Le rôle national ne se rattache à aucune cité : laissez la cité vide.")
        if role in CITE_ROLES and not cite:
            self.add_error("cite", "Ce rôle s'exerce dans une cité : choisissez-la.")
        return cleaned
