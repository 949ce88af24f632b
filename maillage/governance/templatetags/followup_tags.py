"""Template helpers of decisions and follow-up tasks, for the pages of other modules (cité home page,
organisation page) and the register's rows."""

from django import template

from maillage.governance.models import Approval, Decision, Pillar, Task

register = template.Library()

OVERDUE_SHOWN = 5
ORGANISATION_DECISIONS_SHOWN = 10


@register.filter
def pillar_answers(decision) -> list[tuple[Pillar, Approval | None]]:
    """(pillar, its answer or None) for the three pillars, from the decision's (prefetched) approvals."""
    approvals = {approval.pillar: approval for approval in decision.approvals.all()}
    return [(pillar, approvals.get(pillar)) for pillar in Pillar]


@register.inclusion_tag("governance/_overdue_tasks.html")
def overdue_tasks(cite, user):
    """An alert on the cité's home page naming its overdue tasks (two queries, whatever their number)."""
    if not user.has_perm("governance.view_tasks", cite):
        return {"count": 0}
    overdue = Task.objects.for_user(user).filter(cite=cite).overdue()
    shown = list(overdue.select_related("owner").order_by("due_on", "pk")[:OVERDUE_SHOWN])
    count = len(shown) if len(shown) < OVERDUE_SHOWN else overdue.count()
    return {"cite": cite, "tasks": shown, "count": count}


@register.inclusion_tag("governance/_organisation_decisions.html")
def organisation_decisions(organisation, user):
    """The decisions concerning an organisation, among those the user may see (in the user's cités)."""
    decisions = (
        Decision.objects.for_user(user)
        .filter(organisation=organisation)
        .select_related("meeting", "cite")
        .order_by("-meeting__starts_at", "-pk")
    )
    shown = list(decisions[: ORGANISATION_DECISIONS_SHOWN + 1])
    return {
        "organisation": organisation,
        "decisions": shown[:ORGANISATION_DECISIONS_SHOWN],
        "has_more": len(shown) > ORGANISATION_DECISIONS_SHOWN,
    }
