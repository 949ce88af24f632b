"""Shared set-ups of the instruction, scoring, ranking and selection tests (not a test module)."""

from decimal import Decimal

from maillage.core.models import Role
from maillage.governance.models import BodyKind, MeetingStatus, Pillar
from maillage.programme.models import Action, ActionStatus, FundingRequest, Score
from tests.factories import ActionFactory, BodyFactory, CallFactory, MeetingFactory, UserFactory, grant, source

TROIKA = {Pillar.STATE: Role.TROIKA_STATE, Pillar.EDUCATION: Role.TROIKA_EDUCATION, Pillar.CITY: Role.TROIKA_CITY}


def call_of(cite, **fields):
    """A call of `cite` with a €50,000 envelope and the factory's grid (weights 2 and 1, out of 5)."""
    fields.setdefault("title", "Appel à projets 2025")
    fields.setdefault("envelope", Decimal("50000"))
    return CallFactory(cite=cite, **fields)


def member_of(cite, role: Role):
    user = UserFactory()
    grant(user, cite, role)
    return user


def troika_members(cite) -> dict[Pillar, object]:
    """One member for each pillar of the cité's troïka."""
    return {pillar: member_of(cite, role) for pillar, role in TROIKA.items()}


def committee_meeting_of(cite):
    """A held meeting of the cité's selection committee."""
    body = BodyFactory(cite=cite, kind=BodyKind.SELECTION_COMMITTEE, name="Comité de sélection")
    return MeetingFactory(body=body, title="Comité de sélection du printemps", status=MeetingStatus.HELD)


def ask(action, **amounts) -> None:
    """The action's funding plan: `ask(action, p147="12000", commune="3000")`."""
    FundingRequest.objects.bulk_create(
        FundingRequest(action=action, source=source(code), amount=Decimal(amount)) for code, amount in amounts.items()
    )


def under_review(call, *, eligible=True, note="", title=None, **amounts) -> Action:
    """An instructed action of `call` (eligible unless told), asking `amounts` by funding source code."""
    action = ActionFactory(
        call=call,
        status=ActionStatus.UNDER_REVIEW,
        is_eligible=eligible,
        eligibility_note=note or ("" if eligible else "Hors du périmètre des quartiers prioritaires."),
        **({"title": title} if title else {}),
    )
    ask(action, **amounts)
    return action


def give_scores(action, scorer, *values) -> None:
    """`scorer`'s scores of `action`, one value per criterion of the call's grid, in the grid's order."""
    criteria = list(action.call.criteria.all())
    Score.objects.bulk_create(
        Score(action=action, criterion=criterion, scorer=scorer, value=value)
        for criterion, value in zip(criteria, values, strict=True)
    )


def reloaded(action) -> Action:
    return Action.objects.get(pk=action.pk)
