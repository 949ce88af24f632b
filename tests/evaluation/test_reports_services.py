"""Action reports (bilans): the due date, saving a draft (incomplete allowed, wrong figures refused), submitting
it (every missing item named; the action closed through its recorded transitions), and who may do it.

The helpers and fixtures at the top (`reporting_action`, `complete_report`, `organisation`, `holder`, `action`) are
shared with the view and reminder tests."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from maillage.core.models import AgeBand, Event, Role, SpendingCategory, Verb
from maillage.evaluation.models import ActionReport, ReachLine, ReportStatus, SpendingLine, report_due_on
from maillage.evaluation.services.reports import (
    ALREADY_SUBMITTED,
    NOT_THE_HOLDER,
    last_late_year,
    missing_items,
    report_of,
    report_state,
    save_report,
    submit_report,
)
from maillage.programme.models import Action, ActionStatus, BudgetLine
from tests.factories import ActionFactory, CallFactory, OrganisationFactory, holder_of

YEAR = 2023


def band(code: str) -> AgeBand:
    return AgeBand.objects.get(code=code)


def category(code: str) -> SpendingCategory:
    return SpendingCategory.objects.get(code=code)


def reporting_action(cite, organisation=None, *, status=ActionStatus.RUNNING, year=YEAR, **fields) -> Action:
    """An action of `year`'s call in `status`, budgeted 5 000 € of actions and 500 € of communication."""
    call = CallFactory(cite=cite, year=year)
    action = ActionFactory(
        call=call, status=status, **({"organisation": organisation} if organisation else {}), **fields
    )
    BudgetLine.objects.create(action=action, category=category("actions"), amount=Decimal("5000"))
    BudgetLine.objects.create(action=action, category=category("communication"), amount=Decimal("500"))
    return action


def complete_report(**changes) -> dict:
    """A complete report: 28 people reached (18 of them in a QPV), 30 sessions, 45.5 hours, spending for both
    budgeted categories (nothing spent on communication)."""
    data = {
        "reach": {band("6-10").pk: (12, 10), band("parents").pk: (5, 1)},
        "qpv_residents": 18,
        "sessions": 30,
        "hours": Decimal("45.5"),
        "spending": {category("actions").pk: Decimal("4800.50"), category("communication").pk: Decimal("0")},
        "achievements": "Les enfants sont venus chaque semaine ; les parents ont pris part aux ateliers.",
        "difficulties": "Peu de garçons de 11 à 14 ans ; une salle trop petite en hiver.",
        "outlook": "Reconduire l'action en 2024 avec le collège.",
    }
    data.update(changes)
    return data


def empty_report() -> dict:
    return {
        "reach": {},
        "qpv_residents": None,
        "sessions": None,
        "hours": None,
        "spending": {},
        "achievements": "",
        "difficulties": "",
        "outlook": "",
    }


@pytest.fixture
def organisation(creteil):
    return OrganisationFactory(cites=[creteil], name="Ludothèque du Mont-Mesly", email="contact@ludotheque.example.fr")


@pytest.fixture
def holder(organisation, creteil):
    return holder_of(organisation, creteil, email="porteuse@ludotheque.example.fr")


@pytest.fixture
def action(creteil, organisation, holder):
    """A running action of the 2023 call, held by `holder`."""
    return reporting_action(creteil, organisation, title="Jeux de société en famille")


def status_of(action) -> str:
    """The action's status in the database (django-fsm-2 protects the field from `refresh_from_db`)."""
    return Action.objects.values_list("status", flat=True).get(pk=action.pk)


def status_changes(action) -> list[str]:
    events = Event.objects.for_object(action).filter(verb=Verb.ACTION_STATUS_CHANGED).order_by("occurred_at", "pk")
    return [event.summary for event in events]


# Due date ------------------------------------------------------------------------------------------------------


def test_the_report_is_due_six_months_after_the_end_of_the_financial_year(creteil, organisation):
    assert report_due_on(2023) == date(2024, 6, 30)
    action = reporting_action(creteil, organisation, year=2023)
    on_due_date = report_state(action, date(2024, 6, 30), None)
    assert on_due_date.due_on == date(2024, 6, 30)
    assert not on_due_date.is_late and on_due_date.days_late == 0
    day_after = report_state(action, date(2024, 7, 1), ReportStatus.DRAFT)
    assert day_after.is_late and day_after.days_late == 1
    assert report_state(action, date(2024, 9, 1), None).days_late == 63
    submitted = report_state(action, date(2025, 1, 1), ReportStatus.SUBMITTED)
    assert not submitted.is_late and submitted.days_late == 0


@pytest.mark.parametrize(
    ("today", "late_until"),
    [(date(2024, 6, 30), 2022), (date(2024, 7, 1), 2023), (date(2024, 12, 31), 2023), (date(2025, 1, 1), 2023)],
)
def test_the_latest_late_year_follows_the_due_date(today, late_until):
    assert last_late_year(today) == late_until
    assert report_due_on(late_until) < today <= report_due_on(late_until + 1)


def test_the_state_names_the_report_status(creteil, organisation):
    action = reporting_action(creteil, organisation)
    today = date(2024, 1, 1)
    assert [report_state(action, today, status).label for status in (None, "draft", "submitted")] == [
        "Non rédigé",
        "Brouillon",
        "Déposé",
    ]


# Saving a draft ------------------------------------------------------------------------------------------------


def test_the_holder_saves_an_incomplete_draft_then_completes_it(holder, action):
    draft = save_report(actor=holder, action=action, **empty_report() | {"sessions": 3})
    assert draft.status == ReportStatus.DRAFT
    assert draft.cite_id == action.cite_id and draft.created_by == holder
    assert draft.sessions == 3 and not draft.reach_lines.exists()
    assert Event.objects.for_object(draft).get().verb == Verb.CREATED

    report = save_report(actor=holder, action=action, **complete_report())
    assert report.pk == draft.pk
    assert report.qpv_residents == 18 and report.hours == Decimal("45.5")
    lines = {line.age_band.code: (line.female, line.male) for line in report.reach_lines.select_related("age_band")}
    assert lines == {"6-10": (12, 10), "parents": (5, 1)}
    spent = {line.category.code: line.amount for line in report.spending_lines.select_related("category")}
    assert spent == {"actions": Decimal("4800.50"), "communication": Decimal("0")}
    update = Event.objects.for_object(report).filter(verb=Verb.UPDATED).get()
    assert update.before["séances"] == 3 and update.after["bénéficiaires"] == 28

    save_report(actor=holder, action=action, **complete_report(reach={band("11-14").pk: (0, 4)}, qpv_residents=4))
    assert list(ReachLine.objects.filter(report=report).values_list("age_band__code", "female", "male")) == [
        ("11-14", 0, 4)
    ]


def test_a_band_with_nobody_reached_is_not_stored(holder, action):
    report = save_report(
        actor=holder,
        action=action,
        **complete_report(reach={band("6-10").pk: (3, 0), band("0-2").pk: (0, 0)}, qpv_residents=2),
    )
    assert list(report.reach_lines.values_list("age_band__code", flat=True)) == ["6-10"]


def test_qpv_residents_cannot_outnumber_the_people_reached(holder, action):
    with pytest.raises(ValidationError) as error:
        save_report(actor=holder, action=action, **complete_report(qpv_residents=29))
    assert error.value.message_dict["qpv_residents"] == [
        "Les résidents d'un QPV (29) ne peuvent pas dépasser le nombre de personnes touchées (28)."
    ]
    assert not ActionReport.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reach": {"6-10": (-1, 3)}}, "reach", "6-10 ans : saisissez un nombre entier, positif ou nul"),
        ({"reach": {"6-10": (2.5, 3)}}, "reach", "6-10 ans : saisissez un nombre entier"),
        ({"reach": {"6-10": (True, 3)}}, "reach", "6-10 ans : saisissez un nombre entier"),
        ({"sessions": -2}, "sessions", "Saisissez un nombre entier, positif ou nul"),
        ({"qpv_residents": 1_000_001}, "qpv_residents", "un million au plus"),
        ({"hours": Decimal("12.25")}, "hours", "Indiquez les heures avec une décimale au plus"),
        ({"hours": Decimal("-1")}, "hours", "Le nombre d'heures ne peut pas être négatif."),
        ({"hours": "douze"}, "hours", "Saisissez un nombre d'heures"),
        ({"spending": {"actions": Decimal("-10")}}, "spending", "Actions : Un montant ne peut pas être négatif."),
        ({"spending": {"actions": Decimal("10.123")}}, "spending", "Actions : Saisissez un montant en euros"),
    ],
)
def test_wrong_figures_are_refused_and_nothing_is_written(holder, action, changes, field, message):
    changes = dict(changes)
    if "reach" in changes:
        changes["reach"] = {band(code).pk: counts for code, counts in changes["reach"].items()}
    if "spending" in changes:
        changes["spending"] = {category(code).pk: amount for code, amount in changes["spending"].items()}
    with pytest.raises(ValidationError) as error:
        save_report(actor=holder, action=action, **complete_report(**changes))
    assert message in error.value.message_dict[field][0]
    assert not ActionReport.objects.exists()


def test_a_refused_change_keeps_the_saved_draft(holder, action):
    save_report(actor=holder, action=action, **complete_report())
    with pytest.raises(ValidationError):
        save_report(actor=holder, action=action, **complete_report(sessions=-1, reach={}))
    report = ActionReport.objects.get()
    assert report.sessions == 30 and report.reach_lines.count() == 2


# Who may write -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "evaluator", "other_holder", "national"])
def test_only_the_holder_writes_the_report(user_in, creteil, holder, action, who):
    other_holder = who == "other_holder"
    actor = holder_of(OrganisationFactory(cites=[creteil]), creteil) if other_holder else user_in(who, creteil)
    with pytest.raises(ValidationError) as error:
        save_report(actor=actor, action=action, **complete_report())
    assert error.value.messages == [NOT_THE_HOLDER]
    save_report(actor=holder, action=action, **complete_report())
    with pytest.raises(ValidationError) as error:
        submit_report(actor=actor, action=action)
    assert error.value.messages == [NOT_THE_HOLDER]
    assert ActionReport.objects.get().status == ReportStatus.DRAFT


@pytest.mark.parametrize("status", [ActionStatus.SUBMITTED, ActionStatus.SELECTED, ActionStatus.REJECTED])
def test_an_action_not_yet_funded_owes_no_report(creteil, organisation, holder, status):
    action = reporting_action(creteil, organisation, status=status)
    with pytest.raises(ValidationError) as error:
        save_report(actor=holder, action=action, **complete_report())
    assert "elle n'attend pas de bilan" in error.value.messages[0]


# Submitting ----------------------------------------------------------------------------------------------------


def test_submitting_names_every_missing_item(holder, action):
    save_report(actor=holder, action=action, **empty_report())
    with pytest.raises(ValidationError) as error:
        submit_report(actor=holder, action=action)
    assert error.value.messages == [
        "Indiquez les personnes touchées par tranche d'âge et par sexe (au moins une).",
        "Indiquez combien de bénéficiaires résident dans un quartier prioritaire (0 si aucun).",
        "Indiquez le nombre de séances.",
        "Indiquez le nombre d'heures.",
        "Indiquez la dépense réelle (0 si rien n'a été dépensé) pour : Communication, Actions.",
        "Décrivez ce qui a fonctionné.",
        "Décrivez ce qui n'a pas fonctionné, les difficultés rencontrées.",
    ]
    assert status_of(action) == ActionStatus.RUNNING
    assert ActionReport.objects.get().status == ReportStatus.DRAFT


def test_one_missing_spending_category_is_named(holder, action):
    save_report(actor=holder, action=action, **complete_report(spending={category("actions").pk: Decimal("10")}))
    with pytest.raises(ValidationError) as error:
        submit_report(actor=holder, action=action)
    assert error.value.messages == ["Indiquez la dépense réelle (0 si rien n'a été dépensé) pour : Communication."]


def test_zero_qpv_residents_and_zero_spending_count_as_given(holder, action):
    save_report(actor=holder, action=action, **complete_report(qpv_residents=0))
    assert missing_items(report_of(action)) == []


def test_a_report_not_written_cannot_be_submitted(holder, action):
    with pytest.raises(ValidationError) as error:
        submit_report(actor=holder, action=action)
    assert "Indiquez le nombre de séances." in error.value.messages
    assert not ActionReport.objects.exists()


def test_submitting_closes_a_running_action_through_two_recorded_transitions(
    holder, action, mailoutbox, django_capture_on_commit_callbacks
):
    save_report(actor=holder, action=action, **complete_report())
    with django_capture_on_commit_callbacks(execute=True):
        report = submit_report(actor=holder, action=action)
    assert status_of(action) == ActionStatus.CLOSED
    assert status_changes(action) == [
        "Statut : en cours → réalisée (bilan déposé)",
        "Statut : réalisée → clôturée (bilan déposé)",
    ]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == holder and report.submitted_at is not None
    assert Event.objects.for_object(report).filter(verb=Verb.REPORT_SUBMITTED).count() == 1
    assert [message.to for message in mailoutbox] == [["contact@ludotheque.example.fr", holder.email]] * 2


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.NOT_DONE, ActionStatus.POSTPONED])
def test_an_ended_action_is_closed_in_one_transition(creteil, organisation, holder, status):
    action = reporting_action(creteil, organisation, status=status)
    save_report(actor=holder, action=action, **complete_report())
    submit_report(actor=holder, action=action)
    assert status_of(action) == ActionStatus.CLOSED
    assert len(status_changes(action)) == 1


def test_an_action_not_started_is_refused_with_what_to_do(creteil, organisation, holder):
    action = reporting_action(creteil, organisation, status=ActionStatus.AGREED)
    save_report(actor=holder, action=action, **complete_report())
    with pytest.raises(ValidationError) as error:
        submit_report(actor=holder, action=action)
    assert "L'action n'a pas démarré" in error.value.messages[0]
    assert "démarrez-la, ou déclarez-la non réalisée" in error.value.messages[0]
    assert status_of(action) == ActionStatus.AGREED
    assert status_changes(action) == []
    assert ActionReport.objects.get().status == ReportStatus.DRAFT


def test_a_submitted_report_cannot_be_changed(holder, action):
    save_report(actor=holder, action=action, **complete_report())
    submit_report(actor=holder, action=action)
    with pytest.raises(ValidationError) as error:
        save_report(actor=holder, action=action, **complete_report(sessions=99))
    assert error.value.messages == [ALREADY_SUBMITTED]
    with pytest.raises(ValidationError) as error:
        submit_report(actor=holder, action=action)
    assert error.value.messages == [ALREADY_SUBMITTED]
    report = ActionReport.objects.get()
    assert report.sessions == 30
    assert SpendingLine.objects.filter(report=report).count() == 2


def test_the_report_permissions_of_a_holder(holder, action, user_in, creteil):
    """The holder may write a report not written yet and a draft, and no longer a submitted report; the evaluator
    never reads one (aggregates only), the coordinator does."""
    assert holder.has_perm("evaluation.write_report", report_of(action))
    report = save_report(actor=holder, action=action, **complete_report())
    assert holder.has_perm("evaluation.write_report", report)
    assert not user_in(Role.EVALUATOR, creteil).has_perm("evaluation.view_report", report)
    assert user_in(Role.COORDINATOR, creteil).has_perm("evaluation.view_report", report)
    submit_report(actor=holder, action=action)
    report.refresh_from_db()
    assert not holder.has_perm("evaluation.write_report", report)
    assert holder.has_perm("evaluation.view_report", report)
