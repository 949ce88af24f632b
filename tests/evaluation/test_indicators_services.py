"""The indicator catalogue's use cases: local indicators, targets, values typed by the coordinator. Bad input is
refused with a French message and writes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from maillage.core.models import Event, Role, Verb
from maillage.evaluation.models import Target
from maillage.evaluation.services.indicators import (
    create_local_indicator,
    delete_value,
    record_value,
    set_target,
    update_local_indicator,
)
from maillage.territories.models import Indicator, IndicatorValue, ValueKind
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

NOT_A_NUMBER = "n'est pas un nombre : saisissez un nombre, par exemple 12 ou 45,5."


def definition(**fields) -> dict:
    """A local percentage typed by the coordinator for the cité, each school year."""
    return {
        "code": "absenteisme",
        "label": "Taux d'absentéisme des collégiens",
        "definition": "Demi-journées d'absence non justifiées rapportées aux demi-journées de classe.",
        "unit": "%",
        "direction": Indicator.Direction.DOWN,
        "source": Indicator.Source.MANUAL,
        "level": Indicator.Level.CITE,
        "period_kind": "school_year",
        "decimals": 1,
        "min_value": Decimal("0"),
        "max_value": Decimal("100"),
        **fields,
    }


@pytest.fixture
def coordinator(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil)


@pytest.fixture
def percentage(coordinator, creteil) -> Indicator:
    return create_local_indicator(actor=coordinator, cite=creteil, **definition())


@pytest.fixture
def school_count(coordinator, creteil) -> Indicator:
    """A local whole number given by each school, every financial year."""
    return create_local_indicator(
        actor=coordinator,
        cite=creteil,
        **definition(
            code="eleves-accompagnes",
            label="Élèves accompagnés par le dispositif de réussite",
            unit="élèves",
            direction=Indicator.Direction.UP,
            source=Indicator.Source.SCHOOL,
            level=Indicator.Level.SCHOOL,
            period_kind="financial_year",
            decimals=0,
            max_value=None,
        ),
    )


def refused(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return error.value.message_dict if hasattr(error.value, "error_dict") else {"__all__": error.value.messages}


# Local indicators.


def test_the_coordinator_adds_a_local_indicator(percentage, creteil, coordinator):
    assert percentage.cite == creteil and percentage.is_active
    assert (percentage.max_value, percentage.decimals) == (Decimal("100"), 1)
    assert Indicator.objects.available_in(creteil.pk).filter(pk=percentage.pk).exists()
    event = Event.objects.get(verb=Verb.CREATED, object_id=str(percentage.pk), object_repr=str(percentage))
    assert (event.actor, event.cite) == (coordinator, creteil)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "reach_total"}, "code", "est celui d'un indicateur national"),
        ({"code": "Absentéisme !"}, "code", "minuscules sans accents"),
        ({"label": "  "}, "label", "Donnez un libellé"),
        ({"unit": ""}, "unit", "Indiquez l'unité"),
        ({"min_value": Decimal("50"), "max_value": Decimal("10")}, "max_value", "supérieure ou égale"),
        ({"source": Indicator.Source.PLATFORM}, "source", "saisies par la coordination"),
        ({"source": Indicator.Source.OPEN_DATA}, "source", "saisies par la coordination"),
        ({"level": Indicator.Level.ACTION}, "level", "viennent uniquement des bilans"),
        ({"decimals": 3}, "decimals", "entre 0 et 2"),
        ({"period_kind": "month"}, "period_kind", "calendrier"),
    ],
)
def test_a_bad_local_indicator_is_refused(coordinator, creteil, fields, field, message):
    errors = refused(create_local_indicator, actor=coordinator, cite=creteil, **definition(**fields))
    assert message in errors[field][0]
    assert not Indicator.objects.filter(cite=creteil).exists()


def test_a_code_of_another_cite_or_of_the_cite_is_taken(coordinator, user_in, creteil, other_cite, percentage):
    errors = refused(create_local_indicator, actor=coordinator, cite=creteil, **definition(label="Autre"))
    assert "La cité a déjà un indicateur de code « absenteisme »" in errors["code"][0]
    elsewhere = user_in(Role.COORDINATOR.value, other_cite)
    errors = refused(create_local_indicator, actor=elsewhere, cite=other_cite, **definition(code="ABSENTEISME"))
    assert "déjà pris par un indicateur d'une autre cité" in errors["code"][0]
    assert Indicator.objects.filter(cite__isnull=False).count() == 1


@pytest.mark.parametrize("role", [Role.EVALUATOR.value, Role.TROIKA_STATE.value, Role.NATIONAL.value, "other_cite"])
def test_only_the_coordinator_manages_the_catalogue(user_in, creteil, other_cite, percentage, role):
    actor = user_in(Role.COORDINATOR.value, other_cite) if role == "other_cite" else user_in(role, creteil)
    for call, kwargs in (
        (create_local_indicator, {"cite": creteil, **definition(code="autre")}),
        (update_local_indicator, {"indicator": percentage, "label": "Renommé"}),
        (set_target, {"cite": creteil, "indicator": percentage, "period": "2023-2024", "value": "10"}),
        (record_value, {"cite": creteil, "indicator": percentage, "period": "2023-2024", "value": "10", "origin": "x"}),
    ):
        assert "Seule la coordination" in refused(call, actor=actor, **kwargs)["__all__"][0]
    assert Indicator.objects.filter(cite=creteil).get().label == "Taux d'absentéisme des collégiens"
    assert not Target.objects.exists()
    assert not IndicatorValue.objects.filter(indicator=percentage).exists()


def test_national_indicators_are_read_only(coordinator, user_in):
    national = Indicator.objects.get(code="reach_total")
    for actor in (coordinator, user_in("admin")):
        errors = refused(update_local_indicator, actor=actor, indicator=national, label="Renommé")
        assert "Les indicateurs nationaux sont communs à toutes les cités" in errors["__all__"][0]
    assert Indicator.objects.get(code="reach_total").label == "Bénéficiaires des actions"


def test_deactivating_hides_the_indicator_and_keeps_its_values(coordinator, creteil, percentage):
    record_value(
        actor=coordinator, cite=creteil, indicator=percentage, period="2023-2024", value="12,5", origin="Pronote"
    )
    assert update_local_indicator(actor=coordinator, indicator=percentage, is_active=False)
    percentage.refresh_from_db()
    assert not percentage.is_active
    assert not Indicator.objects.available_in(creteil.pk).filter(pk=percentage.pk).exists()
    assert IndicatorValue.objects.get(indicator=percentage).value == Decimal("12.5")
    event = Event.objects.filter(verb=Verb.UPDATED, object_id=str(percentage.pk)).get()
    assert "désactivé" in event.summary
    assert (event.before["actif"], event.after["actif"]) == (True, False)
    errors = refused(
        record_value, actor=coordinator, cite=creteil, indicator=percentage, period="2024-2025", value="1", origin="x"
    )
    assert "n'est pas suivi par la cité" in errors["__all__"][0]


def test_an_update_that_changes_nothing_records_nothing(coordinator, percentage):
    assert not update_local_indicator(actor=coordinator, indicator=percentage, label=percentage.label)
    assert not Event.objects.filter(verb=Verb.UPDATED).exists()


def test_an_indicator_with_values_keeps_its_calendar_and_its_values_in_range(coordinator, creteil, percentage):
    record_value(actor=coordinator, cite=creteil, indicator=percentage, period="2023-2024", value="42,5", origin="x")
    errors = refused(update_local_indicator, actor=coordinator, indicator=percentage, period_kind="financial_year")
    assert "son calendrier ne change plus" in errors["period_kind"][0]
    errors = refused(update_local_indicator, actor=coordinator, indicator=percentage, max_value=Decimal("40"))
    assert "par exemple 42,5" in errors["__all__"][0]
    errors = refused(update_local_indicator, actor=coordinator, indicator=percentage, decimals=0)
    assert "ne respecteraient plus" in errors["__all__"][0]
    percentage.refresh_from_db()
    assert (percentage.period_kind, percentage.max_value, percentage.decimals) == ("school_year", 100, 1)
    assert update_local_indicator(actor=coordinator, indicator=percentage, max_value=Decimal("50"))


# Targets.


def test_a_target_is_set_then_corrected(coordinator, creteil, percentage):
    set_target(actor=coordinator, cite=creteil, indicator=percentage, period="2024-2025", value="8,5")
    target = set_target(
        actor=coordinator, cite=creteil, indicator=percentage, period="2024-2025", value="7", note="Révisée"
    )
    assert Target.objects.get() == target
    assert (target.value, target.note, target.set_by) == (Decimal("7"), "Révisée", coordinator)
    events = Event.objects.filter(verb=Verb.TARGET_SET).order_by("pk")
    assert [event.after["cible"] for event in events] == ["8,5", "7"]
    assert events[1].before == {"cible": "8,5", "commentaire": ""}


def test_a_computed_indicator_takes_a_target(coordinator, creteil):
    reach = Indicator.objects.get(code="reach_total")
    target = set_target(actor=coordinator, cite=creteil, indicator=reach, period="2024", value="1 200")
    assert target.value == Decimal("1200")


@pytest.mark.parametrize(
    ("period", "value", "field", "message"),
    [
        ("2024", "8", "period", "n'est pas une année scolaire (attendu : 2024-2025)"),
        ("2024-2026", "8", "period", "n'est pas une année scolaire"),
        ("2024-2025", "N/A", "value", "« N/A » " + NOT_A_NUMBER),
        ("2024-2025", "120", "value", "La valeur doit être au plus 100 %."),
        ("2024-2025", "8,25", "value", "au plus 1 décimale(s)"),
    ],
)
def test_a_bad_target_is_refused(coordinator, creteil, percentage, period, value, field, message):
    errors = refused(set_target, actor=coordinator, cite=creteil, indicator=percentage, period=period, value=value)
    assert message in errors[field][0]
    assert not Target.objects.exists()


def test_targets_are_for_the_cite_s_own_cite_level_indicators(coordinator, user_in, creteil, other_cite, school_count):
    ips = Indicator.objects.get(code="ips_college")
    errors = refused(set_target, actor=coordinator, cite=creteil, indicator=ips, period="2024-2025", value="90")
    assert "se suit établissement par établissement" in errors["__all__"][0]
    elsewhere = user_in(Role.COORDINATOR.value, other_cite)
    errors = refused(set_target, actor=elsewhere, cite=other_cite, indicator=school_count, period="2024", value="9")
    assert "n'est pas suivi par la cité" in errors["__all__"][0]
    assert not Target.objects.exists()


# Values typed by the coordinator.


def test_the_coordinator_records_then_corrects_a_value(coordinator, creteil, percentage):
    record_value(actor=coordinator, cite=creteil, indicator=percentage, period="2023-2024", value="45,5", origin="A")
    value = record_value(
        actor=coordinator, cite=creteil, indicator=percentage, period="2023-2024", value="45.5", origin="Rectorat"
    )
    stored = IndicatorValue.objects.get(indicator=percentage)
    assert stored == value
    assert (stored.cite, stored.school, stored.value, stored.origin) == (creteil, None, Decimal("45.5"), "Rectorat")
    assert (stored.kind, stored.entered_by) == (ValueKind.MANUAL, coordinator)
    assert stored.entered_at is not None
    events = Event.objects.filter(verb=Verb.INDICATOR_VALUE_RECORDED, cite=creteil).order_by("pk")
    assert [event.after for event in events] == [
        {"valeur": "45,5", "source": "A"},
        {"valeur": "45,5", "source": "Rectorat"},
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("N/A", "« N/A » " + NOT_A_NUMBER),
        ("abc", "« abc » " + NOT_A_NUMBER),
        ("", "« vide » " + NOT_A_NUMBER),
        ("120", "La valeur doit être au plus 100 %."),
        ("-3", "La valeur doit être au moins 0 %."),
        ("45,55", "Cet indicateur accepte au plus 1 décimale(s)."),
    ],
)
def test_a_bad_value_is_refused_and_nothing_is_written(coordinator, creteil, percentage, value, message):
    errors = refused(
        record_value, actor=coordinator, cite=creteil, indicator=percentage, period="2023-2024", value=value, origin="x"
    )
    assert errors["value"] == [message]
    assert not IndicatorValue.objects.filter(indicator=percentage).exists()
    assert not Event.objects.filter(verb=Verb.INDICATOR_VALUE_RECORDED).exists()


@pytest.mark.parametrize(("value", "message"), [("12,5", "se compte en nombre entier"), ("-3", "au moins 0 élèves")])
def test_a_count_takes_whole_positive_numbers(coordinator, creteil, school_count, value, message):
    school = creteil.schools.first()
    errors = refused(
        record_value,
        actor=coordinator,
        cite=creteil,
        indicator=school_count,
        period="2024",
        value=value,
        origin="x",
        school=school,
    )
    assert message in errors["value"][0]
    assert not IndicatorValue.objects.filter(indicator=school_count).exists()


def test_a_value_needs_its_period_in_the_indicator_s_calendar_and_a_source(coordinator, creteil, percentage):
    errors = refused(
        record_value, actor=coordinator, cite=creteil, indicator=percentage, period="2024", value="10", origin=" "
    )
    assert "n'est pas une année scolaire" in errors["period"][0]
    assert "Indiquez d'où vient la valeur" in errors["origin"][0]
    assert not IndicatorValue.objects.filter(indicator=percentage).exists()


@pytest.mark.parametrize(
    ("code", "period", "message"),
    [
        ("reach_total", "2024", "calculées à partir des bilans déposés par les porteurs de projet"),
        ("granted_total", "2024", "calculées par la plateforme à partir des actions et des financements"),
        ("ips_colleges_cite", "2023-2024", "calculées à partir des données ouvertes des établissements"),
        ("ips_college", "2023-2024", "importées des données ouvertes de l'Éducation nationale"),
        ("dnb_taux_reussite", "2023-2024", "importées des données ouvertes"),
    ],
)
def test_computed_and_open_data_indicators_are_not_typed(coordinator, creteil, code, period, message):
    indicator = Indicator.objects.get(code=code)
    before = IndicatorValue.objects.count()
    school = creteil.schools.first() if indicator.level == Indicator.Level.SCHOOL else None
    errors = refused(
        record_value,
        actor=coordinator,
        cite=creteil,
        indicator=indicator,
        period=period,
        value="10",
        origin="x",
        school=school,
    )
    assert message in errors["__all__"][0]
    assert IndicatorValue.objects.count() == before


def test_a_school_value_is_for_a_school_of_the_cite(coordinator, creteil, school_count, percentage):
    school, outside = creteil.schools.order_by("name").first(), SchoolFactory()
    kwargs = {"actor": coordinator, "cite": creteil, "period": "2024", "value": "30", "origin": "Enquête"}
    errors = refused(record_value, indicator=school_count, school=outside, **kwargs)
    assert f"L'établissement {outside.name} ne fait pas partie de la cité." in errors["school"][0]
    errors = refused(record_value, indicator=school_count, **kwargs)
    assert "Choisissez l'établissement" in errors["school"][0]
    errors = refused(record_value, indicator=percentage, school=school, **{**kwargs, "period": "2023-2024"})
    assert "ne choisissez pas d'établissement" in errors["school"][0]
    assert not IndicatorValue.objects.filter(kind=ValueKind.MANUAL).exists()

    value = record_value(indicator=school_count, school=school, **kwargs)
    assert (value.school, value.cite, value.value) == (school, None, Decimal("30"))
    assert Event.objects.get(verb=Verb.INDICATOR_VALUE_RECORDED).cite == creteil


# Removing a value.


def test_the_coordinator_removes_a_typed_value(coordinator, creteil, school_count):
    school = creteil.schools.first()
    value = record_value(
        actor=coordinator, cite=creteil, indicator=school_count, period="2024", value="3", origin="x", school=school
    )
    delete_value(actor=coordinator, value=value)
    assert not IndicatorValue.objects.filter(indicator=school_count).exists()
    event = Event.objects.get(verb=Verb.DELETED)
    assert (event.cite, event.before) == (creteil, {"valeur": "3", "source": "x"})


def test_open_data_and_other_cites_values_are_not_removed(coordinator, user_in, creteil, other_cite, percentage):
    imported = IndicatorValue.objects.filter(kind=ValueKind.OPEN_DATA).first()
    assert "données ouvertes importées" in refused(delete_value, actor=coordinator, value=imported)["__all__"][0]
    typed = record_value(
        actor=coordinator, cite=creteil, indicator=percentage, period="2023-2024", value="3", origin="x"
    )
    elsewhere = user_in(Role.COORDINATOR.value, other_cite)
    assert "Seule la coordination" in refused(delete_value, actor=elsewhere, value=typed)["__all__"][0]
    assert IndicatorValue.objects.filter(pk__in=[imported.pk, typed.pk]).count() == 2
