"""Action sheets, use cases: a holder's draft, amounts as French users type them, the submission's completeness,
its deadline and balanced funding plan, the e-mail and event of each status change, and the follow-up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.core.amounts import BAD_AMOUNT, HUGE_AMOUNT, NEGATIVE_AMOUNT, parse_amount
from maillage.core.models import AgeBand, Event, FundingSource, Role, SpendingCategory, Theme, TimeOfDay, Verb
from maillage.programme.models import Action, ActionStatus, BudgetLine, FundingRequest, NationalObjective
from maillage.programme.services import actions as services
from tests.factories import (
    ActionFactory,
    CallFactory,
    ObjectiveFactory,
    OrganisationFactory,
    UserFactory,
    grant,
    holder_of,
)


def category(code: str) -> SpendingCategory:
    return SpendingCategory.objects.get(code=code)


def source(code: str) -> FundingSource:
    return FundingSource.objects.get(code=code)


def complete_sheet(cite, year: int | None = None, **changes) -> dict:
    """A sheet the submission accepts: €12,000 of budget, fully funded by P147 and the commune."""
    year = year or timezone.localdate().year
    axis = ObjectiveFactory(cite=cite, national_objective=NationalObjective.CONTINUITY, title="Faire équipe")
    operational = ObjectiveFactory(cite=cite, national_objective=NationalObjective.CONTINUITY, parent=axis)
    sheet = {
        "title": "Café des parents au collège Laplace",
        "summary": "Un temps d'échange mensuel entre parents et équipe éducative.",
        "objectives": [operational],
        "themes": [Theme.objects.get(code="parentalite")],
        "age_bands": [AgeBand.objects.get(code="11-14")],
        "times_of_day": [TimeOfDay.objects.get(code="familial")],
        "schools": list(cite.schools.all()[:1]),
        "qpvs": list(cite.qpvs.all()[:1]),
        "address": "",
        "starts_on": date(year, 9, 1),
        "ends_on": date(year + 1, 6, 30),
        "expected_beneficiaries": 60,
        "budget": {category("actions"): "10 000", category("communication"): "2000,00"},
        "funding": {source("p147"): Decimal("9000"), source("commune"): "3 000,00", source("caf"): ""},
    }
    sheet.update(changes)
    return sheet


@pytest.fixture
def setting(creteil):
    """An open call of Créteil, an association of Créteil and one of its project holders."""
    call = CallFactory(cite=creteil)
    organisation = OrganisationFactory(cites=[creteil], name="Les Parents d'abord", email="contact@parents.fr")
    holder = holder_of(organisation, creteil, email="porteuse@parents.fr")
    return {"call": call, "organisation": organisation, "holder": holder, "cite": creteil}


@pytest.fixture
def draft(setting):
    return services.create_action(
        actor=setting["holder"],
        call=setting["call"],
        organisation=setting["organisation"],
        **complete_sheet(setting["cite"]),
    )


# Amounts -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1 500,50", "1500.50"),
        ("1\u202f500,5", "1500.50"),
        ("1500.50", "1500.50"),
        ("1.500,50", "1500.50"),
        ("1,500.50", "1500.50"),
        ("2 000 €", "2000.00"),
        ("", "0"),
        ("  ", "0"),
        (Decimal("12.3"), "12.30"),
        (7, "7.00"),
    ],
)
def test_amounts_are_read_as_french_users_type_them(typed, amount):
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-10", NEGATIVE_AMOUNT),
        (Decimal("-0.01"), NEGATIVE_AMOUNT),
        ("mille euros", BAD_AMOUNT),
        ("12,345", BAD_AMOUNT),
        ("1e5", BAD_AMOUNT),
        ("99999999999", HUGE_AMOUNT),
    ],
)
def test_bad_amounts_are_refused_in_french(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_amount(typed)
    assert error.value.messages == [message]


# Drafts --------------------------------------------------------------------------------------------------------


def test_a_holder_writes_a_draft_with_its_budget_and_funding_plan(draft, setting):
    draft = Action.objects.get(pk=draft.pk)
    assert draft.status == ActionStatus.DRAFT
    assert draft.organisation == setting["organisation"] and draft.cite == setting["cite"]
    assert draft.created_by == setting["holder"]
    assert {line.category.code: line.amount for line in draft.budget_lines.all()} == {
        "actions": Decimal("10000.00"),
        "communication": Decimal("2000.00"),
    }
    # Blank amounts store no row.
    assert {request.source.code: request.amount for request in draft.funding_requests.all()} == {
        "p147": Decimal("9000.00"),
        "commune": Decimal("3000.00"),
    }
    assert draft.objectives.count() == 1 and draft.age_bands.count() == 1 and draft.schools.count() == 1
    event = Event.objects.for_object(draft).get()
    assert event.verb == Verb.CREATED and event.actor == setting["holder"]
    assert event.after["budget total"] == "12\u202f000,00\u00a0€"
    assert mail.outbox == []  # a draft is nobody's business but the holder's


def test_a_draft_may_be_incomplete_but_needs_a_title(setting):
    minimal = {"title": "Échecs à l'école", "budget": {}, "funding": {}}
    action = services.create_action(
        actor=setting["holder"], call=setting["call"], organisation=setting["organisation"], **minimal
    )
    assert action.status == ActionStatus.DRAFT and action.summary == ""
    with pytest.raises(ValidationError) as error:
        services.create_action(
            actor=setting["holder"], call=setting["call"], organisation=setting["organisation"], title="  "
        )
    assert "title" in error.value.message_dict
    assert Action.objects.count() == 1


def test_bad_amounts_write_nothing(setting, draft):
    counts = (Action.objects.count(), BudgetLine.objects.count(), FundingRequest.objects.count(), Event.objects.count())
    bad = complete_sheet(
        setting["cite"],
        title="Un autre titre",
        budget={category("actions"): "-500"},
        funding={source("p147"): "beaucoup"},
    )
    with pytest.raises(ValidationError) as error:
        services.update_action(actor=setting["holder"], action=draft, **bad)
    assert error.value.message_dict == {
        "budget_actions": ["Actions : Un montant ne peut pas être négatif."],
        "funding_p147": [f"P147 — Politique de la ville (ANCT) : {BAD_AMOUNT}"],
    }
    draft = Action.objects.get(pk=draft.pk)
    assert draft.title == "Café des parents au collège Laplace"
    assert counts == (
        Action.objects.count(),
        BudgetLine.objects.count(),
        FundingRequest.objects.count(),
        Event.objects.count(),
    )


def test_updating_a_draft_replaces_its_amounts_and_logs_the_change(setting, draft):
    sheet = complete_sheet(setting["cite"], title="Café des parents", budget={category("actions"): "500"}, funding={})
    services.update_action(actor=setting["holder"], action=draft, **sheet)
    draft = Action.objects.get(pk=draft.pk)
    assert draft.title == "Café des parents"
    assert list(draft.budget_lines.values_list("amount", flat=True)) == [Decimal("500.00")]
    assert not draft.funding_requests.exists()
    event = Event.objects.for_object(draft).filter(verb=Verb.UPDATED).get()
    assert event.before["intitulé"] == "Café des parents au collège Laplace"
    assert event.after["intitulé"] == "Café des parents"


def test_choices_come_from_the_cite(setting, other_cite):
    elsewhere = ObjectiveFactory(cite=other_cite)
    sheet = complete_sheet(setting["cite"], objectives=[elsewhere], schools=list(other_cite.schools.all()[:1]))
    with pytest.raises(ValidationError) as error:
        services.create_action(
            actor=setting["holder"], call=setting["call"], organisation=setting["organisation"], **sheet
        )
    assert set(error.value.message_dict) >= {"objectives"}
    assert not Action.objects.exists()


def test_a_withdrawn_objective_cannot_be_chosen(setting):
    withdrawn = ObjectiveFactory(cite=setting["cite"], is_active=False)
    with pytest.raises(ValidationError) as error:
        services.create_action(
            actor=setting["holder"],
            call=setting["call"],
            organisation=setting["organisation"],
            **complete_sheet(setting["cite"], objectives=[withdrawn]),
        )
    assert error.value.message_dict["objectives"] == ["Choisissez des objectifs en vigueur de la cité."]


def test_dates_in_the_wrong_order_are_refused_even_in_a_draft(setting):
    sheet = complete_sheet(setting["cite"], starts_on=date(2025, 5, 1), ends_on=date(2025, 4, 1))
    with pytest.raises(ValidationError) as error:
        services.create_action(
            actor=setting["holder"], call=setting["call"], organisation=setting["organisation"], **sheet
        )
    assert error.value.message_dict["ends_on"] == ["La fin de l'action précède son début."]


def test_only_a_holder_of_the_organisation_in_the_cite_writes_a_sheet(setting, user_in, other_cite):
    sheet = complete_sheet(setting["cite"])
    other_organisation = OrganisationFactory(cites=[setting["cite"]])
    coordinator = user_in(Role.COORDINATOR, setting["cite"])
    holder_elsewhere = holder_of(setting["organisation"], other_cite)
    for actor, organisation in [
        (setting["holder"], other_organisation),  # not the holder's organisation
        (coordinator, setting["organisation"]),  # not a project holder
        (holder_elsewhere, setting["organisation"]),  # a holder of another cité
    ]:
        with pytest.raises(ValidationError):
            services.create_action(actor=actor, call=setting["call"], organisation=organisation, **sheet)
    assert not Action.objects.exists()


def test_an_organisation_that_does_not_work_in_the_cite_gets_no_sheet(setting, other_cite):
    outside = OrganisationFactory(cites=[other_cite])
    user = UserFactory()
    grant(user, setting["cite"], Role.PROJECT_HOLDER)
    from tests.factories import ContactFactory

    ContactFactory(organisation=outside, user=user)
    assert not services.organisations_for(user, setting["cite"]).exists()
    with pytest.raises(ValidationError):
        services.create_action(actor=user, call=setting["call"], organisation=outside, title="Hors cité")


def test_no_draft_once_the_call_is_closed_or_before_it_opens(setting):
    call = setting["call"]
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.opens_at = call.closes_at - timedelta(days=30)
    call.save()
    with pytest.raises(ValidationError) as error:
        services.create_action(
            actor=setting["holder"], call=call, organisation=setting["organisation"], title="Trop tard"
        )
    assert "n'est pas ouvert" in error.value.messages[0]
    unpublished = CallFactory(cite=setting["cite"], is_published=False)
    with pytest.raises(ValidationError):
        services.create_action(
            actor=setting["holder"], call=unpublished, organisation=setting["organisation"], title="Trop tôt"
        )
    assert not Action.objects.exists()


def test_only_a_draft_is_changed(setting, draft):
    services.submit_action(actor=setting["holder"], action=draft)
    draft = Action.objects.get(pk=draft.pk)
    with pytest.raises(ValidationError):
        services.update_action(actor=setting["holder"], action=draft, **complete_sheet(setting["cite"], title="Autre"))
    draft = Action.objects.get(pk=draft.pk)
    assert draft.title == "Café des parents au collège Laplace"


# Submission ----------------------------------------------------------------------------------------------------


def test_submitting_a_complete_sheet_emails_the_holder_and_logs_it(setting, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.submit_action(actor=setting["holder"], action=draft)
    assert submitted.status == ActionStatus.SUBMITTED and submitted.submitted_at is not None
    draft = Action.objects.get(pk=draft.pk)
    assert draft.status == ActionStatus.SUBMITTED
    event = Event.objects.for_object(draft).filter(verb=Verb.ACTION_STATUS_CHANGED).get()
    assert event.summary == "Statut : brouillon → déposée" and event.actor == setting["holder"]
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"porteuse@parents.fr", "contact@parents.fr"}
    assert mail.outbox[0].subject == "Votre action « Café des parents au collège Laplace » est déposée"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"objectives": []}, "objectives"),
        ({"age_bands": []}, "age_bands"),
        ({"starts_on": None}, "starts_on"),
        ({"expected_beneficiaries": 0}, "expected_beneficiaries"),
        ({"expected_beneficiaries": None}, "expected_beneficiaries"),
        ({"budget": {}, "funding": {}}, "budget"),
        ({"starts_on": date(2001, 1, 1), "ends_on": date(2001, 6, 1)}, "starts_on"),
    ],
)
def test_an_incomplete_sheet_is_not_submitted(setting, changes, field):
    action = services.create_action(
        actor=setting["holder"],
        call=setting["call"],
        organisation=setting["organisation"],
        **complete_sheet(setting["cite"], **changes),
    )
    events = Event.objects.count()
    with pytest.raises(ValidationError) as error:
        services.submit_action(actor=setting["holder"], action=action)
    assert field in error.value.message_dict
    action = Action.objects.get(pk=action.pk)
    assert action.status == ActionStatus.DRAFT and action.submitted_at is None
    assert Event.objects.count() == events and mail.outbox == []


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "accepted"),
    [
        ((0, 1, 10), (0, 6, 30), True),
        ((-1, 9, 1), (0, 6, 30), True),  # from the school year before
        ((0, 9, 1), (1, 8, 31), True),  # to the end of the school year after
        ((-1, 8, 31), (0, 6, 30), False),
        ((0, 9, 1), (1, 9, 1), False),
        ((-1, 9, 1), (-1, 12, 31), False),  # not in the call's year at all
        ((1, 1, 1), (1, 6, 30), False),
    ],
)
def test_the_dates_lie_in_or_around_the_call_year(setting, starts_on, ends_on, accepted):
    year = setting["call"].year
    sheet = complete_sheet(
        setting["cite"],
        starts_on=date(year + starts_on[0], starts_on[1], starts_on[2]),
        ends_on=date(year + ends_on[0], ends_on[1], ends_on[2]),
    )
    action = services.create_action(
        actor=setting["holder"], call=setting["call"], organisation=setting["organisation"], **sheet
    )
    assert ("starts_on" in services.missing_for_submission(action)) is not accepted


def test_the_funding_plan_must_equal_the_budget(setting):
    sheet = complete_sheet(setting["cite"], funding={source("p147"): "9 000"})
    action = services.create_action(
        actor=setting["holder"], call=setting["call"], organisation=setting["organisation"], **sheet
    )
    with pytest.raises(ValidationError) as error:
        services.submit_action(actor=setting["holder"], action=action)
    assert error.value.message_dict["funding"] == [
        "Le plan de financement (9\u202f000,00\u00a0€) doit être égal au budget prévisionnel (12\u202f000,00\u00a0€)."
    ]
    action = Action.objects.get(pk=action.pk)
    assert action.status == ActionStatus.DRAFT


def test_no_submission_after_the_deadline(setting, draft):
    call = setting["call"]
    call.closes_at = timezone.now() - timedelta(hours=1)
    call.save()
    with pytest.raises(ValidationError) as error:
        services.submit_action(actor=setting["holder"], action=draft)
    assert error.value.messages[0].startswith("L'appel à projets est clos depuis le ")
    draft = Action.objects.get(pk=draft.pk)
    assert draft.status == ActionStatus.DRAFT


def test_only_the_holder_submits_and_only_once(setting, draft, user_in):
    coordinator = user_in(Role.COORDINATOR, setting["cite"])
    other_holder = holder_of(OrganisationFactory(cites=[setting["cite"]]), setting["cite"])
    for actor in (coordinator, other_holder):
        with pytest.raises(ValidationError):
            services.submit_action(actor=actor, action=draft)
    services.submit_action(actor=setting["holder"], action=draft)
    with pytest.raises(ValidationError):
        services.submit_action(actor=setting["holder"], action=draft)
    assert Event.objects.for_object(draft).filter(verb=Verb.ACTION_STATUS_CHANGED).count() == 1


# Follow-up -----------------------------------------------------------------------------------------------------


def test_the_follow_up_moves_the_action_through_its_later_life(creteil, user_in, django_capture_on_commit_callbacks):
    coordinator = user_in(Role.COORDINATOR, creteil)
    action = ActionFactory(call=CallFactory(cite=creteil), status=ActionStatus.AGREED)
    assert [name for name, _ in services.follow_transitions(action)] == ["start", "abandon", "postpone"]
    services.follow_action(actor=coordinator, action=action, transition="postpone", note="Salle indisponible")
    action = Action.objects.get(pk=action.pk)
    assert action.status == ActionStatus.POSTPONED
    assert [name for name, _ in services.follow_transitions(action)] == ["start"]
    for step in ("start", "finish"):
        services.follow_action(actor=coordinator, action=action, transition=step)
    action = Action.objects.get(pk=action.pk)
    assert action.status == ActionStatus.DONE
    summaries = list(Event.objects.for_object(action).order_by("pk").values_list("summary", flat=True))
    assert summaries == [
        "Statut : conventionnée → reportée (Salle indisponible)",
        "Statut : reportée → en cours",
        "Statut : en cours → réalisée",
    ]


def test_an_action_is_closed_by_its_report_not_by_hand(creteil, user_in):
    """Closing means "report received" (DOMAIN.md): only submitting the report closes an action."""
    coordinator = user_in(Role.COORDINATOR, creteil)
    action = ActionFactory(call=CallFactory(cite=creteil), status=ActionStatus.DONE)
    assert services.follow_transitions(action) == []
    with pytest.raises(ValidationError):
        services.follow_action(actor=coordinator, action=action, transition="close")
    assert Action.objects.get(pk=action.pk).status == ActionStatus.DONE


def test_a_follow_up_step_the_status_does_not_allow_is_refused(creteil, user_in):
    coordinator = user_in(Role.COORDINATOR, creteil)
    action = ActionFactory(call=CallFactory(cite=creteil), status=ActionStatus.SUBMITTED)
    for step in ("start", "finish", "close", "submit", "select"):
        with pytest.raises(ValidationError):
            services.follow_action(actor=coordinator, action=action, transition=step)
    action = Action.objects.get(pk=action.pk)
    assert action.status == ActionStatus.SUBMITTED and not Event.objects.for_object(action).exists()


def test_only_the_coordination_and_the_holder_follow_an_action(creteil, user_in):
    action = ActionFactory(call=CallFactory(cite=creteil), status=ActionStatus.AGREED)
    for role in (Role.GRANT_OFFICER, Role.COMMITTEE_MEMBER, Role.TROIKA_STATE):
        with pytest.raises(ValidationError):
            services.follow_action(actor=user_in(role, creteil), action=action, transition="start")
    holder = holder_of(action.organisation, creteil)
    services.follow_action(actor=holder, action=action, transition="start")
    action = Action.objects.get(pk=action.pk)
    assert action.status == ActionStatus.RUNNING
