"""Template tags of the evaluation pages shown elsewhere: the report block of an action's page."""

from django import template
from django.utils import timezone

from maillage.evaluation.services.reports import owes_report, report_of, report_state

register = template.Library()


@register.inclusion_tag("evaluation/_action_report.html", takes_context=True)
def action_report(context, action):
    """When the report is due, where it stands and a link to it for those who may read or write it; nothing
    for an action that owes no report and has none. One query. `action` with `call` selected."""
    user = context["request"].user
    report = report_of(action)
    is_written = report.pk is not None
    if not (is_written or owes_report(action)):
        return {"shown": False}
    return {
        "shown": True,
        "action": action,
        "state": report_state(action, timezone.localdate(), report.status if is_written else None),
        "can_view": is_written and user.has_perm("evaluation.view_report", report),
        "can_write": owes_report(action) and user.has_perm("evaluation.write_report", report),
    }
