"""Open data: the grants as CSV in the SCDL "subventions" format (version 2.1.1, a Table Schema kept in
`../shared/schemas/scdl-subventions-2.1.1.json`; the tests validate our output against it with frictionless).

A grant is published once it is granted and its legal act signed. The SCDL requires the funder's SIRET
(`idAttribuant`) and says who received the money (`idBeneficiaire` or `rnaBeneficiaire`): a grant missing
one of them is left out, and reported so that someone completes the data.
"""

import csv
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from maillage.core.templatetags.ui import NARROW_SPACE, NO_BREAK_SPACE, euros
from maillage.funding.models import Grant, GrantStatus, Payment

SCDL_FIELDS = [
    "idSubvention",
    "nomAttribuant",
    "idAttribuant",
    "nomServiceInstructeur",
    "idServiceInstructeur",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "exerciceBudgetaire",
    "pluriannualite",
    "anneesPluriannualite",
    "dateDecision",
    "dateConvention",
    "referenceDecision",
    "dateCreation",
    "dateDebut",
    "dateFin",
    "dispositif",
    "sousDispositif",
    "statutLabel",
    "objet",
    "nature",
    "montantDemande",
    "montant",
    "nomOutilInstruction",
    "nomOutilVersement",
    "ej",
    "cléVersement",
    "conditionsVersement",
    "descriptionConditionsVersement",
    "datesPeriodeVersement",
    "cofinancement",
    "attribuantsCofinanceurs",
    "idCofinancement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "evaluationCout",
    "evaluation",
    "dateMiseAJour",
]
"""The columns of the SCDL subventions schema 2.1.1, in its order."""

DISPOSITIF = "Cités éducatives"
TOOL = "Maillage"
TEXT_LIMIT = 256

NO_FUNDER_SIRET = "l'enveloppe n'a pas d'attribuant avec un SIRET"
NO_BENEFICIARY_ID = "la structure bénéficiaire n'a ni SIRET ni numéro RNA"


@dataclass
class Skipped:
    """A granted, signed grant that cannot be published, and why."""

    grant: Grant
    reason: str


def publishable(grants):
    """The grants the SCDL publishes (granted, legal act signed), with what their rows read: one query for the
    grants and one prefetch each for their payments and for the other grants of their actions."""
    return (
        grants.filter(status=GrantStatus.GRANTED, legal_act__signed_on__isnull=False)
        .select_related(
            "cite",
            "legal_act",
            "envelope__funder",
            "envelope__source",
            "action__organisation",
            "action__selection_decision",
        )
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "pk"), to_attr="payments_in_order"),
            Prefetch(
                "action__grants",
                queryset=Grant.objects.filter(status=GrantStatus.GRANTED).select_related(
                    "envelope__funder", "envelope__source"
                ),
                to_attr="granted_grants",
            ),
        )
        .order_by("cite__anct_id", "envelope__year", "pk")
    )


def skip_reason(grant) -> str | None:
    funder = grant.envelope.funder
    if funder is None or not funder.siret:
        return NO_FUNDER_SIRET
    holder = grant.action.organisation
    if not holder.siret and not holder.rna:
        return NO_BENEFICIARY_ID
    return None


def scdl_rows(grants, skipped: list[Skipped] | None = None):
    """One SCDL row (a dict in the schema's column order) per publishable grant of `grants`. Grants that cannot
    be published are appended to `skipped`, when given."""
    today = timezone.localdate()
    for grant in publishable(grants):
        reason = skip_reason(grant)
        if reason:
            if skipped is not None:
                skipped.append(Skipped(grant, reason))
            continue
        yield scdl_row(grant, today)


def scdl_row(grant, today) -> dict[str, str]:
    action, act, funder = grant.action, grant.legal_act, grant.envelope.funder
    holder = action.organisation
    decision = action.selection_decision
    co_funders = co_funder_names(grant)
    row = {
        "idSubvention": f"maillage-{grant.cite.anct_id}-{grant.pk}",
        "nomAttribuant": funder.name,
        "idAttribuant": funder.siret,
        "nomServiceInstructeur": funder.name,
        "idServiceInstructeur": funder.siret,
        "nomBeneficiaire": holder.name,
        "idBeneficiaire": holder.siret,
        "rnaBeneficiaire": holder.rna,
        "exerciceBudgetaire": grant.envelope.year,
        "pluriannualite": "non",
        "dateDecision": iso(timezone.localdate(decision.closed_at) if decision and decision.closed_at else None),
        "dateConvention": iso(act.signed_on),
        "referenceDecision": act.reference,
        "dateCreation": iso(timezone.localdate(action.submitted_at) if action.submitted_at else None),
        "dateDebut": iso(action.starts_on),
        "dateFin": iso(action.ends_on),
        "dispositif": DISPOSITIF,
        "sousDispositif": grant.envelope.source.label,
        "statutLabel": "attribuée",
        "objet": action.title[:TEXT_LIMIT],
        "nature": "aide en numéraire",
        "montantDemande": amount(grant.requested),
        "montant": amount(grant.granted),
        "nomOutilInstruction": TOOL,
        **payment_terms(grant),
        "cofinancement": "oui" if co_funders else "non",
        "attribuantsCofinanceurs": ", ".join(co_funders),
        "idCofinancement": f"maillage-{grant.cite.anct_id}-action-{action.pk}" if co_funders else "",
        "notificationUE": "non",
        "pourcentageSubvention": "1",
        "dateMiseAJour": iso(today),
    }
    return {name: row.get(name, "") for name in SCDL_FIELDS}


def iso(day) -> str:
    return day.isoformat() if day else ""


def amount(value) -> str:
    """A plain decimal with a dot, as the SCDL wants: `47800.20`."""
    return f"{value:.2f}"


def payment_terms(grant) -> dict[str, str]:
    """How the grant is paid: one payment (or none yet) is `unique`, more are `échelonné`; the period runs from
    the first payment to the last, or is the act's signature date while nothing is paid."""
    payments = grant.payments_in_order
    if payments:
        described = " ; ".join(
            f"{payment.get_kind_display()} de {plain_euros(payment.amount)} le {payment.paid_on:%d/%m/%Y}"
            for payment in payments
        )
        described = described[0].upper() + described[1:]
        first, last = payments[0].paid_on, payments[-1].paid_on
        period = iso(first) if len(payments) == 1 else f"{iso(first)}/{iso(last)}"
    else:
        described = "Versement à venir après la signature de l'acte attributif."
        period = iso(grant.legal_act.signed_on)
    return {
        "conditionsVersement": "échelonné" if len(payments) > 1 else "unique",
        "descriptionConditionsVersement": shorten(described),
        "datesPeriodeVersement": period,
    }


def plain_euros(value) -> str:
    """`4 000,00 €` with plain spaces: open data is read by programs as much as by people."""
    return euros(value).replace(NARROW_SPACE, " ").replace(NO_BREAK_SPACE, " ")


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def co_funder_names(grant) -> list[str]:
    """The funders of the action's other granted grants from another source (its co-funders), in order."""
    names = []
    for other in grant.action.granted_grants:
        if other.pk == grant.pk or other.envelope.source_id == grant.envelope.source_id:
            continue
        name = other.envelope.funder.name if other.envelope.funder else other.envelope.source.label
        if name not in names:
            names.append(name)
    return names


def write_scdl(stream, cite=None, year: int | None = None) -> list[Skipped]:
    """Write the publishable grants (of `cite` and `year`, when given) to `stream` as a UTF-8 CSV, header row in
    the schema's order, comma-separated. Returns the grants left out."""
    grants = Grant.objects.all()
    if cite is not None:
        grants = grants.filter(cite=cite)
    if year is not None:
        grants = grants.filter(envelope__year=year)
    skipped: list[Skipped] = []
    writer = csv.DictWriter(stream, fieldnames=SCDL_FIELDS)
    writer.writeheader()
    writer.writerows(scdl_rows(grants, skipped))
    return skipped


def skipped_warning(skipped: list[Skipped]) -> str | None:
    """What was left out and why, in French, or None when every grant was published."""
    if not skipped:
        return None
    by_reason = defaultdict(list)
    for item in skipped:
        by_reason[item.reason].append(item.grant)
    count = len(skipped)
    parts = []
    for reason, grants in by_reason.items():
        named = ", ".join(
            f"« {grant.action.title} » ({grant.envelope.source.label} {grant.envelope.year})" for grant in grants[:5]
        )
        more = f" et {len(grants) - 5} autre(s)" if len(grants) > 5 else ""
        parts.append(f"{len(grants)} parce que {reason} : {named}{more}")
    plural = "s" if count > 1 else ""
    return (
        f"{count} subvention{plural} attribuée{plural} et signée{plural} non publiée{plural} — "
        + " ; ".join(parts)
        + ". Complétez ces informations puis exportez à nouveau."
    )
