"""Grant pages: deciding a grant on a selected action, a grant and its payments, changing it (with the
concurrent-edit check), refusing a request, recording a payment."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.core.templatetags.ui import euros
from maillage.funding.forms.grants import GrantForm, PaymentForm, RefuseForm
from maillage.funding.models import Envelope, Grant, GrantStatus, PaymentKind
from maillage.funding.services import grants as services
from maillage.funding.services.envelopes import with_totals
from maillage.funding.services.payments import record_payment
from maillage.programme.models import FUNDED_STATUSES, Action, FundingRequest

HISTORY_LENGTH = 20
NOT_KEEPER = (
    "Seul le gestionnaire de cette enveloppe (la préfecture, ou le collège pour le fonds de la cité) "
    "décide des subventions."
)


def grant_create(request, pk):
    action = get_object_or_404(Action.objects.select_related("cite", "call", "organisation"), pk=pk)
    candidates = list(
        with_totals(Envelope.objects.filter(cite=action.cite, year=action.call.year)).select_related("source", "cite")
    )
    kept = [
        envelope.pk
        for envelope in candidates
        if request.user.has_perm("funding.manage_grant", Grant(cite=action.cite, action=action, envelope=envelope))
    ]
    if not kept and not (not candidates and request.user.has_perm("funding.manage_envelopes", action.cite)):
        raise PermissionDenied(NOT_KEEPER)
    remember_cite(request, action.cite)
    existing = {grant.envelope_id: grant for grant in action.grants.all()}
    # A grant decided meanwhile by someone else is reported by the service (its version changed) on posting.
    offered = kept if request.method == "POST" else [pk for pk in kept if pk not in existing]
    envelopes = Envelope.objects.filter(pk__in=offered)
    envelopes = with_totals(envelopes).select_related("source").order_by("source__position")
    chosen = next((e for e in candidates if str(e.pk) == request.GET.get("enveloppe") and e.pk in kept), None)
    requests = {row.source_id: row.amount for row in FundingRequest.objects.filter(action=action)}
    initial = {"version": services.NO_GRANT_YET}
    if chosen is not None:
        initial.update(envelope=chosen, requested=requests.get(chosen.source_id, Decimal("0")))
    form = GrantForm(request.POST if request.method == "POST" else None, envelopes=envelopes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.decide_grant(
                actor=request.user,
                action=action,
                envelope=data["envelope"],
                granted=data["granted"],
                requested=data["requested"],
                override_reason=data["override_reason"],
                version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, granted_message(grant))
            return redirect(grant)
    return render(
        request,
        "funding/grant_form.html",
        {
            "title": f"Attribuer une subvention — {action.title}",
            "action": action,
            "cite": action.cite,
            "form": form,
            "is_fundable": action.status in FUNDED_STATUSES,
            "has_envelopes": bool(kept),
            "funding_requests": FundingRequest.objects.filter(action=action).select_related("source"),
            "existing": list(existing.values()),
        },
    )


def granted_message(grant: Grant) -> str:
    act = grant.legal_act
    message = f"{euros(grant.granted)} sont attribués par {grant.envelope.source}."
    if act is not None:
        message += f" L'acte attributif ({act.get_kind_display()} {act.reference}) est prêt à être signé."
    return message


def get_grant(request, pk) -> Grant:
    grant = get_object_or_404(
        Grant.objects.select_related(
            "cite",
            "action__call",
            "action__organisation",
            "envelope__source",
            "envelope__funder",
            "legal_act",
            "decided_by",
        ),
        pk=pk,
    )
    if not request.user.has_perm("funding.view_grant", grant):
        raise PermissionDenied("Cette subvention n'est pas dans votre périmètre.")
    return grant


def check_keeper(request, grant) -> None:
    if not request.user.has_perm("funding.manage_grant", grant):
        raise PermissionDenied(NOT_KEEPER)


def grant_detail(request, pk):
    grant = get_grant(request, pk)
    return render_grant(request, grant)


def is_editable(grant) -> bool:
    return grant.status != GrantStatus.REFUSED and not (grant.legal_act_id and grant.legal_act.is_signed)


def update_form(grant, data=None) -> GrantForm:
    return GrantForm(
        data,
        initial={
            "requested": grant.requested,
            "granted": grant.granted if grant.status == GrantStatus.GRANTED else grant.requested,
            "override_reason": grant.override_reason,
            "version": grant.version,
        },
    )


def render_grant(request, grant, *, form=None, refuse_form=None, payment_form=None, conflict=None):
    remember_cite(request, grant.cite)
    payments = list(grant.payments.select_related("recorded_by"))
    paid = sum((payment.amount for payment in payments), Decimal("0"))
    can_manage = request.user.has_perm("funding.manage_grant", grant)
    has_balance = any(payment.kind == PaymentKind.BALANCE for payment in payments)
    is_payable = (
        grant.status == GrantStatus.GRANTED and grant.legal_act_id and grant.legal_act.is_signed and not has_balance
    )
    # A form posted with errors is shown again as it was; else each form shows to whoever may use it now.
    if form is None and can_manage and is_editable(grant):
        form = update_form(grant)
    if refuse_form is None and can_manage and grant.status == GrantStatus.REQUESTED:
        refuse_form = RefuseForm(initial={"version": grant.version})
    if payment_form is None and can_manage and is_payable:
        payment_form = PaymentForm()
    events = Event.objects.for_user(request.user).for_object(grant).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "funding/grant_detail.html",
        {
            "title": f"Subvention {grant.envelope.source} {grant.envelope.year} — {grant.action.title}",
            "grant": grant,
            "cite": grant.cite,
            "payments": payments,
            "paid": paid,
            "to_pay": grant.granted - paid,
            "form": form,
            "refuse_form": refuse_form,
            "payment_form": payment_form,
            "conflict": conflict,
            "has_balance": has_balance,
            "events": events,
            "can_manage": can_manage,
            "can_view_act": grant.legal_act_id is not None
            and request.user.has_perm("funding.view_legal_act", grant.legal_act),
            "can_view_action": request.user.has_perm("programme.view_action", grant.action),
        },
    )


def grant_update(request, pk):
    grant = get_grant(request, pk)
    check_keeper(request, grant)
    if request.method != "POST":
        return render_grant(request, grant)
    form = update_form(grant, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.decide_grant(
                actor=request.user,
                action=grant.action,
                envelope=grant.envelope,
                granted=data["granted"],
                requested=data["requested"],
                override_reason=data["override_reason"],
                version=data["version"],
            )
        except ValidationError as error:
            if is_conflict(error):
                return render_conflict(request, pk, error)
            add_service_errors(form, error)
        else:
            messages.success(request, granted_message(grant))
            return redirect(grant)
    return render_grant(request, get_grant(request, pk), form=form)


def is_conflict(error: ValidationError) -> bool:
    return not hasattr(error, "error_dict") and any(e.code == services.CONFLICT for e in error.error_list)


def render_conflict(request, pk, error):
    """The grant changed since the form was loaded: show its current values and the officer's own input, now
    carrying the current version, so that saving again confirms it (nothing typed is lost)."""
    current = get_grant(request, pk)
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = update_form(current, data)
    form.is_valid()
    add_service_errors(form, error)
    return render_grant(request, current, form=form, conflict=current)


@require_POST
def grant_refuse(request, pk):
    grant = get_grant(request, pk)
    check_keeper(request, grant)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.refuse_grant(
                actor=request.user,
                action=grant.action,
                envelope=grant.envelope,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La demande est refusée ; le motif figure dans l'historique de la subvention.")
            return redirect(grant)
    return render_grant(request, get_grant(request, pk), refuse_form=form)


def payment_create(request, pk):
    grant = get_grant(request, pk)
    check_keeper(request, grant)
    if request.method != "POST":
        return render_grant(request, grant)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = record_payment(actor=request.user, grant=grant, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Le versement ({payment.get_kind_display()} de {euros(payment.amount)}) est enregistré."
            )
            return redirect(grant)
    return render_grant(request, get_grant(request, pk), payment_form=form)
