"""The domain event log: typed verbs, before/after, the cité and the object."""

import pytest

from maillage.core.events import record_event, snapshot
from maillage.core.models import Event, Role, Verb
from maillage.territories import services
from maillage.territories.models import School


def test_record_event_keeps_who_what_when_where(user_in, creteil):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    school = School.objects.get(uai="0940003T")
    event = record_event(
        actor=coordinator,
        verb=Verb.UPDATED,
        obj=school,
        cite=creteil,
        summary="Nom corrigé",
        before={"name": "Collège Laplace"},
        after={"name": "Collège Amédée Laplace"},
    )
    event.refresh_from_db()
    assert (event.actor, event.cite, event.verb) == (coordinator, creteil, "updated")
    assert event.object_repr == "Collège Laplace (0940003T)"
    assert list(Event.objects.for_object(school)) == [event]
    assert event.changes == [("name", "Collège Laplace", "Collège Amédée Laplace")]
    assert event.get_verb_display() == "modification"


def test_verbs_are_a_closed_list(creteil):
    with pytest.raises(ValueError):
        record_event(actor=None, verb="invented", obj=creteil)


def test_the_cite_is_found_from_the_object(user_in, creteil):
    event = record_event(actor=None, verb=Verb.PERIMETER_CHANGED, obj=creteil)
    assert event.cite == creteil and event.actor is None


def test_snapshot_writes_foreign_keys_as_text(reference_data):
    school = School.objects.select_related("commune").get(uai="0940003T")
    assert snapshot(school, ["uai", "commune"]) == {"uai": "0940003T", "commune": "Créteil (94028)"}


def test_changing_the_dates_of_a_cite_is_logged_once(user_in, creteil):
    import datetime

    admin = user_in("admin")
    assert services.update_cite_identity(actor=admin, cite=creteil, label_date=datetime.date(2019, 9, 5))
    assert not services.update_cite_identity(actor=admin, cite=creteil, label_date=datetime.date(2019, 9, 5))
    event = Event.objects.get(verb=Verb.UPDATED, cite=creteil)
    assert event.before["label_date"] is None and event.after["label_date"] == "2019-09-05"


def test_a_convention_cannot_end_before_it_starts(user_in, creteil):
    import datetime

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_cite_identity(
            actor=user_in("admin"),
            cite=creteil,
            convention_start=datetime.date(2024, 1, 1),
            convention_end=datetime.date(2023, 1, 1),
        )
    assert not Event.objects.filter(cite=creteil).exists()
