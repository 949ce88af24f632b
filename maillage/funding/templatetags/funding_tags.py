"""Template tags of the funding pages shown elsewhere: the grants of an action, for its page."""

from django import template
from django.db.models import OuterRef

from maillage.core.queries import sum_of
from maillage.funding.models import Envelope, Grant, Payment
from maillage.programme.models import FUNDED_STATUSES, FundingRequest

register = template.Library()


@register.inclusion_tag("funding/_action_funding.html", takes_context=True)
def action_funding(context, action):
    """The action's funding plan and grants (source, requested, granted, paid, legal act), and a button per
    envelope the user keeps where the action has no grant yet. Four queries, whatever the number of grants.

    `action` with `cite` and `call` selected. Every grant of one action shares its cité and holder, so the
    permissions to open them are asked once."""
    user = context["request"].user
    grants = list(
        Grant.objects.filter(action=action)
        .select_related("envelope__source", "legal_act")
        .annotate(paid=sum_of(Payment.objects.filter(grant=OuterRef("pk")), "grant", "amount"))
        .order_by("envelope__source__position")
    )
    for grant in grants:
        grant.action = action
    requests = list(FundingRequest.objects.filter(action=action).select_related("source"))
    granted_sources = {grant.envelope.source_id for grant in grants}
    to_decide = []
    if action.status in FUNDED_STATUSES:
        envelopes = (
            Envelope.objects.filter(cite_id=action.cite_id, year=action.call.year)
            .exclude(source_id__in=granted_sources)
            .select_related("source")
            .order_by("source__position")
        )
        to_decide = [
            envelope
            for envelope in envelopes
            if user.has_perm("funding.manage_grant", Grant(cite_id=action.cite_id, action=action, envelope=envelope))
        ]
    first = grants[0] if grants else None
    first_act = next((grant.legal_act for grant in grants if grant.legal_act_id), None)
    return {
        "action": action,
        "grants": grants,
        "funding_requests": requests,
        "granted_sources": granted_sources,
        "to_decide": to_decide,
        "can_view_grants": first is not None and user.has_perm("funding.view_grant", first),
        "can_view_acts": first_act is not None and user.has_perm("funding.view_legal_act", first_act),
    }
