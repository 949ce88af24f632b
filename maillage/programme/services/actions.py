"""Use cases of an action sheet: a project holder writes a draft for one of its organisations while the call is
open, completes it and submits it before the call closes; then the action's later life is followed up (start,
finish, not done, postpone, close).

A sheet is passed around as a dict (`SHEET_FIELDS`): plain fields, lists of related objects, and the budget and
funding plan as `{SpendingCategory: amount}` and `{FundingSource: amount}`. Amounts are `Decimal`, never floats.
Every change of status goes through `move_action` (event logged, holder e-mailed).
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import can_proceed

from maillage.core.amounts import parse_amount
from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.core.queries import sum_of
from maillage.core.templatetags.ui import euros
from maillage.partners.models import Organisation
from maillage.programme.models import (
    Action,
    ActionStatus,
    BudgetLine,
    CallForProjects,
    FundingRequest,
    holder_organisations,
)
from maillage.programme.services.transitions import move_action

RELATED_FIELDS = ("objectives", "themes", "age_bands", "times_of_day", "schools", "qpvs")
PLAIN_FIELDS = ("title", "summary", "address", "starts_on", "ends_on", "expected_beneficiaries")
SHEET_FIELDS = (*PLAIN_FIELDS, *RELATED_FIELDS, "budget", "funding")

FOLLOW_TRANSITIONS = {
    "start": "Démarrer l'action",
    "finish": "Déclarer l'action réalisée",
    "abandon": "Déclarer l'action non réalisée",
    "postpone": "Reporter l'action",
}
"""The transitions of an action's later life, in the order the follow-up form offers them. An action is closed
by its holder's report (maillage.evaluation.services.reports.submit_report), never by hand."""

FOLLOW_MESSAGES = {
    "start": "L'action est en cours.",
    "finish": "L'action est réalisée.",
    "abandon": "L'action est déclarée non réalisée.",
    "postpone": "L'action est reportée.",
}


def with_totals(actions: QuerySet) -> QuerySet:
    """Actions with `requested_total` (their funding plan) and `budget_total`, in the same SQL query."""
    return actions.annotate(
        requested_total=sum_of(FundingRequest.objects.filter(action=OuterRef("pk")), "action", "amount"),
        budget_total=sum_of(BudgetLine.objects.filter(action=OuterRef("pk")), "action", "amount"),
    )


def organisations_for(user, cite) -> QuerySet:
    """The organisations the user may write action sheets for in `cite`: those where the user is a contact with
    an account, and which work in the cité. Empty unless the user is a project holder of the cité."""
    if not user.has_perm("programme.write_action", cite):
        return Organisation.objects.none()
    return Organisation.objects.in_cites([cite.pk]).filter(pk__in=holder_organisations(user)).order_by("name")


def sheet_of(action: Action) -> dict:
    """The sheet as it is stored, in the shape the services take (and the form starts from)."""
    sheet = {name: getattr(action, name) for name in PLAIN_FIELDS}
    for name in RELATED_FIELDS:
        sheet[name] = list(getattr(action, name).all())
    sheet["budget"] = {line.category: line.amount for line in action.budget_lines.all()}
    sheet["funding"] = {request.source: request.amount for request in action.funding_requests.all()}
    return sheet


def describe(sheet: dict) -> dict:
    """What the event log keeps of a sheet: texts, names and totals."""
    described = {
        "intitulé": sheet.get("title") or "",
        "lieu": sheet.get("address") or "",
        "début": sheet["starts_on"].isoformat() if sheet.get("starts_on") else None,
        "fin": sheet["ends_on"].isoformat() if sheet.get("ends_on") else None,
        "bénéficiaires attendus": sheet.get("expected_beneficiaries"),
        "budget total": euros(sum(sheet.get("budget", {}).values(), Decimal("0"))),
        "financement demandé": euros(sum(sheet.get("funding", {}).values(), Decimal("0"))),
    }
    labels = {
        "objectives": "objectifs",
        "themes": "thématiques",
        "age_bands": "publics",
        "times_of_day": "temps de l'enfant",
        "schools": "établissements",
        "qpvs": "quartiers",
    }
    for name, label in labels.items():
        described[label] = sorted(str(item) for item in sheet.get(name, []))
    return described


def clean_sheet(cite, sheet: dict, *, current: Action | None = None) -> dict:
    """The sheet with parsed amounts and checked choices; raises every error at once (French, keyed by field).
    A draft may be incomplete, but it needs a title and coherent dates, and its choices come from its cité."""
    errors = {}
    cleaned = {name: sheet.get(name) for name in PLAIN_FIELDS}
    cleaned["title"] = (cleaned["title"] or "").strip()
    cleaned["summary"] = (cleaned["summary"] or "").strip()
    cleaned["address"] = (cleaned["address"] or "").strip()
    if not cleaned["title"]:
        errors["title"] = "Donnez un intitulé à l'action, même pour un brouillon."
    starts_on, ends_on = cleaned["starts_on"], cleaned["ends_on"]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "La fin de l'action précède son début."
    beneficiaries = cleaned["expected_beneficiaries"]
    if beneficiaries is not None and beneficiaries < 0:
        errors["expected_beneficiaries"] = "Le nombre de bénéficiaires ne peut pas être négatif."
    for name in RELATED_FIELDS:
        cleaned[name] = list(sheet.get(name) or [])
    allowed = {
        "objectives": {objective.pk for objective in cite.objectives.filter(is_active=True)}
        | ({objective.pk for objective in current.objectives.all()} if current else set()),
        "schools": set(cite.schools.values_list("pk", flat=True)),
        "qpvs": set(cite.qpvs.values_list("pk", flat=True)),
    }
    outside = {
        "objectives": "Choisissez des objectifs en vigueur de la cité.",
        "schools": "Choisissez des établissements de la cité.",
        "qpvs": "Choisissez des quartiers prioritaires de la cité.",
    }
    for name, pks in allowed.items():
        if any(item.pk not in pks for item in cleaned[name]):
            errors[name] = outside[name]
    for name in ("budget", "funding"):
        amounts = {}
        for key, value in (sheet.get(name) or {}).items():
            try:
                amounts[key] = parse_amount(value)
            except ValidationError as error:
                errors[f"{name}_{key.code}"] = f"{key.label} : {error.messages[0]}"
        cleaned[name] = amounts
    if errors:
        raise ValidationError(errors)
    return cleaned


def write_sheet(action: Action, sheet: dict) -> None:
    """Store a cleaned sheet: fields, related choices, and one budget line / funding request per amount > 0."""
    for name in PLAIN_FIELDS:
        setattr(action, name, sheet[name])
    action.save()
    for name in RELATED_FIELDS:
        getattr(action, name).set(sheet[name])
    action.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(action=action, category=category, amount=amount)
        for category, amount in sheet["budget"].items()
        if amount > 0
    )
    action.funding_requests.all().delete()
    FundingRequest.objects.bulk_create(
        FundingRequest(action=action, source=source, amount=amount)
        for source, amount in sheet["funding"].items()
        if amount > 0
    )


@transaction.atomic
def create_action(*, actor, call: CallForProjects, organisation: Organisation, **sheet) -> Action:
    """A new draft sheet of `organisation` for `call`, written by one of its project holders while the call is
    open. The sheet may be incomplete: the holder completes it before submitting."""
    if not organisations_for(actor, call.cite).filter(pk=organisation.pk).exists():
        raise ValidationError(
            {"organisation": "Vous ne déposez une action que pour une structure que vous représentez dans la cité."}
        )
    if not call.is_open():
        raise ValidationError("Cet appel à projets n'est pas ouvert : il ne reçoit pas de nouvelle action.")
    cleaned = clean_sheet(call.cite, sheet)
    action = Action(
        cite_id=call.cite_id,
        call=call,
        organisation=organisation,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    write_sheet(action, cleaned)
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=action,
        summary=f"Fiche action rédigée (brouillon) pour {organisation.name}, appel « {call.title} »",
        after=describe(cleaned),
    )
    return action


@transaction.atomic
def update_action(*, actor, action: Action, **sheet) -> Action:
    """Save the holder's changes to a draft sheet (complete or not)."""
    if not actor.has_perm("programme.change_action", action):
        raise ValidationError("Seul le porteur de l'action modifie sa fiche, tant qu'elle est un brouillon.")
    cleaned = clean_sheet(action.cite, sheet, current=action)
    before = describe(sheet_of(action))
    write_sheet(action, cleaned)
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=action,
        summary="Fiche action modifiée (brouillon)",
        before=before,
        after=describe(cleaned),
    )
    return action


def allowed_dates(year: int) -> tuple[date, date]:
    """An action of the call of `year` runs, at least partly, in that year, between the start of the school
    year before it and the end of the school year after it."""
    return date(year - 1, 9, 1), date(year + 1, 8, 31)


def missing_for_submission(action: Action) -> dict[str, str]:
    """What the sheet still lacks to be submitted, by field (empty when complete). Uses prefetched rows when
    there are some."""
    missing = {}
    if not action.title.strip():
        missing["title"] = "Donnez un intitulé à l'action."
    if not action.summary.strip():
        missing["summary"] = "Résumez l'action : ce qu'elle propose, à qui, et ce qu'elle cherche à changer."
    if not action.objectives.all():
        missing["objectives"] = "Choisissez au moins un objectif de la cité."
    if not action.age_bands.all():
        missing["age_bands"] = "Choisissez au moins un public."
    year = action.call.year
    first, last = allowed_dates(year)
    if not action.starts_on or not action.ends_on:
        missing["starts_on"] = "Indiquez les dates de début et de fin de l'action."
    elif action.ends_on < action.starts_on:
        missing["ends_on"] = "La fin de l'action précède son début."
    elif (
        not (first <= action.starts_on and action.ends_on <= last)
        or action.starts_on.year > year
        or (action.ends_on.year < year)
    ):
        missing["starts_on"] = (
            f"L'action doit se dérouler, au moins en partie, en {year}, entre le "
            f"{date_format(first, 'j F Y')} et le {date_format(last, 'j F Y')}."
        )
    if not action.expected_beneficiaries:
        missing["expected_beneficiaries"] = "Indiquez le nombre de bénéficiaires attendus (plus de zéro)."
    budget = sum((line.amount for line in action.budget_lines.all()), Decimal("0"))
    funding = sum((request.amount for request in action.funding_requests.all()), Decimal("0"))
    if budget <= 0:
        missing["budget"] = "Remplissez le budget prévisionnel : son total doit être supérieur à zéro."
    elif funding != budget:
        missing["funding"] = (
            f"Le plan de financement ({euros(funding)}) doit être égal au budget prévisionnel ({euros(budget)})."
        )
    return missing


@transaction.atomic
def submit_action(*, actor, action: Action) -> Action:
    """The holder submits a complete draft before the call closes; the holder is e-mailed, the event logged.
    Nothing is written when the sheet is incomplete or the call closed."""
    action = Action.objects.select_for_update().select_related("call", "organisation").get(pk=action.pk)
    if not actor.has_perm("programme.change_action", action):
        raise ValidationError("Seul le porteur de l'action dépose sa fiche, tant qu'elle est un brouillon.")
    if action.status != ActionStatus.DRAFT:
        raise ValidationError(f"Cette action est déjà {action.get_status_display()} : elle ne peut plus être déposée.")
    closes_at = action.call.closes_at
    if timezone.now() >= closes_at:
        raise ValidationError(
            f"L'appel à projets est clos depuis le {date_format(timezone.localtime(closes_at), 'j F Y à H:i')} : "
            "la fiche ne peut plus être déposée."
        )
    missing = missing_for_submission(action)
    if missing:
        raise ValidationError(missing)
    return move_action(actor=actor, action=action, transition="submit")


def follow_transitions(action: Action) -> list[tuple[str, str]]:
    """The follow-up steps the action's status allows now, as (transition, French label)."""
    return [(name, label) for name, label in FOLLOW_TRANSITIONS.items() if can_proceed(getattr(action, name))]


@transaction.atomic
def follow_action(*, actor, action: Action, transition: str, note: str = "") -> Action:
    """One step of the action's later life (start, finish, abandon, postpone), with an optional note. Closing is
    done by submitting the report."""
    if not actor.has_perm("programme.follow_action", action):
        raise ValidationError("Seuls la coordination de la cité et le porteur de l'action en suivent la réalisation.")
    if transition not in FOLLOW_TRANSITIONS:
        raise ValidationError({"transition": "Choisissez une étape du suivi de l'action."})
    action = Action.objects.select_for_update().select_related("organisation", "call", "cite").get(pk=action.pk)
    return move_action(actor=actor, action=action, transition=transition, note=(note or "").strip())
