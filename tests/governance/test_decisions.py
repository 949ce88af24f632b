"""Decisions: the three pillars validate, any one rejects with a reason; each step is logged; the pages
check the perimeter and the roles."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Event, Role, Verb
from maillage.governance.models import Approval, Decision, DecisionStatus, Pillar, Verdict
from maillage.governance.services.decisions import answer_decision, propose_decision
from tests.factories import DecisionFactory, MeetingFactory, OrganisationFactory, TaskFactory, grant, troika_of

ALL_CITE_ROLES = [role.value for role in CITE_ROLES]
EVERY_ROLE = [*ALL_CITE_ROLES, Role.NATIONAL.value, "admin"]
TROIKA = {
    Pillar.STATE: Role.TROIKA_STATE.value,
    Pillar.EDUCATION: Role.TROIKA_EDUCATION.value,
    Pillar.CITY: Role.TROIKA_CITY.value,
}
PROPOSERS = {Role.COORDINATOR.value, *TROIKA.values(), "admin"}


@pytest.fixture
def meeting(creteil):
    return MeetingFactory(body=troika_of(creteil), title="Troïka de rentrée")


@pytest.fixture
def decision(meeting):
    return DecisionFactory(meeting=meeting, title="Financer le soutien scolaire du Mont-Mesly")


@pytest.fixture
def troika(user_in, creteil):
    """One account per pillar of Créteil's troïka."""
    return {pillar: user_in(role, creteil, first_name=pillar.label.split()[0]) for pillar, role in TROIKA.items()}


def answer(user, decision, pillar, verdict=Verdict.APPROVED, reason=""):
    return answer_decision(actor=user, decision=decision, pillar=pillar, verdict=verdict, reason=reason)


def status_of(decision) -> str:
    return Decision.objects.values_list("status", flat=True).get(pk=decision.pk)


# Services


def test_a_decision_is_validated_only_once_the_three_pillars_approve(troika, decision):
    answer(troika[Pillar.STATE], decision, Pillar.STATE)
    answer(troika[Pillar.EDUCATION], decision, Pillar.EDUCATION)
    assert status_of(decision) == DecisionStatus.PENDING
    assert not Event.objects.filter(verb=Verb.DECISION_VALIDATED).exists()

    validated = answer(troika[Pillar.CITY], decision, Pillar.CITY)
    assert validated.status == status_of(decision) == DecisionStatus.VALIDATED
    assert validated.closed_at is not None
    verbs = list(Event.objects.for_object(decision).order_by("pk").values_list("verb", "actor"))
    assert verbs == [
        (Verb.DECISION_APPROVED, troika[Pillar.STATE].pk),
        (Verb.DECISION_APPROVED, troika[Pillar.EDUCATION].pk),
        (Verb.DECISION_APPROVED, troika[Pillar.CITY].pk),
        (Verb.DECISION_VALIDATED, troika[Pillar.CITY].pk),
    ]


def test_one_pillar_rejects_with_a_reason_and_closes_the_decision(troika, decision):
    answer(troika[Pillar.STATE], decision, Pillar.STATE)
    rejected = answer(troika[Pillar.CITY], decision, Pillar.CITY, Verdict.REJECTED, "  Budget déjà engagé.  ")
    assert rejected.status == status_of(decision) == DecisionStatus.REJECTED
    approval = Approval.objects.get(decision=decision, pillar=Pillar.CITY)
    assert (approval.verdict, approval.reason, approval.user) == (
        Verdict.REJECTED,
        "Budget déjà engagé.",
        troika[Pillar.CITY],
    )
    event = Event.objects.get(verb=Verb.DECISION_REJECTED)
    assert "Budget déjà engagé." in event.summary and event.after["motif"] == "Budget déjà engagé."
    with pytest.raises(ValidationError, match="déjà rejetée"):
        answer(troika[Pillar.EDUCATION], decision, Pillar.EDUCATION)
    assert decision.approvals.count() == 2


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_rejection_needs_a_reason_and_changes_nothing_without(troika, decision, reason):
    with pytest.raises(ValidationError) as error:
        answer(troika[Pillar.EDUCATION], decision, Pillar.EDUCATION, Verdict.REJECTED, reason)
    assert error.value.message_dict == {"reason": ["Indiquez le motif du rejet : il est obligatoire."]}
    assert status_of(decision) == DecisionStatus.PENDING
    assert not Approval.objects.exists() and not Event.objects.for_object(decision).exists()


def test_a_pillar_answers_once(troika, user_in, creteil, decision):
    answer(troika[Pillar.STATE], decision, Pillar.STATE)
    colleague = user_in(Role.TROIKA_STATE.value, creteil)  # another member of the same pillar
    with pytest.raises(ValidationError, match="a déjà donné son avis"):
        answer(colleague, decision, Pillar.STATE)
    with pytest.raises(ValidationError, match="a déjà donné son avis"):
        answer(troika[Pillar.STATE], decision, Pillar.STATE, Verdict.REJECTED, "Finalement non")
    assert decision.approvals.count() == 1 and status_of(decision) == DecisionStatus.PENDING


@pytest.mark.parametrize("role", [role for role in ALL_CITE_ROLES if role not in TROIKA.values()])
def test_a_role_outside_the_troika_cannot_answer(user_in, creteil, decision, role):
    user = user_in(role, creteil)
    for pillar in Pillar:
        with pytest.raises(ValidationError, match="Vous ne siégez pas"):
            answer(user, decision, pillar)
    assert not Approval.objects.exists()


def test_a_member_answers_only_for_their_own_pillar_and_cite(troika, user_in, other_cite, decision):
    with pytest.raises(ValidationError, match="Éducation nationale"):
        answer(troika[Pillar.STATE], decision, Pillar.EDUCATION)
    elsewhere = user_in(Role.TROIKA_CITY.value, other_cite)
    with pytest.raises(ValidationError, match="Vous ne siégez pas"):
        answer(elsewhere, decision, Pillar.CITY)
    admin = user_in("admin")
    with pytest.raises(ValidationError, match="Vous ne siégez pas"):
        answer(admin, decision, Pillar.CITY)
    assert not Approval.objects.exists()


def test_a_member_of_two_pillars_answers_for_each_separately(user_in, creteil, troika, decision):
    both = user_in(Role.TROIKA_STATE.value, creteil)
    grant(both, creteil, Role.TROIKA_CITY)
    answer(both, decision, Pillar.STATE)
    answer(both, decision, Pillar.CITY)
    assert status_of(decision) == DecisionStatus.PENDING
    answer(troika[Pillar.EDUCATION], decision, Pillar.EDUCATION)
    assert status_of(decision) == DecisionStatus.VALIDATED


def test_bad_pillar_or_verdict_is_refused(troika, decision):
    with pytest.raises(ValidationError, match="n'existe pas"):
        answer(troika[Pillar.STATE], decision, "mayor")
    with pytest.raises(ValidationError, match="approuver ou de rejeter"):
        answer(troika[Pillar.STATE], decision, Pillar.STATE, "maybe")


def test_propose_decision_checks_the_organisation_and_logs(user_in, creteil, other_cite, meeting):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    local = OrganisationFactory(cites=[creteil], name="Club de football de Créteil")
    decision = propose_decision(
        actor=coordinator, meeting=meeting, title=" Soutien au club ", text="Le club reçoit…", organisation=local
    )
    assert (decision.cite, decision.title, decision.status, decision.proposed_by) == (
        creteil,
        "Soutien au club",
        DecisionStatus.PENDING,
        coordinator,
    )
    event = Event.objects.get(verb=Verb.CREATED, object_id=str(decision.pk))
    assert event.cite == creteil and "Club de football de Créteil" in event.summary

    elsewhere = OrganisationFactory(cites=[other_cite])
    with pytest.raises(ValidationError) as error:
        propose_decision(actor=coordinator, meeting=meeting, title="Autre", text="…", organisation=elsewhere)
    assert "n'intervient pas dans la cité" in error.value.message_dict["organisation"][0]
    with pytest.raises(ValidationError) as error:
        propose_decision(actor=coordinator, meeting=meeting, title=" ", text="")
    assert set(error.value.message_dict) == {"title", "text"}
    assert Decision.objects.count() == 1


# Pages


def test_anonymous_visitors_are_sent_to_the_login_page(client, decision):
    urls = [
        reverse("governance:decision_detail", args=[decision.pk]),
        reverse("governance:decision_create", args=[decision.meeting_id]),
        reverse("governance:decision_register", args=["cite-021"]),
        reverse("governance:decision_export", args=["cite-021"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))
    response = client.post(reverse("governance:decision_answer", args=[decision.pk]), {"verdict": "approved"})
    assert response.status_code == 302
    assert not Approval.objects.exists()


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_role_of_the_cite_reads_a_decision(client, signed_in, decision, role):
    signed_in(role)
    response = client.get(reverse("governance:decision_detail", args=[decision.pk]))
    assert response.status_code == 200
    assert decision.title in response.text
    assert "En attente de son avis" in response.text
    can_answer = role in TROIKA.values()
    assert ('name="verdict" value="approved"' in response.text) == can_answer
    assert (response.context["form"] is not None) == can_answer


@pytest.mark.parametrize("role", [*ALL_CITE_ROLES])
def test_a_user_of_another_cite_neither_sees_nor_answers(client, signed_in, other_cite, decision, role):
    signed_in(role, other_cite)
    assert client.get(reverse("governance:decision_detail", args=[decision.pk])).status_code == 403
    response = client.post(
        reverse("governance:decision_answer", args=[decision.pk]), {"pillar": "city", "verdict": "approved"}
    )
    assert response.status_code == 403
    register = client.get(reverse("governance:decision_register", args=[other_cite.anct_id]))
    assert register.status_code == 200 and decision.title not in register.text
    assert client.get(reverse("governance:decision_register", args=["cite-021"])).status_code == 403
    assert client.get(reverse("governance:decision_export", args=["cite-021"])).status_code == 403
    assert not Approval.objects.exists()


def test_unknown_decision_is_not_found(client, signed_in):
    signed_in(Role.NATIONAL.value)
    assert client.get(reverse("governance:decision_detail", args=[999999])).status_code == 404
    assert client.get(reverse("governance:decision_register", args=["cite-999"])).status_code == 404


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_answers_a_decision(client, signed_in, decision, role):
    user = signed_in(role)
    pillar = next((pillar for pillar, troika_role in TROIKA.items() if troika_role == role), Pillar.STATE)
    response = client.post(
        reverse("governance:decision_answer", args=[decision.pk]), {"pillar": pillar.value, "verdict": "approved"}
    )
    if role in TROIKA.values():
        assert response.status_code == 302
        assert response["Location"] == reverse("governance:decision_detail", args=[decision.pk])
        assert Approval.objects.get().user == user
    else:
        assert response.status_code == 403
        assert not Approval.objects.exists()


def test_the_answer_form_through_the_pages(client, signed_in, troika, decision):
    url = reverse("governance:decision_answer", args=[decision.pk])
    detail = reverse("governance:decision_detail", args=[decision.pk])
    for pillar in (Pillar.STATE, Pillar.EDUCATION):
        client.force_login(troika[pillar])
        client.post(url, {"pillar": pillar.value, "verdict": "approved"})
    page = client.get(detail)
    assert "en attente de validation" in page.text.lower()
    assert page.context["form"] is None  # the education pillar has answered
    assert f"par {troika[Pillar.STATE]}" in page.text

    client.force_login(troika[Pillar.CITY])
    response = client.post(url, {"pillar": "city", "verdict": "approved"}, follow=True)
    assert "la décision est validée par la troïka" in response.text
    assert status_of(decision) == DecisionStatus.VALIDATED
    assert response.context["form"] is None
    history = response.context["events"]
    assert [event.verb for event in history][:2] == [Verb.DECISION_VALIDATED, Verb.DECISION_APPROVED]
    assert "Approuvée par les trois piliers de la troïka" in response.text


def test_the_rejection_form_needs_a_reason(client, troika, decision):
    client.force_login(troika[Pillar.EDUCATION])
    url = reverse("governance:decision_answer", args=[decision.pk])
    response = client.post(url, {"pillar": "education", "verdict": "rejected", "reason": "  "})
    assert response.status_code == 200
    assert "Indiquez le motif du rejet : il est obligatoire." in response.text
    assert 'aria-invalid="true"' in response.text
    assert status_of(decision) == DecisionStatus.PENDING and not Approval.objects.exists()

    response = client.post(
        url, {"pillar": "education", "verdict": "rejected", "reason": "Hors priorités."}, follow=True
    )
    assert status_of(decision) == DecisionStatus.REJECTED
    assert "Hors priorités." in response.text and "Rejetée" in response.text


def test_answering_twice_through_the_page_shows_a_french_error(client, troika, decision):
    client.force_login(troika[Pillar.CITY])
    url = reverse("governance:decision_answer", args=[decision.pk])
    client.post(url, {"pillar": "city", "verdict": "approved"})
    response = client.post(url, {"pillar": "city", "verdict": "rejected", "reason": "Je change d'avis"})
    assert response.status_code == 200
    assert "a déjà donné son avis" in response.text
    assert Approval.objects.get().verdict == Verdict.APPROVED


def test_a_member_of_two_pillars_chooses_which_one(client, user_in, creteil, decision):
    both = user_in(Role.TROIKA_STATE.value, creteil)
    grant(both, creteil, Role.TROIKA_EDUCATION)
    client.force_login(both)
    page = client.get(reverse("governance:decision_detail", args=[decision.pk]))
    assert "Vous répondez au titre du pilier" in page.text
    url = reverse("governance:decision_answer", args=[decision.pk])
    response = client.post(url, {"verdict": "approved"})
    assert "Choisissez le pilier au titre duquel vous répondez." in response.text
    client.post(url, {"pillar": "education", "verdict": "approved"})
    assert list(Approval.objects.values_list("pillar", flat=True)) == ["education"]
    page = client.get(reverse("governance:decision_detail", args=[decision.pk]))
    assert "Vous répondez au titre du pilier" not in page.text  # only the state pillar is left
    assert page.context["form"].fields["pillar"].initial == "state"


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_proposes_a_decision(client, signed_in, creteil, meeting, role):
    signed_in(role)
    url = reverse("governance:decision_create", args=[meeting.pk])
    allowed = role in PROPOSERS
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, {"title": "Ouvrir un club lecture", "text": "La médiathèque ouvre…"})
    assert response.status_code == (302 if allowed else 403)
    assert Decision.objects.filter(title="Ouvrir un club lecture").exists() == allowed


def test_a_coordinator_cannot_propose_in_another_cite(client, signed_in, other_cite, meeting):
    signed_in(Role.COORDINATOR.value, other_cite)
    assert client.get(reverse("governance:decision_create", args=[meeting.pk])).status_code == 403


def test_the_decision_form_offers_only_the_cite_organisations(client, signed_in, creteil, other_cite, meeting):
    signed_in(Role.COORDINATOR.value)
    local = OrganisationFactory(cites=[creteil])
    elsewhere = OrganisationFactory(cites=[other_cite])
    url = reverse("governance:decision_create", args=[meeting.pk])
    choices = list(client.get(url).context["form"].fields["organisation"].queryset)
    assert local in choices and elsewhere not in choices
    response = client.post(url, {"title": "T", "text": "X", "organisation": elsewhere.pk})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.text
    response = client.post(url, {"title": "T", "text": "X", "organisation": local.pk})
    decision = Decision.objects.get()
    assert response["Location"] == reverse("governance:decision_detail", args=[decision.pk])
    assert decision.organisation == local


@pytest.mark.parametrize(
    ("role", "proposes", "adds_tasks"),
    [
        (Role.COORDINATOR.value, True, True),
        (Role.TROIKA_CITY.value, True, True),
        (Role.SCHOOL_CONTACT.value, False, False),
    ],
)
def test_the_meeting_page_lists_its_decisions_and_tasks(client, signed_in, decision, role, proposes, adds_tasks):
    holder = signed_in(role)
    TaskFactory(cite=decision.cite, meeting=decision.meeting, owner=holder, title="Rédiger le relevé de décisions")
    page = client.get(decision.meeting.get_absolute_url()).text
    assert reverse("governance:decision_detail", args=[decision.pk]) in page
    assert "En attente de validation" in page and "Ville : en attente" in page
    assert "Rédiger le relevé de décisions" in page
    assert ("Proposer une décision" in page) == proposes
    assert (reverse("governance:task_create", args=[decision.meeting_id]) in page) == adds_tasks


def test_decisions_are_numbered_in_the_register_of_their_cite(creteil, other_cite, user_in):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    here = MeetingFactory(body__cite=creteil)
    elsewhere = MeetingFactory(body__cite=other_cite)
    first = propose_decision(actor=coordinator, meeting=here, title="Première", text="Texte.")
    other = propose_decision(actor=None, meeting=elsewhere, title="Ailleurs", text="Texte.")
    second = propose_decision(actor=coordinator, meeting=here, title="Seconde", text="Texte.")
    assert (first.number, second.number, other.number) == (1, 2, 1)
