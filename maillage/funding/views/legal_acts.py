"""Legal act pages: the act and its grants, its PDF (arrêté or convention), and recording its signature."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.funding import documents
from maillage.funding.forms.grants import SignForm
from maillage.funding.models import Grant, LegalAct
from maillage.funding.services.legal_acts import sign_legal_act

HISTORY_LENGTH = 20


def get_act(request, pk) -> LegalAct:
    act = get_object_or_404(
        LegalAct.objects.select_related("cite", "organisation__commune", "source", "signed_by"), pk=pk
    )
    if not request.user.has_perm("funding.view_legal_act", act):
        raise PermissionDenied("Cet acte attributif n'est pas dans votre périmètre.")
    return act


def legal_act_detail(request, pk):
    act = get_act(request, pk)
    return render_act(request, act)


def render_act(request, act, form=None):
    remember_cite(request, act.cite)
    grants = list(
        Grant.objects.filter(legal_act=act)
        .select_related("action", "envelope__source")
        .annotate(paid=Sum("payments__amount"))
        .order_by("action__title")
    )
    can_manage = request.user.has_perm("funding.manage_grant", act)
    if form is None and can_manage and not act.is_signed:
        form = SignForm()
    events = Event.objects.for_user(request.user).for_object(act).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "funding/legal_act_detail.html",
        {
            "title": f"{str(act).capitalize()} — {act.organisation.name}",
            "act": act,
            "cite": act.cite,
            "grants": grants,
            "total": sum((grant.granted for grant in grants), 0),
            "form": form,
            "events": events,
        },
    )


def legal_act_pdf(request, pk):
    act = get_act(request, pk)
    response = HttpResponse(documents.legal_act_pdf(act), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{act.reference}.pdf"'
    return response


@require_POST
def legal_act_sign(request, pk):
    act = get_act(request, pk)
    if not request.user.has_perm("funding.manage_grant", act):
        raise PermissionDenied("Seul le gestionnaire de ces crédits enregistre la signature de l'acte.")
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            sign_legal_act(actor=request.user, act=act, signed_on=form.cleaned_data["signed_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La signature est enregistrée : les actions concernées sont conventionnées.")
            return redirect(act)
    return render_act(request, get_act(request, pk), form)
