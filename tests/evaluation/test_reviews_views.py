"""The annual review pages: who sees and writes them, starting, writing and submitting a review through the
pages, what the page shows, and its fixed number of queries."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from maillage.core.models import CITE_ROLES, Role
from maillage.evaluation.models import AnnualReview, ReviewStatus
from maillage.evaluation.services.reviews import MAX_TEXT_LENGTH, start_review, submit_review
from maillage.governance.models import Attendance, BodyKind, Decision, Invitation, MeetingStatus, Pillar, Verdict
from maillage.governance.services.decisions import answer_decision
from tests.evaluation.builders import YEAR, build_reports
from tests.factories import BodyFactory, ContactFactory, MeetingFactory
from tests.programme.selection_scenarios import member_of, troika_members
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
READERS = [role for role in EVERY_ROLE if role != Role.PROJECT_HOLDER.value]
WRITERS = [Role.COORDINATOR.value, "admin"]
READ_VIEWS = ["review_detail", "review_xlsx", "review_pdf"]
WRITE_VIEWS = ["review_update", "review_submit"]


def url(name, anct_id="cite-021", year=YEAR):
    return reverse(f"evaluation:{name}", args=[anct_id, year])


def list_url(anct_id="cite-021"):
    return reverse("evaluation:review_list", args=[anct_id])


@pytest.fixture
def programme(creteil):
    return build_reports(creteil)


@pytest.fixture
def coordinator(creteil):
    return member_of(creteil, Role.COORDINATOR)


@pytest.fixture
def review(creteil, programme, coordinator):
    return start_review(actor=coordinator, cite=creteil, year=YEAR)


@pytest.fixture
def meeting(creteil):
    return MeetingFactory(body=BodyFactory(cite=creteil, kind=BodyKind.COPIL), title="COPIL de printemps")


def reloaded(review) -> AnnualReview:
    return AnnualReview.objects.get(pk=review.pk)


# Permissions.


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_permissions_of_the_review_list(client, signed_in, programme, role):
    signed_in(role)
    response = client.get(list_url())
    assert response.status_code == (200 if role in READERS else 403)
    if role in READERS:
        starts = f"Commencer la revue {YEAR}" in response.content.decode()
        assert starts == (role in WRITERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
@pytest.mark.parametrize("name", READ_VIEWS)
def test_permissions_of_the_review_and_its_downloads(client, signed_in, review, role, name):
    signed_in(role)
    assert client.get(url(name)).status_code == (200 if role in READERS else 403)


@pytest.mark.parametrize("role", EVERY_ROLE)
@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_permissions_of_writing_and_submitting(client, signed_in, review, role, name):
    signed_in(role)
    assert client.get(url(name)).status_code == (200 if role in WRITERS else 403)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_permissions_of_the_national_consolidation(client, signed_in, role):
    signed_in(role)
    response = client.get(reverse("evaluation:national_reviews_xlsx", args=[YEAR]))
    assert response.status_code == (200 if role in (Role.NATIONAL.value, "admin") else 403)


@pytest.mark.parametrize("name", ["review_list", *READ_VIEWS, *WRITE_VIEWS])
def test_anonymous_visitors_and_another_cite_get_nothing(client, user_in, other_cite, review, name):
    target = list_url() if name == "review_list" else url(name)
    assert client.get(target).status_code == 302  # to the login page
    client.force_login(user_in(Role.COORDINATOR.value, other_cite))
    assert client.get(target).status_code == 403
    unknown = list_url("cite-inconnue") if name == "review_list" else url(name, "cite-inconnue")
    assert client.get(unknown).status_code == 404


def test_anonymous_visitors_get_no_national_consolidation(client):
    assert client.get(reverse("evaluation:national_reviews_xlsx", args=[YEAR])).status_code == 302


@pytest.mark.parametrize("name", READ_VIEWS + WRITE_VIEWS)
def test_a_review_not_started_is_not_found(client, signed_in, programme, name):
    signed_in(Role.COORDINATOR.value)
    assert client.get(url(name)).status_code == 404


def test_a_reader_cannot_start_a_review(client, signed_in, programme):
    signed_in(Role.TROIKA_STATE.value)
    assert client.post(list_url(), {"year": YEAR}).status_code == 403
    assert not AnnualReview.objects.exists()


def test_a_reader_cannot_write_or_submit(client, signed_in, review, meeting):
    signed_in(Role.EVALUATOR.value)
    assert client.post(url("review_update"), {"outlook": "Non"}).status_code == 403
    assert client.post(url("review_submit"), {"meeting": meeting.pk}).status_code == 403
    review = reloaded(review)
    assert (review.outlook, review.status) == ("", ReviewStatus.DRAFT)


# Starting, writing and submitting through the pages.


def test_the_coordinator_starts_the_review_from_the_list(client, programme, coordinator):
    client.force_login(coordinator)
    response = client.post(list_url(), {"year": YEAR})
    assert response.status_code == 302 and response.url == url("review_update")
    assert AnnualReview.objects.get().year == YEAR
    page = client.get(list_url()).content.decode()
    assert f"Commencer la revue {YEAR}" not in page and f"Voir la revue {YEAR}" in page


def test_starting_a_year_without_programme_shows_a_french_error(client, programme, coordinator):
    client.force_login(coordinator)
    for year, message in ((YEAR - 1, "ni appel à projets ni enveloppe"), ("deux-mille", "Choisissez l'année")):
        response = client.post(list_url(), {"year": year})
        assert response.status_code == 200
        assert escape(message) in response.content.decode()
    assert not AnnualReview.objects.exists()


def test_the_coordinator_writes_the_comments(client, review, coordinator):
    client.force_login(coordinator)
    response = client.post(url("review_update"), {"highlights": "Une année riche.", "outlook": "Un second collège."})
    assert response.status_code == 302 and response.url == url("review_detail")
    review = reloaded(review)
    assert (review.highlights, review.outlook, review.governance_comment) == (
        "Une année riche.",
        "Un second collège.",
        "",
    )
    page = client.get(url("review_detail")).content.decode()
    assert "Une année riche." in page and "Un second collège." in page


def test_a_text_too_long_shows_an_error_and_nothing_changes(client, review, coordinator):
    client.force_login(coordinator)
    response = client.post(url("review_update"), {"highlights": "Bien.", "outlook": "x" * (MAX_TEXT_LENGTH + 1)})
    assert response.status_code == 200
    assert "raccourcissez-le" in response.content.decode()
    assert reloaded(review).highlights == ""


def test_the_coordinator_submits_the_review_to_the_troika(client, review, coordinator, meeting):
    client.force_login(coordinator)
    page = client.get(url("review_submit")).content.decode()
    assert "COPIL de printemps" in page
    response = client.post(url("review_submit"), {"meeting": meeting.pk})
    assert response.status_code == 302 and response.url == url("review_detail")
    review = reloaded(review)
    assert review.status == ReviewStatus.SUBMITTED and review.decision.meeting == meeting
    page = client.get(url("review_detail")).content.decode()
    assert f"décision n° {review.decision.number}" in page
    assert "Rédiger les commentaires" not in page
    assert "ne se modifient plus" in client.get(url("review_update")).content.decode()
    assert "ne peut pas être soumise" in client.get(url("review_submit")).content.decode()


@pytest.mark.parametrize("choice", ["", "another cité's", "cancelled"])
def test_submitting_needs_a_live_meeting_of_the_cite(client, review, coordinator, other_cite, creteil, choice):
    meetings = {
        "": "",
        "another cité's": MeetingFactory(body=BodyFactory(cite=other_cite)).pk,
        "cancelled": MeetingFactory(body=BodyFactory(cite=creteil), status=MeetingStatus.CANCELLED).pk,
    }
    client.force_login(coordinator)
    response = client.post(url("review_submit"), {"meeting": meetings[choice]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choisissez la réunion" in page or "Choisissez une réunion prévue ou tenue" in page
    assert reloaded(review).status == ReviewStatus.DRAFT and not Decision.objects.exists()


def test_the_page_shows_the_rejection_and_lets_the_coordinator_correct(client, review, coordinator, meeting, creteil):
    decision = submit_review(actor=coordinator, review=review, meeting=meeting)
    troika = troika_members(creteil)
    answer_decision(
        actor=troika[Pillar.STATE],
        decision=decision,
        pillar=Pillar.STATE,
        verdict=Verdict.REJECTED,
        reason="Les finances ne sont pas commentées.",
    )
    client.force_login(coordinator)
    page = client.get(url("review_detail")).content.decode()
    assert "La troïka a rejeté la revue" in page and "Les finances ne sont pas commentées." in page
    assert "Rédiger les commentaires" in page


# What the page shows.


def test_the_page_shows_every_section_with_masked_counts(client, signed_in, review):
    signed_in(Role.EVALUATOR.value)
    page = client.get(url("review_detail")).content.decode()
    for heading in ("1. Gouvernance", "2. Déploiement des actions", "3. Finances", "4. Évaluation"):
        assert heading in page
    assert "18\u202f000,00\u00a0€" in page  # granted, as the funding dashboard says
    assert "2 bilans déposés sur 4 attendus" in page
    assert "Parents" in page and "&lt; 5" in page  # 3 mothers: masked
    assert "Club lecture au collège" not in page  # aggregates only: no action, no name
    assert "Rédiger les commentaires" not in page  # the evaluator reads only


# Speed.


def grow(cite, year: int = YEAR) -> None:
    """More of everything the review counts: programme, bodies, held meetings with invitees."""
    build_reports(cite, year=year, copies=3)
    for number in range(3):
        body = BodyFactory(cite=cite, kind=BodyKind.WORKING_GROUP, name=f"Groupe de travail {number}")
        meeting = MeetingFactory(
            body=body, status=MeetingStatus.HELD, starts_at=timezone.make_aware(datetime(year, 4, 1 + number, 18))
        )
        for _ in range(3):
            Invitation.objects.create(meeting=meeting, contact=ContactFactory(), attendance=Attendance.PRESENT)


def test_the_review_page_runs_a_fixed_number_of_queries(client, review, coordinator, creteil):
    client.force_login(coordinator)
    small = count_queries(client, url("review_detail"))
    grow(creteil)
    assert count_queries(client, url("review_detail")) == small
