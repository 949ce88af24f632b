"""Meeting pages run a fixed number of SQL queries whatever the amount of data (measured at two sizes)."""

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import Role, Verb
from maillage.governance.models import Approval, Attachment, Invitation, Pillar, Verdict
from tests.factories import (
    BodyFactory,
    ContactFactory,
    DecisionFactory,
    MeetingFactory,
    OrganisationFactory,
    TaskFactory,
    UserFactory,
    grant,
)
from tests.queries import count_queries

# Session, user, perimeter, page data… A bound per page, checked at both sizes.
MAX_QUERIES = {
    "meeting_detail": 13,
    "calendar": 8,
    "cite_governance": 9,
    "body_detail": 8,
    "meeting_invitees": 7,
    "meeting_attendance": 6,
    "attendance_sheet": 6,
    "organisation_meetings": 1,
}


@pytest.fixture
def coordinator(client, user_in, creteil):
    user = user_in(Role.COORDINATOR.value, creteil)
    client.force_login(user)
    return user


@pytest.fixture
def meeting(creteil):
    return MeetingFactory(body=BodyFactory(cite=creteil))


def add_meeting_data(meeting, size: int, actor) -> None:
    """`size` invitees (from `size` organisations), agenda items, attachments, decisions, tasks, events."""
    organisations = [OrganisationFactory(cites=[meeting.cite]) for _ in range(size)]
    Invitation.objects.bulk_create(
        Invitation(meeting=meeting, contact=ContactFactory(organisation=organisation), attendance="present")
        for organisation in organisations
    )
    for position in range(size):
        meeting.agenda_items.create(position=position, title=f"Point {position}", presenter="Mme Martin")
    Attachment.objects.bulk_create(
        Attachment(
            meeting=meeting,
            name=f"doc{n}.pdf",
            file=f"meetings/{meeting.pk}/doc{n}.pdf",
            content_type="application/pdf",
            size=10,
        )
        for n in range(size)
    )
    for _ in range(size):
        decision = DecisionFactory(meeting=meeting)
        Approval.objects.create(decision=decision, pillar=Pillar.STATE, verdict=Verdict.APPROVED, user=actor)
        TaskFactory(cite=meeting.cite, meeting=meeting, owner=UserFactory())
        record_event(actor=actor, verb=Verb.UPDATED, obj=meeting, summary="changement")


def test_meeting_page_queries_do_not_grow(client, coordinator, meeting, django_assert_max_num_queries):
    url = reverse("governance:meeting_detail", args=[meeting.pk])
    add_meeting_data(meeting, 3, coordinator)
    small = count_queries(client, url)
    add_meeting_data(meeting, 27, coordinator)
    large = count_queries(client, url)
    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES["meeting_detail"]):
        response = client.get(url)
    assert len(response.context["invitations"]) == 30
    assert response.text.count("Point ") >= 30


@pytest.mark.parametrize("name", ["meeting_attendance", "attendance_sheet", "meeting_invitees"])
def test_meeting_sub_pages_queries_do_not_grow(client, coordinator, meeting, name):
    url = reverse(f"governance:{name}", args=[meeting.pk])
    add_meeting_data(meeting, 3, coordinator)
    ContactFactory.create_batch(3, organisation=OrganisationFactory(cites=[meeting.cite]))
    small = count_queries(client, url)
    add_meeting_data(meeting, 27, coordinator)
    for _ in range(10):
        ContactFactory.create_batch(3, organisation=OrganisationFactory(cites=[meeting.cite]))
    assert count_queries(client, url) == small <= MAX_QUERIES[name]


def add_meetings(body, count: int) -> None:
    now = timezone.now()
    for number in range(count):
        days = (number - count // 2) * 20  # half in the past, half ahead, over many months
        meeting = MeetingFactory(body=body, starts_at=now + datetime.timedelta(days=days))
        Invitation.objects.create(meeting=meeting, contact=ContactFactory(organisation__cites=[body.cite]))


def test_calendar_queries_do_not_grow(client, coordinator, creteil, django_assert_max_num_queries):
    body = BodyFactory(cite=creteil)
    url = reverse("governance:calendar", args=[creteil.anct_id])
    add_meetings(body, 3)
    small = count_queries(client, url)
    add_meetings(body, 30)
    assert count_queries(client, url) == small
    with django_assert_max_num_queries(MAX_QUERIES["calendar"]):
        response = client.get(url)
    assert len(response.context["past_months"]) > 5
    month = response.context["past_months"][0]["month"].strftime("%Y-%m")
    assert count_queries(client, f"{url}?mois={month}") <= MAX_QUERIES["calendar"]


def test_governance_and_body_pages_queries_do_not_grow(client, coordinator, creteil):
    body = BodyFactory(cite=creteil)
    governance = reverse("governance:cite_governance", args=[creteil.anct_id])
    body_page = reverse("governance:body_detail", args=[body.pk])
    add_meetings(body, 3)
    small = (count_queries(client, governance), count_queries(client, body_page))
    add_meetings(body, 30)
    BodyFactory.create_batch(10, cite=creteil)
    for role in (Role.TROIKA_STATE, Role.TROIKA_EDUCATION, Role.TROIKA_CITY) * 5:
        grant(UserFactory(), creteil, role)
    large = (count_queries(client, governance), count_queries(client, body_page))
    assert small == large
    assert large[0] <= MAX_QUERIES["cite_governance"]
    assert large[1] <= MAX_QUERIES["body_detail"]


def test_organisation_meetings_tag_runs_one_query(user_in, creteil, other_cite):
    organisation = OrganisationFactory(cites=[creteil, other_cite])
    viewer = user_in(Role.PROJECT_HOLDER.value, creteil)
    viewer.perimeter  # noqa: B018 — loaded once per request, before the page
    template = Template("{% load meetings_tags %}{% organisation_meetings organisation user %}")

    def render() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = template.render(Context({"organisation": organisation, "user": viewer}))
        return len(queries), html

    def invite(cite, count):
        body = BodyFactory(cite=cite)
        for _ in range(count):
            meeting = MeetingFactory(body=body)
            for contact in ContactFactory.create_batch(2, organisation=organisation):
                Invitation.objects.create(meeting=meeting, contact=contact)

    invite(creteil, 2)
    small, _ = render()
    invite(creteil, 20)
    invite(other_cite, 5)
    large, html = render()
    assert small == large == MAX_QUERIES["organisation_meetings"]
    assert html.count("<tr>") == 11  # the header and the 10 most recent
    assert "Seules les 10 réunions les plus récentes sont affichées." in html
