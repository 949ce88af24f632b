"""Forms of the grants: deciding a grant (with its hidden version), refusing a request, recording a payment,
signing a legal act. Amounts are typed the French way (`12 500,50`) or with a dot."""

from django import forms
from django.utils import timezone

from maillage.core.forms import AmountField, DateInput
from maillage.core.templatetags.ui import euros
from maillage.funding.models import Envelope, PaymentKind

DATE_ERRORS = {"required": "Indiquez la date.", "invalid": "Écrivez une date valide, par exemple 15/03/2024."}


class EnvelopeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, envelope):
        return f"{envelope.source} {envelope.year} — reste {euros(envelope.remaining)} sur {euros(envelope.amount)}"


class GrantForm(forms.Form):
    """Deciding a grant. On a creation the officer chooses the envelope among those they keep; on a change the
    form carries the grant's version, so a change made meanwhile by someone else is detected."""

    envelope = EnvelopeChoiceField(
        label="Enveloppe",
        queryset=Envelope.objects.none(),
        empty_label=None,
        help_text="La source et l'exercice de la subvention ; vous voyez ce qui reste dans chaque enveloppe.",
        error_messages={"required": "Choisissez l'enveloppe.", "invalid_choice": "Choisissez une enveloppe proposée."},
    )
    requested = AmountField(
        required=True,
        label="Montant demandé (€)",
        help_text="Repris du plan de financement de la fiche action.",
        required_message="Indiquez le montant demandé, en euros.",
    )
    granted = AmountField(
        required=True, label="Montant attribué (€)", required_message="Indiquez le montant attribué, en euros."
    )
    override_reason = forms.CharField(
        label="Motif du dépassement de l'enveloppe",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire seulement si le montant attribué dépasse ce qui reste dans l'enveloppe ; "
        "il est conservé dans l'historique.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, envelopes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if envelopes is None:
            del self.fields["envelope"]
        else:
            self.fields["envelope"].queryset = envelopes


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Il figure dans l'historique de la subvention.",
        error_messages={"required": "Indiquez le motif du refus : il est obligatoire."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Nature du versement",
        choices=[(value, label.capitalize()) for value, label in PaymentKind.choices],
        widget=forms.RadioSelect,
        help_text="Le solde est le dernier versement : plus rien n'est versé après lui.",
        error_messages={
            "required": "Choisissez la nature du versement.",
            "invalid_choice": "Choisissez avance, acompte ou solde.",
        },
    )
    amount = AmountField(
        required=True, label="Montant versé (€)", required_message="Indiquez le montant versé, en euros."
    )
    paid_on = forms.DateField(
        label="Date du versement", widget=DateInput, error_messages=DATE_ERRORS, initial=timezone.localdate
    )
    reference = forms.CharField(
        label="Référence comptable",
        required=False,
        max_length=60,
        help_text="Le numéro du mandat ou de l'engagement, par exemple.",
    )


class SignForm(forms.Form):
    signed_on = forms.DateField(
        label="Date de signature", widget=DateInput, error_messages=DATE_ERRORS, initial=timezone.localdate
    )
