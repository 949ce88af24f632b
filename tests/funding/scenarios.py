"""Shared set-ups of the grant, legal act, payment and fonds de la cité tests (not a test module)."""

from datetime import date
from decimal import Decimal

from maillage.core.models import Role
from maillage.funding.services.grants import decide_grant
from maillage.funding.services.legal_acts import sign_legal_act
from maillage.programme.models import ActionStatus, FundingRequest
from tests.factories import ActionFactory, CallFactory, EnvelopeFactory, OrganisationFactory, UserFactory, grant, source

YEAR = 2024


def call_of(cite, year=YEAR):
    return CallFactory(cite=cite, year=year)


def selected_action(cite, *, call=None, organisation=None, requests=None, **fields):
    """A selected action of `cite` (for `call`, by `organisation`), asking `requests` ({source code: amount})."""
    call = call or call_of(cite)
    organisation = organisation or OrganisationFactory(cites=[cite])
    fields.setdefault("status", ActionStatus.SELECTED)
    action = ActionFactory(call=call, cite=cite, organisation=organisation, **fields)
    for code, amount in (requests or {}).items():
        FundingRequest.objects.create(action=action, source=source(code), amount=Decimal(amount))
    return action


def envelope_of(cite, code="p147", amount="250000", year=YEAR, **fields):
    return EnvelopeFactory(cite=cite, source=source(code), amount=Decimal(amount), year=year, **fields)


def officer_of(cite, role=Role.GRANT_OFFICER):
    user = UserFactory()
    grant(user, cite, role)
    return user


def granted(action, envelope, amount, *, actor=None, **kwargs):
    actor = actor or officer_of(action.cite, Role.CITY_FUND_MANAGER if envelope.is_city_fund else Role.GRANT_OFFICER)
    return decide_grant(actor=actor, action=action, envelope=envelope, granted=Decimal(amount), **kwargs)


def signed(grant_, *, on=date(YEAR, 3, 1), actor=None):
    """Sign the legal act of `grant_` and return the grant read again."""
    actor = actor or officer_of(grant_.cite)
    sign_legal_act(actor=actor, act=grant_.legal_act, signed_on=on)
    grant_.refresh_from_db(fields=["legal_act"])
    return type(grant_).objects.select_related("legal_act").get(pk=grant_.pk)


EVERY_ROLE = [*(role.value for role in Role), "admin"]
WHO = [*EVERY_ROLE, "anonymous", "other_cite"]
"""Every visitor a permission test tries: each role in Créteil, the administrator, an anonymous visitor, and
a coordinator of another cité."""
TEAM = {role.value for role in Role if role not in (Role.NATIONAL, Role.PROJECT_HOLDER)}
READERS = TEAM | {Role.NATIONAL.value, "admin"}
"""Who reads the cité's money (`reads_everything | in_team`)."""


def sign_in_as(client, user_in, who, cite, other_cite):
    """Sign the test client in as `who` (see WHO) and return the user (None for an anonymous visitor)."""
    if who == "anonymous":
        return None
    user = user_in(Role.COORDINATOR.value, other_cite) if who == "other_cite" else user_in(who, cite)
    client.force_login(user)
    return user


def expected(who, allowed) -> int:
    """The status a GET should answer: 302 to the login page for an anonymous visitor, 200 or 403."""
    if who == "anonymous":
        return 302
    return 200 if who in allowed else 403
