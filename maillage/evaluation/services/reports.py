"""The holder's end-of-action report (bilan, CERFA 15059 content): writing the draft, submitting it, and where
it stands against its due date.

A draft may stay incomplete. Submitting checks every item, then closes the action (a running action is marked
done on the way) through `move_action`, the only way an action's status changes. Every change locks the action's
row first, so a save and a submission of the same report never cross.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from maillage.core.amounts import parse_amount
from maillage.core.events import record_event
from maillage.core.models import AgeBand, SpendingCategory, Verb
from maillage.evaluation.models import (
    REPORT_READY_STATUSES,
    REPORTING_STATUSES,
    ActionReport,
    ReachLine,
    ReportStatus,
    SpendingLine,
    report_due_on,
)
from maillage.programme.models import Action, ActionStatus
from maillage.programme.services.transitions import move_action

MAX_COUNT = 1_000_000
MAX_HOURS = Decimal("9999999.9")
ONE_DECIMAL = Decimal("0.1")

NOT_THE_HOLDER = "Seul le porteur de l'action rédige et dépose son bilan, tant qu'il n'est pas déposé."
ALREADY_SUBMITTED = "Ce bilan est déposé : il ne peut plus être modifié."
NOT_STARTED = (
    "L'action n'a pas démarré : avant de déposer son bilan, démarrez-la, ou déclarez-la non réalisée, depuis la page "
    "de l'action (suivi de la réalisation)."
)
COUNT_RULE = "un nombre entier, positif ou nul (un million au plus)"
BAD_COUNT = f"Saisissez {COUNT_RULE}."


def owes_report(action: Action) -> bool:
    return action.status in REPORTING_STATUSES


def not_owing_message(action: Action) -> str:
    return f"Cette action est « {action.get_status_display()} » : elle n'attend pas de bilan."


def report_of(action: Action, reports: QuerySet | None = None) -> ActionReport:
    """The action's report, or a new unsaved draft when none is written yet: the report permissions
    (`evaluation.view_report`, `evaluation.write_report`) are asked of it either way."""
    reports = ActionReport.objects.all() if reports is None else reports
    report = reports.filter(action=action).first() or ActionReport(action=action, cite_id=action.cite_id)
    report.action = action
    return report


def awaiting_report(actions: QuerySet) -> QuerySet:
    """The actions that owe a report and have not submitted it."""
    submitted = ActionReport.objects.filter(action=OuterRef("pk"), status=ReportStatus.SUBMITTED)
    return actions.filter(status__in=REPORTING_STATUSES).exclude(Exists(submitted))


def last_late_year(today: date) -> int:
    """The latest call year whose reports are late on `today` (their due date has passed): every earlier year's
    are late too. Lets a list or the reminders find the late actions in SQL (`call__year__lte`)."""
    year = today.year
    while report_due_on(year) >= today:
        year -= 1
    return year


@dataclass(frozen=True)
class ReportState:
    """Where an action's report stands on `today`. `status` is the report's (None when none is written)."""

    due_on: date
    status: str | None
    today: date

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED

    @property
    def is_late(self) -> bool:
        return not self.is_submitted and self.today > self.due_on

    @property
    def days_late(self) -> int:
        return (self.today - self.due_on).days if self.is_late else 0

    @property
    def label(self) -> str:
        """The report's status in words: absent, brouillon, déposé."""
        if self.status is None:
            return "Non rédigé"
        return "Déposé" if self.is_submitted else "Brouillon"


def report_state(action: Action, today: date, status: str | None) -> ReportState:
    """`action` with its call; `status` is its report's status, or None when it has no report."""
    return ReportState(due_on=report_due_on(action.call.year), status=status, today=today)


# Reading a report ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendingRow:
    """One spending category of a report set against the action's budget line (0 when it planned nothing)."""

    category: SpendingCategory
    planned: Decimal
    actual: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.planned


def spending_against_budget(budget_lines, spending_lines) -> list[SpendingRow]:
    """The categories of the budget or of the actual spending, in the vocabulary's order (lines with `category`)."""
    planned = {line.category_id: line for line in budget_lines}
    actual = {line.category_id: line for line in spending_lines}
    categories = {line.category_id: line.category for line in [*budget_lines, *spending_lines]}
    rows = [
        SpendingRow(
            category=category,
            planned=planned[pk].amount if pk in planned else Decimal("0"),
            actual=actual[pk].amount if pk in actual else None,
        )
        for pk, category in categories.items()
    ]
    return sorted(rows, key=lambda row: (row.category.position, row.category.label))


def missing_items(report: ActionReport) -> list[str]:
    """What the report still lacks to be submitted, each item in French. Reads the report's lines and its action's
    budget lines (with their category): prefetch them to ask no query."""
    reach = sum(line.total for line in report.reach_lines.all()) if report.pk else 0
    spent = {line.category_id for line in report.spending_lines.all()} if report.pk else set()
    missing = []
    if not reach:
        missing.append("Indiquez les personnes touchées par tranche d'âge et par sexe (au moins une).")
    if report.qpv_residents is None:
        missing.append("Indiquez combien de bénéficiaires résident dans un quartier prioritaire (0 si aucun).")
    if report.sessions is None:
        missing.append("Indiquez le nombre de séances.")
    if report.hours is None:
        missing.append("Indiquez le nombre d'heures.")
    unspent = [line.category.label for line in report.action.budget_lines.all() if line.category_id not in spent]
    if unspent:
        missing.append(f"Indiquez la dépense réelle (0 si rien n'a été dépensé) pour : {', '.join(unspent)}.")
    if not report.achievements.strip():
        missing.append("Décrivez ce qui a fonctionné.")
    if not report.difficulties.strip():
        missing.append("Décrivez ce qui n'a pas fonctionné, les difficultés rencontrées.")
    return missing


# Writing a report ----------------------------------------------------------------------------------------------


def is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def clean_reach(reach: dict) -> tuple[list[tuple[AgeBand, int, int]], dict[str, str]]:
    """`reach` = {age_band_id: (female, male)} → [(band, female, male)] for the bands with someone reached."""
    bands = AgeBand.objects.in_bulk(list(reach))
    lines, errors = [], {}
    for band_id, counts in reach.items():
        if band_id not in bands:
            errors["reach"] = "Choisissez une tranche d'âge ou un public de la liste."
            continue
        female, male = counts
        if not (is_count(female) and is_count(male)):
            errors["reach"] = f"{bands[band_id].label} : saisissez {COUNT_RULE}."
        elif female or male:
            lines.append((bands[band_id], female, male))
    return lines, errors


def clean_spending(spending: dict) -> tuple[list[tuple[SpendingCategory, Decimal]], dict[str, str]]:
    """`spending` = {category_id: Decimal, or None when not given} → [(category, amount)] for those given."""
    categories = SpendingCategory.objects.in_bulk(list(spending))
    lines, errors = [], {}
    for category_id, amount in spending.items():
        if category_id not in categories:
            errors["spending"] = "Choisissez une catégorie de dépense de la liste."
        elif amount is not None:
            try:
                lines.append((categories[category_id], parse_amount(amount)))
            except ValidationError as error:
                errors["spending"] = f"{categories[category_id].label} : {error.messages[0]}"
    return lines, errors


def clean_hours(hours) -> str | None:
    """The French error about `hours` (None, or a Decimal ≥ 0 with one decimal at most), or None when it is right."""
    if hours is None:
        return None
    if isinstance(hours, bool) or not isinstance(hours, int | Decimal) or not Decimal(hours).is_finite():
        return "Saisissez un nombre d'heures, par exemple 12,5."
    hours = Decimal(hours)
    if hours < 0:
        return "Le nombre d'heures ne peut pas être négatif."
    if hours > MAX_HOURS:
        return "Ce nombre d'heures est trop élevé."
    if hours != hours.quantize(ONE_DECIMAL):
        return "Indiquez les heures avec une décimale au plus, par exemple 12,5."
    return None


def locked_action(action: Action) -> Action:
    return (
        Action.objects.select_for_update(of=("self",))
        .select_related("call", "cite", "organisation", "created_by")
        .get(pk=action.pk)
    )


def check_writable(actor, action: Action, report: ActionReport) -> None:
    if report.status == ReportStatus.SUBMITTED:
        raise ValidationError(ALREADY_SUBMITTED)
    if not actor.has_perm("evaluation.write_report", report):
        raise ValidationError(NOT_THE_HOLDER)
    if not owes_report(action):
        raise ValidationError(not_owing_message(action))


def figures_of(report: ActionReport) -> dict:
    """The report's figures for the event log's before/after."""
    if report.pk is None:
        return {}
    return {
        "bénéficiaires": report.reach_lines.aggregate(total=Sum("female") + Sum("male"))["total"] or 0,
        "résidents QPV": report.qpv_residents,
        "séances": report.sessions,
        "heures": str(report.hours) if report.hours is not None else None,
        "dépenses": str(report.spending_lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")),
    }


@transaction.atomic
def save_report(
    *,
    actor,
    action: Action,
    reach: dict,
    qpv_residents: int | None,
    sessions: int | None,
    hours: Decimal | None,
    spending: dict,
    achievements: str,
    difficulties: str,
    outlook: str,
) -> ActionReport:
    """Create or update the draft report of `action` (its lines replaced). A draft may be incomplete; what is given
    must be right: whole counts, QPV residents within the people reached, hours with one decimal, spending ≥ 0."""
    action = locked_action(action)
    report = report_of(action)
    check_writable(actor, action, report)
    reach_lines, errors = clean_reach(reach)
    spending_lines, spending_errors = clean_spending(spending)
    errors.update(spending_errors)
    reached = sum(female + male for _, female, male in reach_lines)
    if qpv_residents is not None and not is_count(qpv_residents):
        errors["qpv_residents"] = BAD_COUNT
    elif qpv_residents is not None and qpv_residents > reached:
        errors["qpv_residents"] = (
            f"Les résidents d'un QPV ({qpv_residents}) ne peuvent pas dépasser le nombre de personnes touchées "
            f"({reached})."
        )
    if sessions is not None and not is_count(sessions):
        errors["sessions"] = BAD_COUNT
    if hours_error := clean_hours(hours):
        errors["hours"] = hours_error
    if errors:
        raise ValidationError(errors)

    is_new = report.pk is None
    before = figures_of(report)
    report.qpv_residents = qpv_residents
    report.sessions = sessions
    report.hours = None if hours is None else Decimal(hours)
    report.achievements = (achievements or "").strip()
    report.difficulties = (difficulties or "").strip()
    report.outlook = (outlook or "").strip()
    if is_new:
        report.cite = action.cite
        report.created_by = actor
    report.save()
    report.reach_lines.all().delete()
    ReachLine.objects.bulk_create(
        ReachLine(report=report, age_band=band, female=female, male=male) for band, female, male in reach_lines
    )
    report.spending_lines.all().delete()
    SpendingLine.objects.bulk_create(
        SpendingLine(report=report, category=category, amount=amount) for category, amount in spending_lines
    )
    record_event(
        actor=actor,
        verb=Verb.CREATED if is_new else Verb.UPDATED,
        obj=report,
        cite=action.cite,
        summary="Bilan rédigé (brouillon)" if is_new else "Bilan modifié (brouillon)",
        before=before,
        after=figures_of(report),
    )
    return report


@transaction.atomic
def submit_report(*, actor, action: Action) -> ActionReport:
    """The holder submits a complete report: the action is closed (a running one is first marked done), the
    report is locked. Nothing is written when an item is missing or the action has not started."""
    action = locked_action(action)
    report = report_of(action)
    check_writable(actor, action, report)
    if action.status == ActionStatus.AGREED:
        raise ValidationError(NOT_STARTED)
    if action.status not in REPORT_READY_STATUSES:
        raise ValidationError(not_owing_message(action))
    if missing := missing_items(report):
        raise ValidationError(missing)
    if action.status == ActionStatus.RUNNING:
        move_action(actor=actor, action=action, transition="finish", note="bilan déposé")
    move_action(actor=actor, action=action, transition="close", note="bilan déposé")
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    record_event(
        actor=actor,
        verb=Verb.REPORT_SUBMITTED,
        obj=report,
        cite=action.cite,
        summary=f"Bilan déposé ; l'action est {action.get_status_display()}",
        before={"statut": ReportStatus.DRAFT.label},
        after={"statut": ReportStatus.SUBMITTED.label},
    )
    return report
