"""The ledger of the fonds de la cité for a year: the allocation (its envelope), the commitments (its grants),
the dated payments, the balance and what is still available. Every total is computed in SQL."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from maillage.core.middleware import remember_cite
from maillage.core.queries import sum_of
from maillage.funding.models import CITY_FUND, Envelope, Grant, Payment
from maillage.funding.services.envelopes import granted_grants, with_totals, years_of
from maillage.programme.models import Action, FundingRequest
from maillage.territories.models import Cite


def chosen_year(request, years: list[int]) -> int:
    """The year asked for (`?annee=`), else the latest year of a fonds de la cité, else the current year."""
    try:
        return int(request.GET["annee"])
    except (KeyError, ValueError):
        return years[0] if years else timezone.localdate().year


def running_balance(allocation: Decimal, payments) -> list[tuple[Payment, Decimal]]:
    """Each payment, in date order, with the balance of the fund after it."""
    balance, rows = allocation, []
    for payment in payments:
        balance -= payment.amount
        rows.append((payment, balance))
    return rows


def city_fund(request, anct_id):
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("funding.view_city_fund", cite):
        raise PermissionDenied("Le fonds de cette cité n'est pas dans votre périmètre.")
    remember_cite(request, cite)
    years = years_of(cite, source_code=CITY_FUND)
    year = chosen_year(request, years)
    envelope = (
        with_totals(Envelope.objects.filter(cite=cite, year=year, source__code=CITY_FUND))
        .select_related("source", "funder")
        .first()
    )
    context = {
        "title": f"Fonds de la cité {year} — {cite.name}",
        "cite": cite,
        "year": year,
        "years": years,
        "envelope": envelope,
    }
    if envelope is not None:
        commitments = (
            granted_grants()
            .filter(envelope=envelope)
            .select_related("action__organisation", "legal_act")
            .annotate(paid=sum_of(Payment.objects.filter(grant=OuterRef("pk")), "grant", "amount"))
            .order_by("decided_on", "pk")
        )
        payments = (
            Payment.objects.filter(grant__envelope=envelope)
            .select_related("grant__action__organisation")
            .order_by("paid_on", "pk")
        )
        asked = FundingRequest.objects.filter(action=OuterRef("pk"), source_id=envelope.source_id).values("amount")
        pending = (
            Action.objects.funded()
            .filter(cite=cite, call__year=year, funding_requests__source_id=envelope.source_id)
            .exclude(pk__in=Grant.objects.filter(envelope=envelope).values("action_id"))
            .select_related("organisation")
            .annotate(asked=Subquery(asked))
            .order_by("title")
        )
        keeps = request.user.has_perm("funding.manage_grant", Grant(cite=cite, envelope=envelope))
        context.update(
            commitments=commitments,
            ledger=running_balance(envelope.amount, payments),
            pending=pending,
            keeps=keeps,
            allocation=envelope.amount,
            committed=envelope.granted,
            paid=envelope.paid,
            balance=envelope.amount - envelope.paid,
            available=envelope.amount - envelope.granted,
        )
    return render(request, "funding/city_fund.html", context)
