"""Template helpers of meetings: the sanitised minutes, and an organisation's meetings for its page."""

from django import template
from django.db.models import Exists, OuterRef
from django.utils.safestring import mark_safe

from maillage.core.perimeter import perimeter_of
from maillage.core.queries import count_of
from maillage.governance.models import Invitation, Meeting
from maillage.governance.services.meetings import sanitise_minutes
from maillage.territories.models import Cite

register = template.Library()

ORGANISATION_MEETINGS_SHOWN = 10


@register.filter
def minutes_html(minutes: str) -> str:
    """The minutes as HTML, sanitised again when shown (they may have been changed outside the services,
    in the administration): only the tags of the allowlist reach the page."""
    return mark_safe(sanitise_minutes(minutes))  # noqa: S308 — sanitised by nh3 just above


def meeting_cite_ids(user) -> list[int] | None:
    """The cités whose meetings the user may see (`governance.view_meetings`); None for all of them."""
    perimeter = perimeter_of(user)
    if perimeter.is_admin:
        return None
    return [cite_id for cite_id in perimeter.cite_ids if user.has_perm("governance.view_meetings", Cite(pk=cite_id))]


@register.inclusion_tag("governance/_organisation_meetings.html")
def organisation_meetings(organisation, user):
    """The meetings the organisation's contacts were invited to, among those the user may see, most recent
    first (one query, whatever their number)."""
    invited = Invitation.objects.filter(meeting=OuterRef("pk"), contact__organisation=organisation)
    meetings = Meeting.objects.filter(Exists(invited))
    cite_ids = meeting_cite_ids(user)
    if cite_ids is not None:
        meetings = meetings.filter(cite_id__in=cite_ids)
    shown = list(
        meetings.annotate(organisation_invitees=count_of(invited, "meeting"))
        .select_related("body", "cite")
        .order_by("-starts_at", "-pk")[: ORGANISATION_MEETINGS_SHOWN + 1]
    )
    return {
        "organisation": organisation,
        "meetings": shown[:ORGANISATION_MEETINGS_SHOWN],
        "has_more": len(shown) > ORGANISATION_MEETINGS_SHOWN,
        "show_cite": cite_ids is None or len(cite_ids) > 1,
    }
