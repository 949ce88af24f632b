"""The annual review (revue de projet): its figures, starting and writing it, proposing its validation to the
troïka, and the review following the troïka's answer (tests/evaluation/builders.py describes the programme)."""

import re
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.core.models import Event, Role, Verb
from maillage.evaluation.figures import MASKED, reach
from maillage.evaluation.models import AnnualReview, ReviewStatus
from maillage.evaluation.review import assemble_review
from maillage.evaluation.services.reviews import (
    MAX_TEXT_LENGTH,
    review_years,
    start_review,
    submit_review,
    update_review,
)
from maillage.funding.dashboards import funding_dashboard
from maillage.governance.models import (
    Attendance,
    BodyKind,
    Decision,
    DecisionStatus,
    Invitation,
    MeetingStatus,
    Pillar,
    Verdict,
)
from maillage.governance.services.decisions import answer_decision, propose_decision
from maillage.programme.models import ActionStatus
from tests.evaluation.builders import YEAR, build_reports, report_on
from tests.factories import ActionFactory, BodyFactory, CallFactory, ContactFactory, DecisionFactory, MeetingFactory
from tests.programme.selection_scenarios import member_of, troika_members

TEXTS = {
    "highlights": "",
    "governance_comment": "",
    "deployment_comment": "",
    "finances_comment": "",
    "evaluation_comment": "",
    "outlook": "",
}


@pytest.fixture
def programme(creteil):
    return build_reports(creteil)


@pytest.fixture
def coordinator(creteil):
    return member_of(creteil, Role.COORDINATOR)


@pytest.fixture
def troika(creteil):
    return troika_members(creteil)


@pytest.fixture
def meeting(creteil):
    """A planned meeting of Créteil's COPIL."""
    return MeetingFactory(body=BodyFactory(cite=creteil, kind=BodyKind.COPIL), title="COPIL de printemps")


@pytest.fixture
def review(creteil, programme, coordinator):
    return start_review(actor=coordinator, cite=creteil, year=YEAR)


def reloaded(review) -> AnnualReview:
    return AnnualReview.objects.get(pk=review.pk)


def held_on(body, day: datetime, invited: dict[str, int]):
    """A meeting of `body` held on `day`, with invitees by attendance ({"present": 3, "absent": 1})."""
    meeting = MeetingFactory(body=body, status=MeetingStatus.HELD, starts_at=timezone.make_aware(day))
    for attendance, count in invited.items():
        for _ in range(count):
            Invitation.objects.create(meeting=meeting, contact=ContactFactory(), attendance=attendance)
    return meeting


# The figures.


def test_the_governance_counts_the_meetings_held_in_the_year_and_their_attendance(creteil):
    copil = BodyFactory(cite=creteil, kind=BodyKind.COPIL, name="COPIL")
    cotech = BodyFactory(cite=creteil, kind=BodyKind.COTECH, name="COTECH")
    former = BodyFactory(cite=creteil, kind=BodyKind.WORKING_GROUP, name="Ancien groupe", is_active=False)
    held_on(copil, datetime(YEAR, 3, 10, 18), {Attendance.PRESENT: 3, Attendance.EXCUSED: 1})
    held_on(copil, datetime(YEAR, 11, 10, 18), {Attendance.PRESENT: 2, Attendance.ABSENT: 2})
    held_on(copil, datetime(YEAR + 1, 1, 10, 18), {Attendance.PRESENT: 9})  # another year
    MeetingFactory(body=cotech, status=MeetingStatus.CANCELLED, starts_at=timezone.make_aware(datetime(YEAR, 5, 1)))
    held_on(former, datetime(YEAR, 2, 1, 18), {Attendance.PRESENT: 1, Attendance.UNKNOWN: 1})
    BodyFactory(cite=creteil, kind=BodyKind.COTECH, name="Groupe dormant", is_active=False)  # neither active nor met
    decided = DecisionFactory(meeting=MeetingFactory(body=copil))
    Decision.objects.filter(pk=decided.pk).update(created_at=timezone.make_aware(datetime(YEAR, 3, 10, 19)))
    for status in (DecisionStatus.VALIDATED, DecisionStatus.VALIDATED, DecisionStatus.REJECTED):
        decision = DecisionFactory(meeting=MeetingFactory(body=copil), status=status)
        Decision.objects.filter(pk=decision.pk).update(created_at=timezone.make_aware(datetime(YEAR, 6, 1, 19)))

    governance = assemble_review(creteil, YEAR).governance

    rows = {row.name: (row.meetings_held, row.invited, row.present) for row in governance.bodies}
    assert rows == {"Troïka": (0, 0, 0), "COPIL": (2, 8, 5), "COTECH": (0, 0, 0), "Ancien groupe": (1, 2, 1)}
    assert [row.name for row in governance.bodies][:2] == ["Troïka", "COPIL"]  # in the order of the body kinds
    assert governance.bodies[1].attendance == Decimal("62.5")
    assert governance.total.meetings_held == 3
    assert governance.total.attendance == Decimal("60.0")
    assert dict(governance.decisions) == {
        DecisionStatus.PENDING.label: 1,
        DecisionStatus.VALIDATED.label: 2,
        DecisionStatus.REJECTED.label: 1,
    }
    assert governance.decision_total == 4


def test_the_figures_are_those_of_the_funding_module_and_of_the_reports(creteil, programme):
    figures = assemble_review(creteil, YEAR)
    dashboard = funding_dashboard(creteil, YEAR)
    assert figures.funding.total == dashboard.total
    assert (figures.funding.total.granted, figures.funding.total.paid) == (Decimal("18000"), Decimal("6000"))
    assert figures.funding.objectives == dashboard.objectives
    assert figures.funding.statuses == dashboard.statuses
    assert figures.reach == reach(creteil, YEAR)
    assert figures.bands[-1].total == 41
    assert figures.qpv_residents == 25 and figures.qpv_share == "61,0 %"
    key_figures = dict(figures.key_figures())
    assert "2 bilans déposés sur 4 attendus ; 41 bénéficiaires" in key_figures["Déploiement"]
    assert "18\u202f000,00\u00a0€ attribués sur 120\u202f000,00\u00a0€ d'enveloppes" in key_figures["Finances"]
    assert "part du cofinancement : 27,8 %" in key_figures["Finances"]


def test_small_counts_of_people_are_masked_in_the_figures(creteil):
    call = CallFactory(cite=creteil, year=YEAR)
    report_on(ActionFactory(call=call, status=ActionStatus.CLOSED), {"11-14": (2, 1)}, qpv_residents=3)
    figures = assemble_review(creteil, YEAR)
    assert (figures.bands[-1].female, figures.bands[-1].male, figures.bands[-1].total) == (MASKED, MASKED, MASKED)
    assert figures.qpv_residents == MASKED
    assert f"{MASKED} bénéficiaires" in dict(figures.key_figures())["Déploiement"]
    chart = figures.charts()["bands"]
    assert "&lt; 5" in chart and not re.search(r'<rect[^>]* width="[1-9]', chart)  # no bar tells the count


# Starting the review.


def test_the_coordinator_starts_the_review_of_a_year(creteil, programme, coordinator):
    review = start_review(actor=coordinator, cite=creteil, year=YEAR)
    assert (review.status, review.year, review.created_by) == (ReviewStatus.DRAFT, YEAR, coordinator)
    assert Event.objects.for_object(review).get().verb == Verb.CREATED


def test_one_review_per_cite_and_year(creteil, review, coordinator):
    with pytest.raises(ValidationError) as error:
        start_review(actor=coordinator, cite=creteil, year=YEAR)
    assert "déjà commencée" in error.value.message_dict["year"][0]
    assert AnnualReview.objects.count() == 1


def test_the_year_needs_a_call_or_an_envelope_and_cannot_be_to_come(creteil, programme, coordinator):
    this_year = timezone.localdate().year
    CallFactory(cite=creteil, year=this_year + 1)
    assert review_years(creteil) == [YEAR]
    with pytest.raises(ValidationError) as error:
        start_review(actor=coordinator, cite=creteil, year=this_year + 1)
    assert "année à venir" in error.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as error:
        start_review(actor=coordinator, cite=creteil, year=YEAR - 1)
    assert "ni appel à projets ni enveloppe" in error.value.message_dict["year"][0]
    assert not AnnualReview.objects.exists()


@pytest.mark.parametrize("role", [Role.TROIKA_STATE, Role.GRANT_OFFICER, Role.EVALUATOR, Role.NATIONAL])
def test_only_the_coordinator_starts_the_review(creteil, programme, user_in, role):
    with pytest.raises(ValidationError, match="Seule la coordination"):
        start_review(actor=user_in(role.value, creteil), cite=creteil, year=YEAR)
    assert not AnnualReview.objects.exists()


def test_another_cites_coordinator_cannot_start_it(creteil, other_cite, programme, user_in):
    with pytest.raises(ValidationError, match="Seule la coordination"):
        start_review(actor=user_in(Role.COORDINATOR.value, other_cite), cite=creteil, year=YEAR)
    assert not AnnualReview.objects.exists()


# Writing it.


def test_the_coordinator_writes_the_six_sections(review, coordinator):
    texts = {**TEXTS, "highlights": "  Une année riche.  ", "outlook": "Ouvrir un second collège."}
    update_review(actor=coordinator, review=review, **texts)
    review = reloaded(review)
    assert (review.highlights, review.outlook, review.finances_comment) == (
        "Une année riche.",
        "Ouvrir un second collège.",
        "",
    )
    event = Event.objects.for_object(review).get(verb=Verb.UPDATED)
    assert event.after == {
        "faits marquants de l'année": "Une année riche.",
        "perspectives pour l'année suivante": "Ouvrir un second collège.",
    }
    update_review(actor=coordinator, review=review, **texts)  # nothing changed: no event
    assert Event.objects.for_object(review).filter(verb=Verb.UPDATED).count() == 1


def test_a_text_too_long_is_refused_and_nothing_changes(review, coordinator):
    with pytest.raises(ValidationError) as error:
        update_review(
            actor=coordinator, review=review, **{**TEXTS, "highlights": "Bien.", "outlook": "x" * (MAX_TEXT_LENGTH + 1)}
        )
    assert "raccourcissez" in error.value.message_dict["outlook"][0]
    assert reloaded(review).highlights == ""


def test_only_the_coordinator_writes_the_review(review, creteil, user_in):
    with pytest.raises(ValidationError, match="Seule la coordination"):
        update_review(actor=user_in(Role.TROIKA_CITY.value, creteil), review=review, **{**TEXTS, "outlook": "Non"})
    assert reloaded(review).outlook == ""


def test_a_submitted_review_is_no_longer_edited(review, coordinator, meeting):
    submit_review(actor=coordinator, review=review, meeting=meeting)
    with pytest.raises(ValidationError, match="ne se modifie plus"):
        update_review(actor=coordinator, review=reloaded(review), **{**TEXTS, "outlook": "Trop tard"})
    assert reloaded(review).outlook == ""


# Submitting it and the troïka's answer.


def test_submitting_proposes_a_pending_decision_with_the_key_figures(review, coordinator, meeting):
    decision = submit_review(actor=coordinator, review=review, meeting=meeting)
    assert (decision.status, decision.meeting, decision.proposed_by, decision.title) == (
        DecisionStatus.PENDING,
        meeting,
        coordinator,
        f"Validation de la revue de projet {YEAR}",
    )
    assert "41 bénéficiaires" in decision.text
    assert "18\u202f000,00\u00a0€ attribués" in decision.text
    review = reloaded(review)
    assert (review.status, review.decision) == (ReviewStatus.SUBMITTED, decision)
    event = Event.objects.for_object(review).get(verb=Verb.REVIEW_SUBMITTED)
    assert event.actor == coordinator and f"n° {decision.number}" in event.summary


def test_the_meeting_must_be_a_planned_or_held_meeting_of_the_cite(review, coordinator, creteil, other_cite):
    cancelled = MeetingFactory(body=BodyFactory(cite=creteil), status=MeetingStatus.CANCELLED)
    elsewhere = MeetingFactory(body=BodyFactory(cite=other_cite))
    for meeting in (cancelled, elsewhere, None):
        with pytest.raises(ValidationError) as error:
            submit_review(actor=coordinator, review=review, meeting=meeting)
        assert "meeting" in error.value.message_dict
    assert reloaded(review).status == ReviewStatus.DRAFT
    assert not Decision.objects.exists()


def test_only_the_coordinator_submits(review, creteil, user_in, meeting):
    with pytest.raises(ValidationError, match="Seule la coordination"):
        submit_review(actor=user_in(Role.TROIKA_STATE.value, creteil), review=review, meeting=meeting)
    assert reloaded(review).status == ReviewStatus.DRAFT and not Decision.objects.exists()


def test_a_review_is_submitted_once(review, coordinator, meeting):
    submit_review(actor=coordinator, review=review, meeting=meeting)
    with pytest.raises(ValidationError, match="déjà soumise"):
        submit_review(actor=coordinator, review=review, meeting=meeting)
    assert Decision.objects.count() == 1


def approve(troika, decision, *pillars):
    for pillar in pillars:
        answer_decision(actor=troika[pillar], decision=decision, pillar=pillar, verdict=Verdict.APPROVED)


def test_the_three_pillars_validate_the_review(review, coordinator, meeting, troika):
    decision = submit_review(actor=coordinator, review=review, meeting=meeting)
    approve(troika, decision, Pillar.STATE, Pillar.EDUCATION)
    assert reloaded(review).status == ReviewStatus.SUBMITTED  # two pillars only

    approve(troika, decision, Pillar.CITY)

    review = reloaded(review)
    assert review.status == ReviewStatus.VALIDATED and review.validated_at is not None
    event = Event.objects.for_object(review).get(verb=Verb.REVIEW_VALIDATED)
    assert event.actor == troika[Pillar.CITY] and f"n° {decision.number}" in event.summary


def test_a_rejection_sends_the_review_back_to_draft(review, coordinator, meeting, troika):
    decision = submit_review(actor=coordinator, review=review, meeting=meeting)
    answer_decision(
        actor=troika[Pillar.EDUCATION],
        decision=decision,
        pillar=Pillar.EDUCATION,
        verdict=Verdict.REJECTED,
        reason="Les résultats au brevet ne sont pas commentés.",
    )
    review = reloaded(review)
    assert (review.status, review.validated_at) == (ReviewStatus.DRAFT, None)
    event = Event.objects.for_object(review).get(verb=Verb.UPDATED)
    assert "rejeté" in event.summary and "brevet" in event.summary

    update_review(actor=coordinator, review=review, **{**TEXTS, "evaluation_comment": "Le brevet progresse."})
    again = submit_review(actor=coordinator, review=reloaded(review), meeting=meeting)
    assert again != decision and reloaded(review).decision == again
    approve(troika, again, *Pillar)
    assert reloaded(review).status == ReviewStatus.VALIDATED


def test_other_decisions_leave_the_review_alone(review, coordinator, meeting, troika):
    unrelated = propose_decision(actor=coordinator, meeting=meeting, title="Autre sujet", text="Texte.")
    approve(troika, unrelated, *Pillar)
    assert reloaded(review).status == ReviewStatus.DRAFT
    assert not Event.objects.filter(verb=Verb.REVIEW_VALIDATED).exists()
