"""Account requests: the public form of a new project holder, and the coordinator's list and answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.programme.forms.accounts import AccountRequestForm, AnswerForm
from maillage.programme.models import AccountRequest, AccountRequestStatus, CallForProjects
from maillage.programme.services import accounts as services
from maillage.programme.views.objectives import cite_for

REQUESTS_PER_PAGE = 30
HISTORY_LENGTH = 20
CANNOT_REVIEW = "Seule la coordination de la cité traite les demandes de compte."
REQUEST_SENT = (
    "Votre demande est envoyée à la coordination de la cité éducative. Vous recevrez sa réponse par courriel."
)


def base_url(request) -> str:
    return request.build_absolute_uri("/")


@login_not_required
def account_request(request, pk):
    call = get_object_or_404(CallForProjects.objects.published().select_related("cite"), pk=pk)
    form = AccountRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            # Robots fill the hidden field: they are told the same thing, and nothing is written.
            messages.success(request, REQUEST_SENT)
            return redirect("programme:call_public", pk=call.pk)
        try:
            services.request_account(call=call, data=form.request_data(), base_url=base_url(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, REQUEST_SENT)
            return redirect("programme:call_public", pk=call.pk)
    return render(
        request,
        "programme/account_request.html",
        {"title": f"Demander un compte — {call.title}", "call": call, "form": form},
    )


def account_requests(request, anct_id):
    cite = cite_for(request, anct_id, "programme.review_account_requests", CANNOT_REVIEW)
    remember_cite(request, cite)
    show = request.GET.get("etat", AccountRequestStatus.PENDING)
    if show not in AccountRequestStatus.values and show != "toutes":
        show = AccountRequestStatus.PENDING
    requests = AccountRequest.objects.filter(cite=cite).select_related("call", "organisation", "answered_by")
    if show != "toutes":
        requests = requests.filter(status=show)
    page = Paginator(requests.order_by("-created_at", "-pk"), REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "programme/account_requests.html",
        {
            "title": f"Demandes de compte — {cite.name}",
            "cite": cite,
            "page_obj": page,
            "show": show,
            "filters": [(AccountRequestStatus(value).label, value) for value in AccountRequestStatus.values]
            + [("toutes", "toutes")],
        },
    )


def account_request_answer(request, pk):
    account_request = get_object_or_404(
        AccountRequest.objects.select_related("cite", "call", "organisation", "answered_by"), pk=pk
    )
    if not request.user.has_perm("programme.review_account_requests", account_request):
        raise PermissionDenied(CANNOT_REVIEW)
    remember_cite(request, account_request.cite)
    is_pending = account_request.status == AccountRequestStatus.PENDING
    form = None
    if is_pending:
        form = AnswerForm(request.POST if request.method == "POST" else None, account_request=account_request)
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["verdict"] == "accept":
                user = services.accept_account_request(
                    actor=request.user,
                    account_request=account_request,
                    organisation=data["organisation"],
                    kind=data["kind"],
                    base_url=base_url(request),
                )
                messages.success(request, f"La demande est acceptée : {user.email} est porteur de projet de la cité.")
            else:
                services.refuse_account_request(
                    actor=request.user, account_request=account_request, reason=data["reason"]
                )
                messages.success(request, "La demande est refusée ; la personne reçoit le motif par courriel.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(reverse("programme:account_requests", args=[account_request.cite.anct_id]))
    events = Event.objects.for_user(request.user).for_object(account_request).select_related("actor")
    return render(
        request,
        "programme/account_request_answer.html",
        {
            "title": f"Demande de compte — {account_request.organisation_name}",
            "account_request": account_request,
            "cite": account_request.cite,
            "form": form,
            "events": events[:HISTORY_LENGTH],
        },
    )
