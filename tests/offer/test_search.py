"""Searching the public offer (maillage.offer.search): each filter, on published activities only."""

from datetime import date

import pytest

from maillage.offer.models import ActivityStatus, Weekday
from maillage.offer.search import PARENTS, find_place, normalised, school_year_end, search_activities
from maillage.territories.models import Qpv
from tests.offer.factories import published_activity

MONDAY = date(2025, 3, 10)


def titles(**filters) -> list[str]:
    return sorted(activity.title for activity in search_activities(today=MONDAY, **filters))


@pytest.fixture
def ages(creteil):
    published_activity(creteil, title="Six à dix", min_age=6, max_age=10)
    published_activity(creteil, title="Huit à douze", min_age=8, max_age=12)
    published_activity(creteil, title="Onze à quatorze", min_age=11, max_age=14)
    published_activity(creteil, title="Dès sept ans", min_age=7, max_age=None)
    published_activity(creteil, title="Café des parents", min_age=None, max_age=None)


def test_a_typed_age_finds_the_activities_whose_ages_hold_it(ages):
    assert titles(age=9) == ["Dès sept ans", "Huit à douze", "Six à dix"]
    assert titles(age=11) == ["Dès sept ans", "Huit à douze", "Onze à quatorze"]
    assert titles(age=6) == ["Six à dix"]
    assert titles(age=25) == ["Dès sept ans"]


def test_the_parents_audience_is_searched_instead_of_an_age(ages):
    assert titles(age=PARENTS) == ["Café des parents"]


def test_an_activity_without_ages_nor_adult_audience_is_for_every_age(creteil):
    activity = published_activity(creteil, title="Pour tous", min_age=None, max_age=None)
    activity.age_bands.clear()
    assert titles(age=3) == ["Pour tous"]


@pytest.mark.parametrize("typed", ["Créteil", "creteil", "  CRÉTEIL ", "94000", "Cret"])
def test_a_place_is_a_commune_name_without_accents_or_case_or_its_postcode(creteil, other_cite, typed):
    published_activity(creteil, title="À Créteil")
    published_activity(other_cite, title="À Allonnes")
    assert titles(place=typed) == ["À Créteil"]


def test_a_place_that_is_no_commune_of_a_cite_finds_nothing(creteil):
    published_activity(creteil)
    assert titles(place="Atlantide") == []
    assert titles(place="00000") == []
    assert not find_place("Atlantide").found


def test_find_place_names_the_communes_and_their_cites(creteil):
    place = find_place("94000")
    assert place.commune_names == ("Créteil",)
    assert place.cite_ids == {creteil.pk}
    assert normalised("Saint-Maur-des-Fossés") == "saint maur des fosses"


def test_the_cite_filter_keeps_its_activities(creteil, other_cite):
    published_activity(creteil, title="À Créteil")
    published_activity(other_cite, title="À Allonnes")
    assert titles(cite=other_cite) == ["À Allonnes"]


def test_themes_and_times_of_day_by_code(creteil):
    published_activity(creteil, title="Sport", themes=("sport",), times_of_day=("extrascolaire",))
    published_activity(creteil, title="Culture et sport", themes=("culture", "sport"), times_of_day=("periscolaire",))
    published_activity(creteil, title="Lecture", themes=("langage-lecture",))
    assert titles(themes=("sport",)) == ["Culture et sport", "Sport"]
    assert titles(themes=("culture", "langage-lecture")) == ["Culture et sport", "Lecture"]
    assert titles(times_of_day=("periscolaire",)) == ["Culture et sport"]
    assert search_activities(themes=("sport",), today=MONDAY).count() == 2  # no activity counted twice


def test_the_neighbourhood_is_a_qpv_or_a_commune(creteil, other_cite):
    mont_mesly, bleuets = Qpv.objects.get(code="QN09405M"), Qpv.objects.get(code="QN09406I")
    published_activity(creteil, title="Mont-Mesly", qpv=mont_mesly)
    published_activity(creteil, title="Bleuets", qpv=bleuets)
    published_activity(other_cite, title="Allonnes")
    assert titles(qpv="QN09405M") == ["Mont-Mesly"]
    assert titles(commune="94028") == ["Bleuets", "Mont-Mesly"]


def test_free_only(creteil):
    published_activity(creteil, title="Gratuite")
    published_activity(creteil, title="Payante", is_free=False)
    assert titles(free_only=True) == ["Gratuite"]
    assert titles() == ["Gratuite", "Payante"]


def test_the_day_of_the_week(creteil):
    published_activity(creteil, title="Le mercredi", weekday=Weekday.WEDNESDAY)
    published_activity(creteil, title="Le samedi", weekday=Weekday.SATURDAY)
    assert titles(weekday=Weekday.WEDNESDAY) == ["Le mercredi"]
    assert titles(weekday=Weekday.SUNDAY) == []


def test_this_week_holds_the_activities_with_a_session_in_the_next_seven_days(creteil):
    """Monday 10 March 2025: the window runs to Sunday 16 March."""
    published_activity(creteil, title="Chaque mercredi")
    published_activity(creteil, title="Finie mardi", ends_on=date(2025, 3, 11))  # its Wednesday comes after
    published_activity(creteil, title="Commence vendredi", weekday=Weekday.FRIDAY, starts_on=date(2025, 3, 14))
    published_activity(creteil, title="Commence le 20", starts_on=date(2025, 3, 20))
    published_activity(
        creteil, title="Stage du week-end", weekday=None, starts_on=date(2025, 3, 15), ends_on=date(2025, 3, 16)
    )
    published_activity(
        creteil, title="Stage d'avril", weekday=None, starts_on=date(2025, 4, 14), ends_on=date(2025, 4, 18)
    )
    assert titles(this_week=True) == ["Chaque mercredi", "Commence vendredi", "Stage du week-end"]


def test_filters_add_up(ages, creteil):
    published_activity(creteil, title="Neuf ans le samedi", min_age=9, max_age=9, weekday=Weekday.SATURDAY)
    assert titles(age=9, weekday=Weekday.WEDNESDAY, place="94000") == ["Dès sept ans", "Huit à douze", "Six à dix"]
    assert titles(age=9, weekday=Weekday.SATURDAY) == ["Neuf ans le samedi"]


@pytest.mark.parametrize(
    "status", [ActivityStatus.DRAFT, ActivityStatus.PENDING, ActivityStatus.REFUSED, ActivityStatus.WITHDRAWN]
)
def test_only_published_activities_are_found(creteil, status):
    published_activity(creteil, title="Publiée")
    published_activity(creteil, title="Cachée", status=status)
    assert titles() == ["Publiée"]
    assert titles(age=8, place="Créteil", weekday=Weekday.WEDNESDAY, this_week=True) == ["Publiée"]


def test_the_school_year_ends_on_31_august():
    assert school_year_end(date(2025, 3, 10)) == date(2025, 8, 31)
    assert school_year_end(date(2025, 9, 1)) == date(2026, 8, 31)
    assert school_year_end(date(2025, 8, 31)) == date(2025, 8, 31)
