"""Searching the public offer: the filters of the public pages turned into one queryset of published activities.

Every filter on a many-to-many relation (themes, times of day, audiences, sessions) goes through a `pk__in`
subquery, so the result never holds an activity twice and its count is one SQL COUNT.
"""

import operator
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce

from django.db.models import Q, QuerySet
from unidecode import unidecode

from maillage.offer.models import Activity, ActivitySlot
from maillage.territories.models import Commune

PARENTS = "parents"  # the code of the parents' audience (core.AgeBand), searched instead of an age
POSTCODE = re.compile(r"\d{5}")
SHORTEST_PREFIX = 3  # « Cha » finds Champigny-sur-Marne; « Ch » finds nothing


def normalised(text: str) -> str:
    """A place name as people type it, compared without accents, case or punctuation (« Créteil » = « creteil »)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", unidecode(text).lower()).split())


@dataclass(frozen=True)
class Place:
    """What a typed place (a commune name or a postcode) designates: communes of cités, and those cités."""

    text: str
    commune_names: tuple[str, ...]
    commune_ids: frozenset[int]
    cite_ids: frozenset[int]

    @property
    def found(self) -> bool:
        return bool(self.commune_ids)


def find_place(text: str) -> Place:
    """The communes of cités éducatives that `text` names: a postcode, else the commune of that name, else the
    communes whose name starts with it. One query (the ~250 communes of cités, matched here without accents)."""
    rows = Commune.objects.filter(cites__isnull=False).values_list("pk", "name", "postal_codes", "cites").distinct()
    wanted = normalised(text)
    if POSTCODE.fullmatch(text.strip()):
        matches = [row for row in rows if text.strip() in row[2].split(";")]
    else:
        matches = [row for row in rows if normalised(row[1]) == wanted]
        if not matches and len(wanted) >= SHORTEST_PREFIX:
            matches = [row for row in rows if normalised(row[1]).startswith(wanted)]
    return Place(
        text=text.strip(),
        commune_names=tuple(sorted({row[1] for row in matches})),
        commune_ids=frozenset(row[0] for row in matches),
        cite_ids=frozenset(row[3] for row in matches),
    )


def school_year_end(day: date) -> date:
    """31 August of the school year (September to August) that `day` belongs to."""
    return date(day.year + (day.month >= 9), 8, 31)


def accepting_age(age: int) -> Q:
    """Activities open to `age`: inside their ages, an empty bound being open. An activity without any age is
    for everyone, unless it is meant for an adult audience (parents, professionals): a 9-year-old does not go to
    the parents' coffee morning."""
    adults_only = Activity.age_bands.through.objects.filter(ageband__min_age__isnull=True).values("activity_id")
    within = (Q(min_age__isnull=True) | Q(min_age__lte=age)) & (Q(max_age__isnull=True) | Q(max_age__gte=age))
    return within & ~Q(min_age__isnull=True, max_age__isnull=True, pk__in=adults_only)


def taking_place_between(first: date, last: date) -> Q:
    """Activities with a session between `first` and `last` (at most a week): a weekly slot on a day of the
    window inside the activity's dates, or, without slots, dates overlapping the window."""
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    on_a_day = reduce(
        operator.or_,
        (
            Q(weekday=day.weekday())
            & (Q(activity__starts_on__isnull=True) | Q(activity__starts_on__lte=day))
            & (Q(activity__ends_on__isnull=True) | Q(activity__ends_on__gte=day))
            for day in days
        ),
    )
    with_sessions = ActivitySlot.objects.filter(on_a_day).values("activity_id")
    with_slots = ActivitySlot.objects.values("activity_id")
    dated = Q(starts_on__lte=last, ends_on__gte=first) & ~Q(pk__in=with_slots)
    return Q(pk__in=with_sessions) | dated


def search_activities(
    *,
    age: int | str | None = None,
    place: "str | Place" = "",
    cite=None,
    themes=(),
    times_of_day=(),
    qpv: str | None = None,
    commune: str | None = None,
    free_only: bool = False,
    this_week: bool = False,
    weekday: int | None = None,
    today: date,
) -> QuerySet:
    """The published activities matching the filters (each one optional): `age` a typed age (0 to 25) or
    PARENTS; `place` a commune name or postcode, or the Place already found for it (activities in that commune or
    in its cités); `cite` a Cite; `themes` and `times_of_day` vocabulary codes (any of them); `qpv` a QPV code and
    `commune` an INSEE code (the neighbourhood); `free_only`; `this_week` (a session from `today` to six days
    later); `weekday` a Weekday."""
    activities = Activity.objects.published()
    if cite is not None:
        activities = activities.filter(cite=cite)
    if age == PARENTS:
        parents = Activity.age_bands.through.objects.filter(ageband__code=PARENTS).values("activity_id")
        activities = activities.filter(pk__in=parents)
    elif age is not None:
        activities = activities.filter(accepting_age(int(age)))
    if isinstance(place, Place) or place.strip():
        found = place if isinstance(place, Place) else find_place(place)
        activities = activities.filter(Q(commune_id__in=found.commune_ids) | Q(cite_id__in=found.cite_ids))
    if themes:
        tagged = Activity.themes.through.objects.filter(theme__code__in=themes).values("activity_id")
        activities = activities.filter(pk__in=tagged)
    if times_of_day:
        tagged = Activity.times_of_day.through.objects.filter(timeofday__code__in=times_of_day).values("activity_id")
        activities = activities.filter(pk__in=tagged)
    if qpv:
        activities = activities.filter(qpv__code=qpv)
    if commune:
        activities = activities.filter(Q(commune__insee_code=commune) | Q(school__commune__insee_code=commune))
    if free_only:
        activities = activities.filter(is_free=True)
    if this_week:
        activities = activities.filter(taking_place_between(today, today + timedelta(days=6)))
    if weekday is not None:
        activities = activities.filter(pk__in=ActivitySlot.objects.filter(weekday=weekday).values("activity_id"))
    return activities


def for_listing(activities: QuerySet) -> QuerySet:
    """What a list of activities shows, loaded in a fixed number of queries."""
    return activities.select_related("cite", "organisation", "commune", "qpv", "school").prefetch_related(
        "slots", "themes", "age_bands"
    )
