"""The perimeter: one query per request, and `for_user` on every model manager."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.core.events import record_event
from maillage.core.models import Event, Membership, Role, User, Verb
from maillage.territories.models import Cite, Commune, IndicatorValue, Qpv, School


def test_the_perimeter_is_read_in_one_query_and_cached(user_in, creteil, other_cite):
    user = user_in(Role.COORDINATOR.value, creteil)
    user.memberships.create(cite=other_cite, role=Role.EVALUATOR)
    user = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        perimeter = user.perimeter
        assert user.perimeter is perimeter
    assert len(queries) == 1
    assert perimeter.has_role(creteil.pk, Role.COORDINATOR)
    assert not perimeter.has_role(other_cite.pk, Role.COORDINATOR)
    assert perimeter.is_member(other_cite.pk)
    assert [cite.anct_id for cite in perimeter.cites] == ["cite-001", "cite-021"]  # by name: Allonnes, Créteil
    assert not perimeter.sees_all


def test_for_user_on_every_manager(user_in, creteil, other_cite):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    national = user_in(Role.NATIONAL.value)
    stranger = user_in(Role.COORDINATOR.value, other_cite)
    anonymous = AnonymousUser()

    assert list(Cite.objects.for_user(coordinator)) == [creteil]
    assert Cite.objects.for_user(national).count() == 208
    assert not Cite.objects.for_user(anonymous).exists()

    creteil_schools = School.objects.for_user(coordinator)
    assert creteil_schools.filter(uai="0940003T").exists()
    assert not creteil_schools.filter(uai="0940176F").exists()  # Fresnes
    assert set(creteil_schools.values_list("commune__insee_code", flat=True)) == {"94028"}
    assert School.objects.for_user(national).count() == School.objects.count()
    assert not School.objects.for_user(anonymous).exists()

    # Open reference data: every signed-in user, nobody anonymous.
    for model in (Commune, Qpv):
        assert model.objects.for_user(coordinator).count() == model.objects.count()
        assert not model.objects.for_user(anonymous).exists()

    assert set(Membership.objects.for_user(coordinator).values_list("user", flat=True)) == {coordinator.pk}
    assert stranger not in User.objects.for_user(coordinator)
    assert stranger in User.objects.for_user(national)

    record_event(actor=stranger, verb=Verb.UPDATED, obj=other_cite, summary="ailleurs")
    record_event(actor=coordinator, verb=Verb.UPDATED, obj=creteil, summary="ici")
    assert list(Event.objects.for_user(coordinator).values_list("summary", flat=True)) == ["ici"]
    assert Event.objects.for_user(national).filter(verb=Verb.UPDATED).count() == 2
    assert not Event.objects.for_user(anonymous).exists()

    ips = IndicatorValue.objects.filter(school__uai="0940003T")
    assert ips.for_user(coordinator).count() == ips.count() > 0
    assert not IndicatorValue.objects.for_user(anonymous).exists()


def test_inactive_accounts_have_an_empty_perimeter(user_in, creteil):
    user = user_in(Role.COORDINATOR.value, creteil, is_active=False)
    assert not user.perimeter.is_authenticated
    assert not Cite.objects.for_user(user).exists()
