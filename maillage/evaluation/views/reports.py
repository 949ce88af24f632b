"""Action reports (bilans): the holder writes and submits the report of each action; the cité's team reads them
one by one and follows which are due and late. The evaluator and the national level read only aggregates (the
dashboards), never a report.

An action outside the user's perimeter answers 404; an action the user sees but whose report they may not read
answers 403."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.evaluation.forms.reports import ReportFilterForm, ReportForm, SubmitReportForm
from maillage.evaluation.models import (
    REPORTING_STATUSES,
    ActionReport,
    ReachLine,
    ReportReminder,
    ReportStatus,
    SpendingLine,
)
from maillage.evaluation.services import reports as services
from maillage.programme.models import Action, BudgetLine
from maillage.territories.models import Cite

REPORTS_PER_PAGE = 25
CANNOT_READ = (
    "Les bilans d'action se lisent un par un par le porteur de l'action et l'équipe de la cité ; l'évaluateur et le "
    "niveau national en consultent les chiffres agrégés, dans les tableaux de bord."
)
CANNOT_FOLLOW = "Seules la coordination, la troïka et la gestion des subventions de la cité suivent les bilans."


def get_report(request, pk, *, permission: str, reason: str) -> ActionReport:
    """The report of action `pk` (an unsaved draft when none is written yet) with everything its pages show, in a
    fixed number of queries, if the user has `permission` on it. 404 when the action is outside the perimeter."""
    actions = (
        Action.objects.for_user(request.user)
        .select_related("call", "cite", "organisation")
        .prefetch_related(Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("category")))
    )
    action = get_object_or_404(actions, pk=pk)
    reports = ActionReport.objects.select_related("submitted_by").prefetch_related(
        Prefetch("reach_lines", queryset=ReachLine.objects.select_related("age_band")),
        Prefetch("spending_lines", queryset=SpendingLine.objects.select_related("category")),
    )
    report = services.report_of(action, reports)
    if not request.user.has_perm(permission, report):
        raise PermissionDenied(reason)
    return report


def state_of(report: ActionReport) -> services.ReportState:
    return services.report_state(report.action, timezone.localdate(), report.status if report.pk else None)


def spending_totals(rows: list[services.SpendingRow]) -> dict:
    planned = sum(row.planned for row in rows)
    actual = sum(row.actual for row in rows if row.actual is not None)
    return {"planned": planned, "actual": actual, "difference": actual - planned}


def report_detail(request, pk):
    report = get_report(request, pk, permission="evaluation.view_report", reason=CANNOT_READ)
    action = report.action
    remember_cite(request, action.cite)
    is_written = report.pk is not None
    reach_lines = list(report.reach_lines.all()) if is_written else []
    spending_lines = list(report.spending_lines.all()) if is_written else []
    spending = services.spending_against_budget(list(action.budget_lines.all()), spending_lines)
    can_write = request.user.has_perm("evaluation.write_report", report) and services.owes_report(action)
    return render(
        request,
        "evaluation/report_detail.html",
        {
            "title": f"Bilan — {action.title}",
            "action": action,
            "cite": action.cite,
            "report": report if is_written else None,
            "state": state_of(report),
            "owes_report": services.owes_report(action),
            "reach_lines": reach_lines,
            "reach_totals": {
                "female": sum(line.female for line in reach_lines),
                "male": sum(line.male for line in reach_lines),
                "total": sum(line.total for line in reach_lines),
            },
            "spending": spending,
            "spending_totals": spending_totals(spending),
            "can_write": can_write,
            "missing": services.missing_items(report) if can_write else [],
            "submit_form": SubmitReportForm() if can_write and is_written else None,
        },
    )


def report_update(request, pk):
    report = get_report(request, pk, permission="evaluation.write_report", reason=services.NOT_THE_HOLDER)
    action = report.action
    if not services.owes_report(action):
        messages.error(request, services.not_owing_message(action))
        return redirect("evaluation:report_detail", pk=action.pk)
    form = ReportForm(
        request.POST if request.method == "POST" else None, report=report, budget_lines=action.budget_lines.all()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_report(actor=request.user, action=action, **form.report_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Le brouillon du bilan est enregistré. Déposez-le quand il est complet.")
            return redirect("evaluation:report_detail", pk=action.pk)
    remember_cite(request, action.cite)
    return render(
        request,
        "evaluation/report_form.html",
        {
            "title": f"Rédiger le bilan — {action.title}",
            "action": action,
            "cite": action.cite,
            "form": form,
            "state": state_of(report),
        },
    )


@require_POST
def report_submit(request, pk):
    report = get_report(request, pk, permission="evaluation.write_report", reason=services.NOT_THE_HOLDER)
    action = report.action
    form = SubmitReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["confirm"][0])
        return redirect("evaluation:report_detail", pk=action.pk)
    try:
        services.submit_report(actor=request.user, action=action)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Le bilan est déposé : l'action est clôturée. Merci !")
    return redirect("evaluation:report_detail", pk=action.pk)


def reported_actions(cite: Cite, user, state: str, today):
    """The cité's actions owing a report or having submitted it, filtered by `state` (ReportFilterForm), with their
    report's status, whether it is late and the last reminder sent; late first, the oldest due first."""
    late_until = services.last_late_year(today)
    is_submitted = Q(report__status=ReportStatus.SUBMITTED)
    is_late = Q(status__in=REPORTING_STATUSES, call__year__lte=late_until) & ~is_submitted
    actions = Action.objects.for_user(user).filter(cite=cite).filter(Q(status__in=REPORTING_STATUSES) | is_submitted)
    if state == ReportFilterForm.TO_SUBMIT:
        actions = actions.exclude(is_submitted)
    elif state == ReportFilterForm.LATE:
        actions = actions.filter(is_late)
    elif state == ReportFilterForm.SUBMITTED:
        actions = actions.filter(is_submitted)
    last_reminder = ReportReminder.objects.filter(action=OuterRef("pk")).order_by("-sent_on", "-pk")
    return (
        actions.select_related("call", "organisation")
        .annotate(
            report_status=F("report__status"),
            report_submitted_at=F("report__submitted_at"),
            is_late=Case(When(is_late, then=Value(True)), default=Value(False), output_field=BooleanField()),
            last_reminder_on=Subquery(last_reminder.values("sent_on")[:1]),
            last_reminder_kind=Subquery(last_reminder.values("kind")[:1]),
        )
        .order_by("-is_late", "call__year", "title", "pk")
    )


def report_list(request, anct_id):
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("evaluation.view_late_reports", cite):
        raise PermissionDenied(CANNOT_FOLLOW)
    remember_cite(request, cite)
    today = timezone.localdate()
    form = ReportFilterForm(request.GET or None)
    actions = reported_actions(cite, request.user, form.state(), today)
    page = Paginator(actions, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    for action in page:
        action.state = services.report_state(action, today, action.report_status)
    return render(
        request,
        "evaluation/report_list.html",
        {"title": f"Bilans des actions — {cite.name}", "cite": cite, "form": form, "page_obj": page},
    )
