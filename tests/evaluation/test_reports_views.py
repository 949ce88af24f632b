"""Action report pages: who may read, write and submit a report and follow the late ones (every role, anonymous,
another cité), the form's grid and its French errors, the submission from the page, the late list and its filter,
the report block of the action page, and fixed query counts.

An evaluator sees aggregates, never names: no report page ever answers them."""

import html
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Role
from maillage.evaluation.models import (
    REPORT_READER_ROLES,
    ActionReport,
    ReminderKind,
    ReportReminder,
    ReportStatus,
)
from maillage.evaluation.services.reports import save_report, submit_report
from maillage.programme.models import ActionStatus
from tests.evaluation import test_reports_services as scenario
from tests.evaluation.test_reports_services import band, category, complete_report, reporting_action, status_of
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
READERS = {role.value for role in REPORT_READER_ROLES} | {"admin"}
FOLLOWERS = {"admin", "coordinator", "grant_officer", "troika_state", "troika_education", "troika_city"}
TODAY = datetime(2024, 9, 2, 10, 0)
"""The pages are looked at on 2 September 2024: the 2023 reports are late (due 30 June 2024), not the 2024 ones."""


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def in_september_2024():
    with time_machine.travel(TODAY, tick=False):
        yield


organisation, holder, action = scenario.organisation, scenario.holder, scenario.action  # shared fixtures


@pytest.fixture
def draft(holder, action):
    return save_report(actor=holder, action=action, **complete_report())


def report_url(action, name="report_detail"):
    return reverse(f"evaluation:{name}", args=[action.pk])


def list_url(cite, **params):
    url = reverse("evaluation:report_list", args=[cite.anct_id])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else "")


def form_data(**changes) -> dict:
    """What the holder's browser posts for a complete report, amounts typed the French way."""
    data = {
        "reach_6-10_female": "12",
        "reach_6-10_male": "10",
        "reach_parents_female": "5",
        "reach_parents_male": "1",
        "qpv_residents": "18",
        "sessions": "30",
        "hours": "45,5",
        "spending_actions": "4 800,50",
        "spending_communication": "0",
        "achievements": "Les enfants sont venus chaque semaine.",
        "difficulties": "Une salle trop petite en hiver.",
        "outlook": "",
    }
    data.update(changes)
    return data


def sign_in(client, user_in, role, cite):
    if role != "anonymous":
        client.force_login(user_in(role, cite))


# Permissions ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_reads_a_report(client, user_in, creteil, draft, action, role):
    """The cité's team reads reports one by one, except the evaluator (aggregates only) and the national level;
    a project holder of another organisation does not even see the action."""
    sign_in(client, user_in, role, creteil)
    expected = 200 if role in READERS else 404 if role == Role.PROJECT_HOLDER else 403
    assert client.get(report_url(action)).status_code == expected


def test_the_evaluator_never_gets_a_report_page(client, user_in, creteil, holder, draft, action):
    client.force_login(user_in(Role.EVALUATOR, creteil))
    for name in ("report_detail", "report_update"):
        assert client.get(report_url(action, name)).status_code == 403
    assert client.post(report_url(action, "report_submit"), {"confirm": "on"}).status_code == 403
    assert client.get(list_url(creteil)).status_code == 403


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_writes_and_submits_a_report(client, user_in, creteil, draft, action, role):
    """Only the holder (and an administrator, who may do anything) writes and submits."""
    sign_in(client, user_in, role, creteil)
    expected = 200 if role == "admin" else 404 if role == Role.PROJECT_HOLDER else 403
    assert client.get(report_url(action, "report_update")).status_code == expected
    response = client.post(report_url(action, "report_update"), form_data(sessions="99"))
    assert response.status_code == (302 if role == "admin" else expected)
    if role != "admin":
        assert client.post(report_url(action, "report_submit"), {"confirm": "on"}).status_code == expected
        assert ActionReport.objects.get().sessions == 30
        assert status_of(action) == ActionStatus.RUNNING


def test_the_holder_reads_writes_and_submits(client, holder, draft, action):
    client.force_login(holder)
    assert client.get(report_url(action)).status_code == 200
    assert client.get(report_url(action, "report_update")).status_code == 200
    assert client.post(report_url(action, "report_submit"), {"confirm": "on"}).status_code == 302
    assert ActionReport.objects.get().status == ReportStatus.SUBMITTED


def test_anonymous_visitors_and_other_cites_get_no_report(client, user_in, other_cite, creteil, draft, action):
    for name in ("report_detail", "report_update"):
        assert client.get(report_url(action, name)).status_code == 302  # to the login page
    assert client.post(report_url(action, "report_submit"), {"confirm": "on"}).status_code == 302
    assert client.get(list_url(creteil)).status_code == 302
    client.force_login(user_in(Role.COORDINATOR, other_cite))
    for name in ("report_detail", "report_update"):
        assert client.get(report_url(action, name)).status_code == 404
    assert client.post(report_url(action, "report_submit"), {"confirm": "on"}).status_code == 404
    assert client.get(list_url(creteil)).status_code == 403
    assert client.get(reverse("evaluation:report_list", args=["cite-inconnue"])).status_code == 404
    assert ActionReport.objects.get().status == ReportStatus.DRAFT


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_follows_the_late_reports(client, user_in, creteil, role):
    sign_in(client, user_in, role, creteil)
    assert client.get(list_url(creteil)).status_code == (200 if role in FOLLOWERS else 403)


# The report page -----------------------------------------------------------------------------------------------


def test_a_holder_without_a_report_sees_the_due_date_and_a_button(client, holder, action):
    client.force_login(holder)
    text = page_text(client.get(report_url(action)))
    assert "À déposer au plus tard le 30 juin 2024" in text
    assert "En retard de 64 jours" in text
    assert "Non rédigé" in text
    assert f'href="{report_url(action, "report_update")}">Rédiger le bilan' in text


def test_the_report_page_shows_the_figures_against_the_budget(client, user_in, creteil, draft, action):
    client.force_login(user_in(Role.COORDINATOR, creteil))
    text = page_text(client.get(report_url(action)))
    assert "Brouillon" in text and "En retard de 64 jours" in text
    assert '<th scope="row">6-10 ans</th><td class="fr-cell--right">12</td><td class="fr-cell--right">10</td>' in text
    assert '<th scope="row">Total</th><td class="fr-cell--right"><strong>17</strong></td>' in text  # girls and women
    assert "<strong>28</strong>" in text  # everybody
    assert "45,5" in text
    # Actions: 5 000 € planned, 4 800,50 € spent, 199,50 € less.
    assert "5\u202f000,00\u00a0€" in text and "4\u202f800,50\u00a0€" in text and "-199,50\u00a0€" in text
    assert "Peu de garçons de 11 à 14 ans ; une salle trop petite en hiver." in text
    assert "Déposer le bilan" not in text and "Modifier le bilan" not in text  # the coordinator only reads


def test_the_holder_is_told_what_is_missing_before_submitting(client, holder, action):
    save_report(actor=holder, action=action, **complete_report(sessions=None, achievements=""))
    client.force_login(holder)
    text = page_text(client.get(report_url(action)))
    assert "Indiquez le nombre de séances." in text and "Décrivez ce qui a fonctionné." in text
    assert "Déposer le bilan" not in text
    assert "Modifier le bilan" in text


# The form ------------------------------------------------------------------------------------------------------


def test_every_input_of_the_grid_has_a_label(client, holder, action):
    client.force_login(holder)
    text = page_text(client.get(report_url(action, "report_update")))
    assert '<label class="fr-label fr-sr-only" for="id_reach_6-10_female">6-10 ans — filles</label>' in text
    assert '<label class="fr-label fr-sr-only" for="id_reach_6-10_male">6-10 ans — garçons</label>' in text
    assert '<label class="fr-label fr-sr-only" for="id_reach_parents_female">Parents — femmes</label>' in text
    assert "Communication — dépense réelle" in text
    assert "Enregistrer le brouillon" in text


def test_the_holder_saves_a_draft_with_french_numbers(client, holder, action):
    client.force_login(holder)
    response = client.post(report_url(action, "report_update"), form_data())
    assert response.status_code == 302 and response.url == report_url(action)
    report = ActionReport.objects.get()
    assert report.hours == Decimal("45.5") and report.qpv_residents == 18
    assert {line.category.code: line.amount for line in report.spending_lines.all()} == {
        "actions": Decimal("4800.50"),
        "communication": Decimal("0"),
    }
    assert {line.age_band.code: line.total for line in report.reach_lines.all()} == {"6-10": 22, "parents": 6}


def test_an_incomplete_draft_is_saved_and_the_form_shows_it_back(client, holder, action):
    client.force_login(holder)
    data = {"reach_6-10_female": "3", "spending_actions": "", "hours": ""}
    assert client.post(report_url(action, "report_update"), data).status_code == 302
    report = ActionReport.objects.get()
    assert report.hours is None and not report.spending_lines.exists()
    text = page_text(client.get(report_url(action, "report_update")))
    assert 'name="reach_6-10_female" value="3"' in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"qpv_residents": "40"},
            "Les résidents d'un QPV (40) ne peuvent pas dépasser le nombre de personnes touchées (28).",
        ),
        ({"reach_6-10_female": "N/A"}, "Saisissez un nombre entier."),
        ({"reach_6-10_male": "-3"}, "Ce nombre ne peut pas être négatif."),
        ({"sessions": "2,5"}, "Saisissez un nombre entier."),
        ({"hours": "12,25"}, "Indiquez les heures avec une décimale au plus, par exemple 12,5."),
        ({"hours": "beaucoup"}, "Saisissez un nombre d'heures, par exemple 12,5."),
        ({"spending_actions": "-100"}, "Un montant ne peut pas être négatif."),
        ({"spending_actions": "cent euros"}, "Saisissez un montant en euros, par exemple 1 500,50."),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_changes(client, holder, draft, action, changes, message):
    client.force_login(holder)
    response = client.post(report_url(action, "report_update"), form_data(**changes))
    assert response.status_code == 200
    assert message in page_text(response)
    report = ActionReport.objects.get()
    assert report.sessions == 30 and report.qpv_residents == 18 and report.hours == Decimal("45.5")


def test_an_action_owing_no_report_sends_the_holder_back(client, creteil, organisation, holder):
    action = reporting_action(creteil, organisation, status=ActionStatus.SELECTED)
    client.force_login(holder)
    response = client.get(report_url(action, "report_update"), follow=True)
    assert "elle n'attend pas de bilan" in page_text(response)
    assert not ActionReport.objects.exists()


# Submitting from the page --------------------------------------------------------------------------------------


def test_the_holder_submits_after_confirming(client, holder, draft, action):
    client.force_login(holder)
    response = client.post(report_url(action, "report_submit"), {}, follow=True)
    assert "Cochez la case de confirmation pour déposer le bilan." in page_text(response)
    assert ActionReport.objects.get().status == ReportStatus.DRAFT
    response = client.post(report_url(action, "report_submit"), {"confirm": "on"}, follow=True)
    assert "Le bilan est déposé : l'action est clôturée." in page_text(response)
    assert status_of(action) == ActionStatus.CLOSED
    text = page_text(client.get(report_url(action)))
    assert "Déposé" in text and "En retard" not in text and "Modifier le bilan" not in text
    assert client.get(report_url(action, "report_update")).status_code == 403


def test_submission_errors_are_shown_on_the_report_page(client, holder, action):
    save_report(actor=holder, action=action, **complete_report(hours=None, spending={}))
    client.force_login(holder)
    response = client.post(report_url(action, "report_submit"), {"confirm": "on"}, follow=True)
    text = page_text(response)
    assert response.redirect_chain[-1][0] == report_url(action)
    assert "Indiquez le nombre d'heures." in text
    assert "Indiquez la dépense réelle (0 si rien n'a été dépensé) pour : Communication, Actions." in text
    assert status_of(action) == ActionStatus.RUNNING


def test_an_action_not_started_is_explained(client, creteil, organisation, holder):
    action = reporting_action(creteil, organisation, status=ActionStatus.AGREED)
    save_report(actor=holder, action=action, **complete_report())
    client.force_login(holder)
    text = page_text(client.get(report_url(action)))
    assert "l'action n'a pas démarré" in text
    response = client.post(report_url(action, "report_submit"), {"confirm": "on"}, follow=True)
    assert "L'action n'a pas démarré" in page_text(response)
    assert status_of(action) == ActionStatus.AGREED


# The late list -------------------------------------------------------------------------------------------------


@pytest.fixture
def reports_of_creteil(creteil, organisation, holder):
    """2023 (late on the 2 September 2024): one without a report, one draft, one submitted; 2024: one draft."""
    late_missing = reporting_action(creteil, organisation, title="A — sans bilan", year=2023)
    late_draft = reporting_action(creteil, organisation, title="B — brouillon", year=2023, status=ActionStatus.DONE)
    save_report(actor=holder, action=late_draft, **complete_report())
    submitted = reporting_action(creteil, organisation, title="C — déposé", year=2023, status=ActionStatus.DONE)
    save_report(actor=holder, action=submitted, **complete_report())
    submit_report(actor=holder, action=submitted)
    current = reporting_action(creteil, organisation, title="D — en cours", year=2024)
    save_report(actor=holder, action=current, **complete_report())
    reporting_action(creteil, organisation, title="E — non retenue", year=2024, status=ActionStatus.REJECTED)
    ReportReminder.objects.create(action=late_missing, kind=ReminderKind.UPCOMING, sent_on=date(2024, 5, 31))
    ReportReminder.objects.create(action=late_missing, kind=ReminderKind.LATE, sent_on=date(2024, 7, 1))
    return {"late_missing": late_missing, "late_draft": late_draft, "submitted": submitted, "current": current}


def listed(client, url) -> list[str]:
    return [action.title for action in client.get(url).context["page_obj"]]


def test_the_list_puts_the_late_reports_first(client, user_in, creteil, reports_of_creteil):
    client.force_login(user_in(Role.COORDINATOR, creteil))
    assert listed(client, list_url(creteil)) == ["A — sans bilan", "B — brouillon", "C — déposé", "D — en cours"]
    assert listed(client, list_url(creteil, etat="en-retard")) == ["A — sans bilan", "B — brouillon"]
    assert listed(client, list_url(creteil, etat="a-deposer")) == ["A — sans bilan", "B — brouillon", "D — en cours"]
    assert listed(client, list_url(creteil, etat="deposes")) == ["C — déposé"]
    assert listed(client, list_url(creteil, etat="nimporte")) == listed(client, list_url(creteil))
    text = page_text(client.get(list_url(creteil)))
    assert "En retard de 64 jours" in text
    assert "01/07/2024 (retard)" in text  # the last reminder sent
    assert "30/06/2024" in text and "30/06/2025" in text


def test_the_list_shows_only_the_cite_and_the_perimeter(client, user_in, creteil, other_cite, reports_of_creteil):
    reporting_action(other_cite, title="Ailleurs", year=2023)
    client.force_login(user_in(Role.COORDINATOR, creteil))
    assert "Ailleurs" not in listed(client, list_url(creteil))


# The action page -----------------------------------------------------------------------------------------------


def test_the_action_page_tells_where_the_report_stands(client, user_in, creteil, holder, action):
    client.force_login(holder)
    text = page_text(client.get(action.get_absolute_url()))
    assert "Bilan de l'action" in text and "À déposer au plus tard le 30 juin 2024" in text
    assert f'href="{report_url(action, "report_update")}">Rédiger le bilan' in text
    save_report(actor=holder, action=action, **complete_report())
    text = page_text(client.get(action.get_absolute_url()))
    assert "Compléter et déposer le bilan" in text and "Brouillon" in text

    client.force_login(user_in(Role.COORDINATOR, creteil))
    text = page_text(client.get(action.get_absolute_url()))
    assert f'href="{report_url(action)}">Voir le bilan' in text
    client.force_login(user_in(Role.EVALUATOR, creteil))
    text = page_text(client.get(action.get_absolute_url()))
    assert "Brouillon" in text and "En retard de 64 jours" in text
    assert report_url(action) not in text


def test_an_action_owing_no_report_has_no_report_block(client, creteil, organisation, holder):
    action = reporting_action(creteil, organisation, status=ActionStatus.SELECTED)
    client.force_login(holder)
    assert "Bilan de l'action" not in page_text(client.get(action.get_absolute_url()))


# Query counts --------------------------------------------------------------------------------------------------


def add_actions(cite, organisation, holder, count: int) -> None:
    """`count` late actions with a draft report and a reminder, and `count` current ones without a report."""
    for number in range(count):
        late = reporting_action(cite, organisation, title=f"Action en retard {number}", year=2023)
        save_report(actor=holder, action=late, **complete_report())
        ReportReminder.objects.create(action=late, kind=ReminderKind.LATE, sent_on=date(2024, 7, 1))
        reporting_action(cite, organisation, title=f"Action en cours {number}", year=2024)


@pytest.mark.parametrize("etat", ["", "en-retard", "deposes"])
def test_the_list_runs_a_fixed_number_of_queries(client, user_in, creteil, organisation, holder, etat):
    client.force_login(user_in(Role.COORDINATOR, creteil))
    add_actions(creteil, organisation, holder, 1)
    small = count_queries(client, list_url(creteil, etat=etat))
    add_actions(creteil, organisation, holder, 30)  # two pages
    assert count_queries(client, list_url(creteil, etat=etat)) == small


@pytest.mark.parametrize("viewer", ["holder", "coordinator"])
def test_the_report_page_runs_a_fixed_number_of_queries(client, user_in, creteil, holder, action, viewer):
    client.force_login(holder if viewer == "holder" else user_in(Role.COORDINATOR, creteil))
    save_report(actor=holder, action=action, **complete_report(reach={band("6-10").pk: (20, 10)}))
    small = count_queries(client, report_url(action))
    reach = {band(code).pk: (10, 10) for code in ("0-2", "3-5", "6-10", "11-14", "15-17", "18-25", "parents")}
    spending = {category(code).pk: Decimal("10") for code in ("actions", "communication", "evaluation")}
    save_report(actor=holder, action=action, **complete_report(reach=reach, spending=spending))
    assert count_queries(client, report_url(action)) == small


def test_the_form_runs_a_fixed_number_of_queries(client, holder, action):
    client.force_login(holder)
    save_report(actor=holder, action=action, **complete_report(reach={band("6-10").pk: (20, 10)}))
    small = count_queries(client, report_url(action, "report_update"))
    reach = {band(code).pk: (10, 10) for code in ("0-2", "3-5", "6-10", "11-14", "15-17", "18-25")}
    save_report(actor=holder, action=action, **complete_report(reach=reach))
    assert count_queries(client, report_url(action, "report_update")) == small
