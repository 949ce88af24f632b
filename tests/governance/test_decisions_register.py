"""The register of a cité's decisions: filters, pagination, the XLSX export, fixed query counts."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from maillage.core.models import CITE_ROLES, Role
from maillage.governance.models import Approval, Decision, Pillar, Verdict
from maillage.governance.services.decisions import answer_decision
from tests.factories import BodyFactory, DecisionFactory, MeetingFactory, OrganisationFactory, troika_of
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
MAX_QUERIES = {"decision_register": 10}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def at(day: date, hour: int = 18):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def troika(user_in, creteil):
    roles = {Pillar.STATE: Role.TROIKA_STATE, Pillar.EDUCATION: Role.TROIKA_EDUCATION, Pillar.CITY: Role.TROIKA_CITY}
    return {pillar: user_in(role.value, creteil, first_name=pillar.name.title()) for pillar, role in roles.items()}


@pytest.fixture
def register(creteil, troika):
    """Three decisions of Créteil: validated (troïka, January 2020), rejected and pending (COPIL, 2024)."""
    copil = BodyFactory(cite=creteil, name="COPIL de la cité")
    partners_day = MeetingFactory(
        body=troika_of(creteil), title="Rencontre des partenaires", starts_at=at(date(2020, 1, 21))
    )
    copil_meeting = MeetingFactory(body=copil, title="COPIL de printemps", starts_at=at(date(2024, 4, 2)))
    club = OrganisationFactory(cites=[creteil], name="Club de lecture du Mont-Mesly")
    validated = DecisionFactory(meeting=partners_day, title="Coordonner l'existant", organisation=club)
    rejected = DecisionFactory(meeting=copil_meeting, title="Acheter un minibus")
    pending = DecisionFactory(meeting=copil_meeting, title="Ouvrir une micro-folie")
    for pillar in Pillar:
        answer_decision(actor=troika[pillar], decision=validated, pillar=pillar, verdict=Verdict.APPROVED)
    answer_decision(actor=troika[Pillar.STATE], decision=rejected, pillar=Pillar.STATE, verdict=Verdict.APPROVED)
    answer_decision(
        actor=troika[Pillar.CITY], decision=rejected, pillar=Pillar.CITY, verdict=Verdict.REJECTED, reason="Trop cher."
    )
    return {"validated": validated, "rejected": rejected, "pending": pending, "copil": copil}


@pytest.fixture
def coordinator_client(client, user_in, creteil):
    client.force_login(user_in(Role.COORDINATOR.value, creteil))
    return client


def titles(response) -> list[str]:
    return [decision.title for decision in response.context["page_obj"]]


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_role_of_the_cite_reads_the_register(client, user_in, creteil, register, role):
    client.force_login(user_in(role, creteil))
    response = client.get(reverse("governance:decision_register", args=["cite-021"]))
    assert response.status_code == 200
    # Latest meeting first; at the same meeting, the latest decision first.
    assert titles(response) == ["Ouvrir une micro-folie", "Acheter un minibus", "Coordonner l'existant"]
    export = client.get(reverse("governance:decision_export", args=["cite-021"]))
    assert export.status_code == 200 and export["Content-Type"] == XLSX


@pytest.mark.parametrize("role", [role.value for role in CITE_ROLES])
def test_another_cite_user_gets_neither_register_nor_export(client, user_in, other_cite, register, role):
    client.force_login(user_in(role, other_cite))
    assert client.get(reverse("governance:decision_register", args=["cite-021"])).status_code == 403
    assert client.get(reverse("governance:decision_export", args=["cite-021"])).status_code == 403


def test_the_register_rows_show_each_pillar_answer(coordinator_client, register):
    response = coordinator_client.get(reverse("governance:decision_register", args=["cite-021"]))
    text = response.text
    assert "3 décisions" in text
    assert text.count("en attente de validation") >= 1 and "Validée" in text and "Rejetée" in text
    assert "Ville : rejetée le" in text and "Éducation nationale : en attente" in text
    assert "Club de lecture du Mont-Mesly" in text
    assert reverse("governance:decision_export", args=["cite-021"]) in text


def test_register_filters(coordinator_client, register):
    url = reverse("governance:decision_register", args=["cite-021"])
    assert titles(coordinator_client.get(url, {"status": "validated"})) == ["Coordonner l'existant"]
    assert titles(coordinator_client.get(url, {"status": "rejected"})) == ["Acheter un minibus"]
    assert set(titles(coordinator_client.get(url, {"body": register["copil"].pk}))) == {
        "Acheter un minibus",
        "Ouvrir une micro-folie",
    }
    assert titles(coordinator_client.get(url, {"date_to": "2020-01-21"})) == ["Coordonner l'existant"]
    assert len(titles(coordinator_client.get(url, {"date_from": "2020-01-22"}))) == 2
    assert titles(coordinator_client.get(url, {"date_from": "2024-04-02", "status": "pending"})) == [
        "Ouvrir une micro-folie"
    ]
    reversed_dates = coordinator_client.get(url, {"date_from": "2024-01-01", "date_to": "2020-01-01"})
    assert "La date de fin précède la date de début." in reversed_dates.text
    assert len(titles(reversed_dates)) == 3  # bad filters are ignored, not an error page


def test_a_body_of_another_cite_is_not_a_filter(coordinator_client, register, other_cite):
    elsewhere = BodyFactory(cite=other_cite)
    response = coordinator_client.get(
        reverse("governance:decision_register", args=["cite-021"]), {"body": elsewhere.pk}
    )
    assert response.status_code == 200 and "body" in response.context["form"].errors


def test_the_register_paginates(coordinator_client, creteil):
    meeting = MeetingFactory(body=troika_of(creteil))
    DecisionFactory.create_batch(25, meeting=meeting)
    url = reverse("governance:decision_register", args=["cite-021"])
    assert len(coordinator_client.get(url).context["page_obj"]) == 20
    second = coordinator_client.get(url, {"page": 2}).context["page_obj"]
    assert second.number == 2 and len(second) == 5


def read_export(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook["Décisions"].iter_rows(values_only=True))


def test_the_xlsx_export_lists_the_filtered_decisions(coordinator_client, register, troika):
    url = reverse("governance:decision_export", args=["cite-021"])
    response = coordinator_client.get(url)
    assert response["Content-Disposition"].startswith('attachment; filename="decisions-cite-021-')
    rows = read_export(response)
    assert rows[0] == (
        "N°",
        "Date",
        "Instance",
        "Réunion",
        "Intitulé",
        "Structure",
        "Statut",
        "Avis État",
        "Avis Éducation nationale",
        "Avis Ville",
        "Motif de rejet",
    )
    by_title = {row[4]: row for row in rows[1:]}
    assert set(by_title) == {"Coordonner l'existant", "Acheter un minibus", "Ouvrir une micro-folie"}
    validated = by_title["Coordonner l'existant"]
    assert validated[0] == register["validated"].number
    assert validated[1].date() == date(2020, 1, 21)
    assert validated[2:4] == ("Troïka", "Rencontre des partenaires")
    assert validated[5:7] == ("Club de lecture du Mont-Mesly", "validée")
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert validated[7] == f"approuvée le {today} par {troika[Pillar.STATE]}"
    rejected = by_title["Acheter un minibus"]
    assert rejected[6] == "rejetée" and rejected[8] == "en attente"
    assert rejected[9].startswith("rejetée le") and rejected[10] == "Trop cher."
    assert by_title["Ouvrir une micro-folie"][5] is None  # no organisation: an empty cell

    only_rejected = read_export(coordinator_client.get(url, {"status": "rejected", "page": 3}))
    assert [row[4] for row in only_rejected[1:]] == ["Acheter un minibus"]


def test_the_export_is_empty_but_valid_without_decisions(coordinator_client, creteil):
    rows = read_export(coordinator_client.get(reverse("governance:decision_export", args=["cite-021"])))
    assert len(rows) == 1


def add_answered_decisions(cite, count: int, troika) -> None:
    """`count` decisions, each with two approvals by named members, at several meetings and bodies."""
    bodies = [troika_of(cite), BodyFactory(cite=cite)]
    organisation = OrganisationFactory(cites=[cite])
    for number in range(count):
        meeting = MeetingFactory(body=bodies[number % 2], starts_at=timezone.now() - timedelta(days=number))
        decision = DecisionFactory(meeting=meeting, organisation=organisation if number % 3 else None)
        Approval.objects.bulk_create(
            Approval(decision=decision, pillar=pillar, verdict=Verdict.APPROVED, user=troika[pillar])
            for pillar in (Pillar.STATE, Pillar.CITY)
        )


def test_register_queries_do_not_grow_with_the_number_of_decisions(
    coordinator_client, creteil, troika, django_assert_max_num_queries
):
    url = reverse("governance:decision_register", args=["cite-021"]) + "?status=pending"
    add_answered_decisions(creteil, 3, troika)
    small = count_queries(coordinator_client, url)
    add_answered_decisions(creteil, 27, troika)
    large = count_queries(coordinator_client, url)
    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES["decision_register"]):
        response = coordinator_client.get(url)
    assert response.context["page_obj"].paginator.count == 30
    assert Decision.objects.filter(cite=creteil).count() == 30


def test_export_queries_do_not_grow_with_the_number_of_decisions(coordinator_client, creteil, troika):
    url = reverse("governance:decision_export", args=["cite-021"])
    add_answered_decisions(creteil, 3, troika)
    small = count_queries(coordinator_client, url)
    add_answered_decisions(creteil, 27, troika)
    assert count_queries(coordinator_client, url) == small
    assert len(read_export(coordinator_client.get(url))) == 31
