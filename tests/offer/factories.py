"""Activities of the public offer for the tests (the public pages, the open data and the API import these).

`published_activity(cite)` writes straight to the database — no service, no event, no e-mail — so a test can lay
out a catalogue quickly; the writing and moderation services are tested on their own.
"""

from datetime import date, time

from django.utils import timezone

from maillage.core.models import AgeBand, Theme, TimeOfDay
from maillage.offer.models import Activity, ActivitySlot, ActivityStatus, Weekday
from maillage.offer.services import unique_slug
from maillage.partners.models import Organisation
from maillage.territories.models import Cite, Commune, Qpv
from tests.factories import OrganisationFactory

# Mont-Mesly, Créteil.
LATITUDE = 48.7771
LONGITUDE = 2.4631
SLOT_STARTS_AT = time(14, 0)
SLOT_ENDS_AT = time(16, 0)
WEDNESDAY_AFTERNOON = [(Weekday.WEDNESDAY, SLOT_STARTS_AT, SLOT_ENDS_AT)]


def vocabulary(model, items) -> list:
    """Theme / time-of-day objects from objects or codes."""
    codes = [item for item in items if isinstance(item, str)]
    found = {entry.code: entry for entry in model.objects.filter(code__in=codes)}
    missing = set(codes) - set(found)
    assert not missing, f"unknown {model.__name__} codes: {sorted(missing)}"
    return [found[item] if isinstance(item, str) else item for item in items]


def age_bands_for(min_age: int | None, max_age: int | None) -> list[AgeBand]:
    """The age bands the ages overlap; the parents' audience when the activity has no ages."""
    if min_age is None and max_age is None:
        return list(AgeBand.objects.filter(code="parents"))
    low, high = min_age if min_age is not None else 0, max_age if max_age is not None else 25
    return list(AgeBand.objects.filter(min_age__lte=high, max_age__gte=low))


def published_activity(
    cite: Cite,
    *,
    title: str = "Club d'échecs du mercredi",
    min_age: int | None = 6,
    max_age: int | None = 10,
    weekday: Weekday | int | None = Weekday.WEDNESDAY,
    is_free: bool = True,
    themes=(),
    qpv: Qpv | None = None,
    commune: Commune | None = None,
    latitude: float | None = LATITUDE,
    longitude: float | None = LONGITUDE,
    starts_on: date | None = None,
    ends_on: date | None = None,
    times_of_day=(),
    organisation: Organisation | None = None,
    **fields,
) -> Activity:
    """A published activity of `cite` with one weekly slot on `weekday`, 14:00-16:00 (`weekday=None`: no slot).

    `themes` and `times_of_day` take objects or codes ("sport", "periscolaire"); empty means none. The age bands
    are those the ages overlap (parents when both ages are None). `commune` defaults to the cité's first commune;
    `organisation` to a new association of the cité with a public e-mail and phone. Any other Activity field can be
    passed in `fields` (`description=`, `status=`…).
    """
    if organisation is None:
        organisation = OrganisationFactory(cites=[cite], email="contact@association.exemple.fr", phone="01 45 17 00 00")
    if commune is None:
        commune = cite.communes.order_by("insee_code").first()
    values = {
        "summary": f"{title} : une activité régulière pour les enfants et les familles du quartier.",
        "description": f"{title}, chaque semaine, avec des animateurs de l'association.",
        "how_to_join": "Inscription sur place le premier jour, avec un parent.",
        "contact_email": organisation.email,
        "contact_phone": organisation.phone,
        "place_name": "Centre social",
        "address": "1 place de l'Abbaye",
        "status": ActivityStatus.PUBLISHED,
        "published_at": timezone.now(),
        **fields,
    }
    activity = Activity.objects.create(
        cite=cite,
        organisation=organisation,
        title=title,
        slug=values.pop("slug", None) or unique_slug(cite, title),
        min_age=min_age,
        max_age=max_age,
        is_free=is_free,
        price=values.pop("price", "" if is_free else "10 € par an"),
        qpv=qpv,
        commune=commune,
        latitude=latitude,
        longitude=longitude,
        starts_on=starts_on,
        ends_on=ends_on,
        **values,
    )
    activity.age_bands.set(age_bands_for(min_age, max_age))
    activity.themes.set(vocabulary(Theme, themes))
    activity.times_of_day.set(vocabulary(TimeOfDay, times_of_day))
    if weekday is not None:
        ActivitySlot.objects.create(activity=activity, weekday=weekday, starts_at=SLOT_STARTS_AT, ends_at=SLOT_ENDS_AT)
    return activity


def ludotheque(cite: Cite) -> Organisation:
    """An association of the cité with a public address and phone (the default contact of its activities)."""
    return OrganisationFactory(
        cites=[cite], name="Ludothèque du Mont-Mesly", email="accueil@ludotheque.fr", phone="01 45 17 00 00"
    )


def activity_fields(**changes) -> dict:
    """A complete activity of Créteil (Mont-Mesly), as the writing services take it (slots aside:
    `WEDNESDAY_AFTERNOON`)."""
    values = {
        "title": "Ludothèque du mercredi",
        "summary": "Jeux de société pour les enfants et leurs parents, chaque mercredi après-midi.",
        "description": "Des animateurs font découvrir des jeux ; les parents jouent avec leurs enfants.",
        "age_bands": list(AgeBand.objects.filter(code="6-10")),
        "themes": list(Theme.objects.filter(code="parentalite")),
        "times_of_day": list(TimeOfDay.objects.filter(code="extrascolaire")),
        "place_name": "Ludothèque",
        "address": "2 place de l'Abbaye",
        "commune": Commune.objects.get(insee_code="94028"),
        "qpv": Qpv.objects.get(code="QN09405M"),
        "latitude": LATITUDE,
        "longitude": LONGITUDE,
        "how_to_join": "Venez avec un parent, sans inscription.",
    }
    return {**values, **changes}
