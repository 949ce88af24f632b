"""`load_demo`: Créteil's programme 2020-2024 and the call open today, built through the services."""

import datetime
from collections import defaultdict
from decimal import Decimal
from io import StringIO

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from stdnum.fr import siret

from maillage.core.models import Event, Membership, Role, User, Verb
from maillage.demo.programme_data import CURRENT_CALL_YEAR
from maillage.funding.models import (
    CONVENTION_THRESHOLD,
    Envelope,
    Grant,
    GrantStatus,
    LegalAct,
    LegalActKind,
    Payment,
    PaymentKind,
)
from maillage.governance.models import Approval, Decision, DecisionStatus, Pillar
from maillage.partners.models import Contact
from maillage.programme.models import (
    Action,
    ActionStatus,
    CallForProjects,
    Criterion,
    NationalObjective,
    Objective,
    Score,
)
from maillage.territories.models import Cite

PAST_YEARS = range(2020, 2025)


def creteil() -> Cite:
    return Cite.objects.get(anct_id="cite-021")


def test_creteil_has_a_call_a_year_and_about_forty_actions_across_the_three_objectives(demo):
    check_open_call(demo)
    check_holders(demo)
    cite = creteil()
    calls = CallForProjects.objects.filter(cite=cite, year__in=PAST_YEARS)
    assert sorted(calls.values_list("year", flat=True)) == list(PAST_YEARS)
    assert all(call.closes_at < timezone.now() and call.is_published for call in calls)
    assert all(call.criteria.count() == 4 for call in calls)

    actions = Action.objects.filter(cite=cite, call__year__in=PAST_YEARS)
    assert 38 <= actions.count() <= 46
    for year in PAST_YEARS:
        assert actions.filter(call__year=year).count() >= 7
    for national in NationalObjective.values:
        assert actions.filter(objectives__national_objective=national).distinct().count() >= 8
    titles = set(actions.values_list("title", flat=True))
    for expected in (
        "Café des parents du collège Laplace",
        "Les échecs à l'école",
        "Tablettes prêtées aux familles",
        "Vacances apprenantes au Mont-Mesly",
        "Micro-Folie : un musée numérique au Mont-Mesly",
        "Fablab des Bleuets : équipement et ouverture",
    ):
        assert expected in titles
    laplace_cafe = actions.filter(title="Café des parents du collège Laplace").first()
    assert laplace_cafe.schools.filter(uai="0940003T").exists()
    # Every sheet is complete: budget equals funding plan, with objectives, publics and dates.
    for action in actions.prefetch_related("budget_lines", "funding_requests"):
        budget = sum(line.amount for line in action.budget_lines.all())
        funding = sum(request.amount for request in action.funding_requests.all())
        assert budget == funding > 0
        assert action.starts_on and action.ends_on and action.expected_beneficiaries
        assert action.submitted_at is not None and action.submitted_at <= action.call.closes_at

    # The tree: local axes under each national objective, operational objectives under each axis.
    axes = Objective.objects.filter(cite=cite, parent=None)
    assert set(axes.values_list("national_objective", flat=True)) == set(NationalObjective.values)
    assert all(axis.children.count() >= 2 for axis in axes)

    statuses = set(actions.values_list("status", flat=True))
    assert {
        ActionStatus.CLOSED,
        ActionStatus.DONE,
        ActionStatus.NOT_DONE,
        ActionStatus.RUNNING,
        ActionStatus.AGREED,
        ActionStatus.SELECTED,
        ActionStatus.REJECTED,
    } <= statuses
    # 2024 is the current year: nothing of it is closed yet.
    assert not actions.filter(call__year=2024, status=ActionStatus.CLOSED).exists()


def test_selections_are_scored_by_two_members_and_validated_by_the_three_pillars(demo):
    cite = creteil()
    members = set(User.objects.filter(memberships__cite=cite, memberships__role=Role.COMMITTEE_MEMBER))
    assert len(members) == 2
    for call in CallForProjects.objects.filter(cite=cite, year__in=PAST_YEARS):
        decision = Decision.objects.get(cite=cite, title__contains=call.title)
        assert decision.status == DecisionStatus.VALIDATED
        assert set(decision.approvals.values_list("pillar", flat=True)) == set(Pillar.values)
        assert decision.meeting.body.kind == "selection_committee" and decision.meeting.status == "held"
        assert decision.closed_at.year == call.year
        actions = call.actions.all()
        assert set(actions.values_list("selection_decision", flat=True)) == {decision.pk}
        criteria = Criterion.objects.filter(call=call).count()
        for action in actions.filter(is_eligible=True):
            scores = Score.objects.filter(action=action)
            assert scores.count() == 2 * criteria
            assert set(scores.values_list("scorer", flat=True)) == {member.pk for member in members}
        assert actions.filter(status=ActionStatus.REJECTED).exists()
    assert not Approval.objects.filter(decision__title__startswith="Sélection", verdict="rejected").exists()


def test_money_envelopes_legal_acts_and_payments(demo):
    check_envelopes(demo)
    check_city_fund(demo)
    cite = creteil()
    totals = defaultdict(Decimal)
    for grant in Grant.objects.filter(cite=cite, status=GrantStatus.GRANTED).select_related("envelope", "action"):
        totals[(grant.action.organisation_id, grant.envelope.source_id, grant.envelope.year)] += grant.granted
    acts = LegalAct.objects.filter(cite=cite)
    assert acts.count() == len(totals)
    for act in acts:
        total = totals[(act.organisation_id, act.source_id, act.year)]
        expected = LegalActKind.CONVENTION if total >= CONVENTION_THRESHOLD else LegalActKind.ARRETE
        assert act.kind == expected, act.reference
    signed = acts.exclude(signed_on=None)
    assert signed.filter(kind=LegalActKind.CONVENTION).count() >= 2
    assert signed.filter(kind=LegalActKind.ARRETE).exists()
    # Only the last selected action of 2024 waits for its acts.
    assert set(acts.filter(signed_on=None).values_list("year", flat=True)) == {2024}
    assert Action.objects.filter(cite=cite, status=ActionStatus.SELECTED).count() == 1
    assert all(act.signed_on.year == act.year for act in signed)

    for grant in Grant.objects.filter(cite=cite).prefetch_related("payments"):
        paid = sum((payment.amount for payment in grant.payments.all()), Decimal("0"))
        assert paid <= grant.granted
        for payment in grant.payments.all():
            assert payment.paid_on >= grant.legal_act.signed_on
    paid = Payment.objects.filter(cite=cite)
    assert paid.filter(kind=PaymentKind.ADVANCE).exists() and paid.filter(kind=PaymentKind.BALANCE).exists()
    assert paid.filter(kind=PaymentKind.INSTALMENT).exists()

    def year_totals(year):
        grants = Grant.objects.filter(cite=cite, envelope__year=year, status=GrantStatus.GRANTED)
        return (
            grants.aggregate(total=Sum("granted"))["total"],
            Payment.objects.filter(grant__in=grants).aggregate(total=Sum("amount"))["total"],
        )

    granted_2022, paid_2022 = year_totals(2022)
    assert paid_2022 == granted_2022  # a closed year is paid in full
    granted_2024, paid_2024 = year_totals(2024)
    assert 0 < paid_2024 < granted_2024  # the current year is partly paid
    assert Grant.objects.filter(cite=cite, status=GrantStatus.REFUSED).exists()


def test_a_second_run_changes_nothing_and_prints_the_committee_accounts(demo):
    models = (
        User,
        Event,
        Objective,
        CallForProjects,
        Action,
        Score,
        Decision,
        Envelope,
        Grant,
        LegalAct,
        Payment,
    )
    counts = [model.objects.count() for model in models]
    dates = dict(Event.objects.values_list("pk", "occurred_at"))
    stamps = list(Action.objects.order_by("pk").values_list("pk", "created_at", "updated_at"))
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert [model.objects.count() for model in models] == counts
    # The back-dated history is left as it is: no event, no sheet's stamp moves.
    assert dict(Event.objects.values_list("pk", "occurred_at")) == dates
    assert list(Action.objects.order_by("pk").values_list("pk", "created_at", "updated_at")) == stamps
    assert "comite1@demo.maillage.test" in out.getvalue() and "comite2@demo.maillage.test" in out.getvalue()


def check_open_call(demo):
    """The call open today shows sheets at every early stage."""
    cite = creteil()
    current = CallForProjects.objects.open_at().get(cite=cite)
    assert current.year == CURRENT_CALL_YEAR
    statuses = list(current.actions.values_list("status", flat=True))
    for status in (ActionStatus.DRAFT, ActionStatus.SUBMITTED, ActionStatus.UNDER_REVIEW):
        assert status in statuses
    holder = demo["project_holder"]
    assert current.actions.filter(status=ActionStatus.DRAFT, created_by=holder).exists()
    # A draft is the holder's own: the coordinator does not see it.
    assert not Action.objects.for_user(demo["coordinator"]).filter(status=ActionStatus.DRAFT).exists()
    assert Action.objects.for_user(holder).filter(status=ActionStatus.DRAFT).exists()


def check_holders(demo):
    """Every holder writes through an account of its organisation."""
    cite = creteil()
    for action in Action.objects.filter(cite=cite).select_related("organisation", "created_by"):
        assert Contact.objects.filter(organisation=action.organisation, user=action.created_by).exists()
        assert Membership.objects.filter(user=action.created_by, cite=cite, role=Role.PROJECT_HOLDER).exists()
    assert demo["committee_member"].email in {"comite1@demo.maillage.test", "comite2@demo.maillage.test"}


def check_envelopes(demo):
    """Envelopes come from funders with valid SIRETs."""
    cite = creteil()
    for year in PAST_YEARS:
        p147 = Envelope.objects.get(cite=cite, year=year, source__code="p147")
        assert Decimal("240000") <= p147.amount <= Decimal("260000")
        assert p147.funder.kind == "state_service"
        city_fund = Envelope.objects.get(cite=cite, year=year, source__code="city_fund")
        assert city_fund.amount == Decimal("30000")
        assert city_fund.funder.school.uai == "0940003T"
        assert Envelope.objects.filter(cite=cite, year=year, source__code="commune").exists()
    assert Envelope.objects.filter(cite=cite, source__code="caf").exists()
    funders = {envelope.funder for envelope in Envelope.objects.filter(cite=cite)}
    assert len(funders) == 4
    assert all(siret.is_valid(funder.siret) for funder in funders)
    # No envelope is granted beyond its amount (the demo never needs an override).
    for envelope in Envelope.objects.filter(cite=cite):
        granted = envelope.grants.filter(status=GrantStatus.GRANTED).aggregate(total=Sum("granted"))["total"]
        assert (granted or 0) <= envelope.amount
    assert not Grant.objects.exclude(override_reason="").exists()


def check_city_fund(demo):
    """The fonds de la cité is kept by the collège's manager."""
    cite = creteil()
    manager = demo["city_fund_manager"]
    grants = Grant.objects.filter(cite=cite, envelope__source__code="city_fund", status=GrantStatus.GRANTED)
    assert grants.count() >= 10
    assert set(grants.values_list("decided_by", flat=True)) == {manager.pk}
    assert set(Payment.objects.filter(grant__in=grants).values_list("recorded_by", flat=True)) == {manager.pk}
    assert manager.has_perm("funding.manage_grant", grants.first())
    for year in PAST_YEARS:
        year_grants = grants.filter(envelope__year=year)
        assert 0 < year_grants.aggregate(total=Sum("granted"))["total"] <= Decimal("30000")


PROGRAMME_MODELS = (Action, CallForProjects, Objective, Envelope, Grant, LegalAct)


def history_of(obj) -> list[Event]:
    return list(Event.objects.for_object(obj).order_by("pk"))


def statuses(events: list[Event]) -> dict[str, Event]:
    """The status-change events of an action by the status reached (its label)."""
    return {event.after["statut"]: event for event in events if event.verb == Verb.ACTION_STATUS_CHANGED}


def test_the_programme_history_is_told_at_its_dates(demo):
    cite = creteil()
    now, today = timezone.now(), timezone.localdate()
    types = [ContentType.objects.get_for_model(model) for model in PROGRAMME_MODELS]
    events = Event.objects.filter(cite=cite, object_type__in=types)
    assert events.count() > 900
    # Nothing in the future, and within each object's history the dates follow the order of the events.
    assert not events.filter(occurred_at__gt=now).exists()
    histories = defaultdict(list)
    for object_type, object_id, occurred_at in events.order_by("pk").values_list(
        "object_type", "object_id", "occurred_at"
    ):
        histories[(object_type, object_id)].append(occurred_at)
    assert all(dates == sorted(dates) for dates in histories.values())
    # Every step of the past calls is back-dated: only the open call's sheets were written today.
    past_actions = Action.objects.filter(cite=cite, call__year__in=PAST_YEARS)
    recent = events.filter(occurred_at__date__gte=today - datetime.timedelta(days=1))
    action_type = ContentType.objects.get_for_model(Action)
    assert not recent.exclude(object_type=action_type).exists()
    assert not recent.filter(object_id__in=[str(pk) for pk in past_actions.values_list("pk", flat=True)]).exists()
    assert not past_actions.filter(created_at__date__gte=today - datetime.timedelta(days=1)).exists()

    # A sheet of 2020, written, submitted, instructed, scored, selected, agreed, run and closed in 2020-2021.
    action = past_actions.get(call__year=2020, title="Ateliers de français pour les parents (ASL)")
    history = history_of(action)
    dates = [event.occurred_at for event in history]
    assert dates == sorted(dates)
    assert {timezone.localdate(moment).year for moment in dates} <= {2020, 2021}
    assert history[0].verb == Verb.CREATED and history[0].occurred_at == action.created_at
    assert action.created_at.year == 2020 and action.created_at < action.submitted_at
    assert action.updated_at == dates[-1]
    steps = statuses(history)
    assert steps["déposée"].occurred_at == action.submitted_at
    assert action.call.closes_at < steps["en instruction"].occurred_at < action.selection_decision.meeting.starts_at
    assert steps["retenue"].occurred_at == action.selection_decision.closed_at
    signed = LegalAct.objects.filter(grants__action=action).values_list("signed_on", flat=True)
    assert timezone.localdate(steps["conventionnée"].occurred_at) == min(signed)
    assert timezone.localdate(steps["en cours"].occurred_at) == action.starts_on
    assert timezone.localdate(steps["réalisée"].occurred_at) == action.ends_on
    assert timezone.localdate(steps["clôturée"].occurred_at) < datetime.date(2021, 7, 31)
    scores = dict(Score.objects.filter(action=action).values_list("scorer", "scored_at"))
    scored = [event for event in history if event.verb == Verb.ACTION_SCORED]
    assert len(scored) == 2 and all(event.occurred_at == scores[event.actor_id] for event in scored)

    # Every status reached is dated as its record says, for every sheet of the past calls.
    for past in past_actions.select_related("selection_decision"):
        steps = statuses(history_of(past))
        assert steps["déposée"].occurred_at == past.submitted_at
        outcome = "retenue" if "retenue" in steps else "non retenue"
        assert steps[outcome].occurred_at == past.selection_decision.closed_at

    # The money: grants decided, acts signed and payments made on their own dates.
    for grant in Grant.objects.filter(cite=cite).select_related("legal_act").prefetch_related("payments"):
        history = history_of(grant)
        decided = [event for event in history if event.verb == Verb.GRANT_DECIDED]
        assert [timezone.localdate(event.occurred_at) for event in decided] == [grant.decided_on]
        paid = [timezone.localdate(event.occurred_at) for event in history if event.verb == Verb.PAYMENT_RECORDED]
        assert paid == [payment.paid_on for payment in sorted(grant.payments.all(), key=lambda payment: payment.pk)]
        assert all(payment.recorded_at <= now for payment in grant.payments.all())
    for act in LegalAct.objects.filter(cite=cite).exclude(signed_on=None):
        history = history_of(act)
        assert history[0].verb == Verb.CREATED and history[0].occurred_at == act.created_at
        (signature,) = [event for event in history if event.verb == Verb.LEGAL_ACT_SIGNED]
        assert timezone.localdate(signature.occurred_at) == act.signed_on
        assert act.created_at < signature.occurred_at
    for envelope in Envelope.objects.filter(cite=cite):
        assert {timezone.localdate(event.occurred_at).year for event in history_of(envelope)} == {envelope.year}
    for call in CallForProjects.objects.filter(cite=cite, year__in=PAST_YEARS):
        created = history_of(call)[0]
        assert created.occurred_at == call.created_at < call.opens_at
    tree = Event.objects.filter(cite=cite, object_type=ContentType.objects.get_for_model(Objective))
    assert {timezone.localdate(moment) for moment in tree.values_list("occurred_at", flat=True)} == {
        datetime.date(2020, 1, 13)
    }
    # The selection decisions read in order too: proposed at the committee, approved, validated.
    for decision in Decision.objects.filter(cite=cite, title__startswith="Sélection des actions"):
        history = history_of(decision)
        assert history[0].occurred_at == decision.created_at and history[-1].occurred_at == decision.closed_at
        given = sorted(decision.approvals.all(), key=lambda approval: approval.pk)
        approved = [event.occurred_at for event in history if event.verb == Verb.DECISION_APPROVED]
        assert approved == [approval.given_at for approval in given]

    # The open call: its drafts keep today, its submitted sheets were written in the days before.
    current = Action.objects.filter(cite=cite, call__year=CURRENT_CALL_YEAR)
    assert current.filter(status=ActionStatus.DRAFT).exists()
    for sheet in current.exclude(submitted_at=None):
        assert sheet.call.opens_at < sheet.created_at < sheet.submitted_at <= now
