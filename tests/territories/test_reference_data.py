"""The real reference data, as imported once for the session from ../shared/data."""

import pytest
from django.core.exceptions import ValidationError

from maillage.territories.models import Cite, Commune, IndicatorValue, Qpv, School


def test_counts_match_the_open_data_files(reference_data):
    assert Commune.objects.count() == 34_969
    assert Qpv.objects.count() == 1_493
    assert Cite.objects.count() == 208
    assert School.objects.filter(commune__departement__code="94").count() == 755
    assert School.objects.filter(kind=School.Kind.COLLEGE).count() == 142


def test_creteil_has_its_two_qpvs_and_the_rep_schools_of_mont_mesly(creteil):
    assert set(creteil.qpvs.values_list("code", flat=True)) == {"QN09405M", "QN09406I"}
    schools = {school.uai: school for school in creteil.schools.all()}
    assert {"0940003T", "0940006W"} <= set(schools)  # collèges Laplace and Albert Schweitzer
    assert all(school.priority_network in ("REP", "REP+") for school in schools.values())
    assert schools["0940003T"].name == "Collège Laplace"


def test_school_indicators_keep_their_period_and_origin(reference_data):
    laplace = IndicatorValue.objects.get(school__uai="0940003T", indicator__code="ips_college")
    assert (laplace.period, str(laplace.value)) == ("2022-2023", "83.80")
    schweitzer = IndicatorValue.objects.get(school__uai="0940006W", indicator__code="ips_college")
    assert str(schweitzer.value) == "88.30"
    brevet = IndicatorValue.objects.get(school__uai="0940003T", indicator__code="dnb_taux_reussite")
    assert (brevet.period, str(brevet.value)) == ("2020-2021", "95.50")
    assert "DEPP" in brevet.origin
    camus = IndicatorValue.objects.filter(school__uai="0940535W", indicator__code="ips_ecole")
    assert list(camus.order_by("period").values_list("period", flat=True)) == ["2022-2023", "2023-2024", "2024-2025"]
    departement = IndicatorValue.objects.get(departement__code="94", indicator__code="ips_ecole", period="2022-2023")
    assert str(departement.value) == "110.70"


def test_a_value_period_follows_its_indicator_calendar(reference_data):
    value = IndicatorValue.objects.filter(indicator__code="ips_ecole").first()
    value.full_clean()
    for wrong in ("2023", "2022-2024", "2022/2023"):
        value.period = wrong
        with pytest.raises(ValidationError, match="année scolaire"):
            value.full_clean()
