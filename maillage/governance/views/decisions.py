"""Decision pages: proposing a decision at a meeting, a decision and the pillars' answers, a cité's register
and its XLSX export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.core.exports import xlsx_download
from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.governance.exports import decision_workbook
from maillage.governance.forms.decisions import AnswerForm, DecisionFilterForm, DecisionForm
from maillage.governance.models import Approval, Decision, DecisionStatus, Meeting, Verdict
from maillage.governance.services import decisions as services
from maillage.territories.models import Cite

DECISIONS_PER_PAGE = 20
HISTORY_LENGTH = 20
NOT_IN_PERIMETER = "Cette décision n'est pas dans le périmètre de vos cités."


def with_answers(decisions):
    """Decisions with what a register row shows, in a fixed number of queries."""
    return decisions.select_related("meeting__body", "organisation").prefetch_related(
        Prefetch("approvals", queryset=Approval.objects.select_related("user"))
    )


def decision_create(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("cite", "body"), pk=pk)
    if not request.user.has_perm("governance.propose_decision", meeting):
        raise PermissionDenied("Seuls la coordination et la troïka de la cité proposent des décisions.")
    form = DecisionForm(request.POST if request.method == "POST" else None, cite=meeting.cite)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.propose_decision(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La décision est enregistrée ; elle attend l'avis des trois piliers.")
            return redirect(decision)
    return render(
        request,
        "governance/decision_form.html",
        {"title": f"Proposer une décision — {meeting.title}", "meeting": meeting, "form": form},
    )


def decision_detail(request, pk):
    decision = get_decision(request, pk)
    return render_decision(request, decision, answer_form(request, decision))


@require_POST
def decision_answer(request, pk):
    decision = get_decision(request, pk)
    pillars = services.pillars_of(request.user, decision.cite_id)
    if not pillars or not request.user.has_perm("governance.approve_decision", decision):
        raise PermissionDenied("Seuls les membres de la troïka de la cité donnent leur avis sur une décision.")
    form = AnswerForm(request.POST, pillars=pillars)
    if form.is_valid():
        try:
            answered = services.answer_decision(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["verdict"] == Verdict.REJECTED:
                messages.success(request, "La décision est rejetée ; le motif figure dans son historique.")
            elif answered.status == DecisionStatus.VALIDATED:
                messages.success(request, "Votre approbation est enregistrée : la décision est validée par la troïka.")
            else:
                messages.success(request, "Votre approbation est enregistrée.")
            return redirect(answered)
    decision = get_decision(request, pk)  # read again: another pillar may have answered meanwhile
    return render_decision(request, decision, form)


def get_decision(request, pk) -> Decision:
    decision = get_object_or_404(
        Decision.objects.select_related("cite", "meeting__body", "organisation", "proposed_by").prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.select_related("user"))
        ),
        pk=pk,
    )
    if not request.user.has_perm("governance.view_decisions", decision):
        raise PermissionDenied(NOT_IN_PERIMETER)
    return decision


def answer_form(request, decision) -> AnswerForm | None:
    """The answer form, for a troïka member whose pillar has not answered yet on a pending decision."""
    pillars = services.pillars_to_answer(request.user, decision)
    return AnswerForm(pillars=pillars) if pillars else None


def render_decision(request, decision, form):
    remember_cite(request, decision.cite)
    events = Event.objects.for_user(request.user).for_object(decision).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "governance/decision_detail.html",
        {
            "title": decision.title,
            "decision": decision,
            "form": form,
            "events": events,
            "can_view_meeting": request.user.has_perm("governance.view_meetings", decision.meeting),
            "can_view_organisation": decision.organisation is not None
            and request.user.has_perm("partners.view_organisation", decision.organisation),
        },
    )


def cite_register(request, anct_id) -> tuple[Cite, DecisionFilterForm, object]:
    """The cité, the filter form and the filtered decisions the user may see, for the register and its export."""
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("governance.view_decisions", cite):
        raise PermissionDenied("Cette cité n'est pas dans votre périmètre.")
    form = DecisionFilterForm(request.GET or None, cite=cite)
    decisions = form.filter(Decision.objects.for_user(request.user).filter(cite=cite))
    return cite, form, with_answers(decisions).order_by("-meeting__starts_at", "-pk")


def decision_register(request, anct_id):
    cite, form, decisions = cite_register(request, anct_id)
    remember_cite(request, cite)
    page = Paginator(decisions, DECISIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/decision_register.html",
        {
            "title": f"Registre des décisions — {cite.name}",
            "cite": cite,
            "form": form,
            "page_obj": page,
            "export_query": export_query(request),
        },
    )


def export_query(request) -> str:
    """The register's filters, without the page number, for the export link."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def decision_export(request, anct_id):
    cite, _, decisions = cite_register(request, anct_id)
    return xlsx_download(decision_workbook(decisions), "decisions", cite)
