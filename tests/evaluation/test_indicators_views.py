"""The indicator pages of a cité: who opens them, what the coordinator writes on them (bad input shown in French,
nothing written), what another cité's indicators look like (absent), and their fixed number of queries."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from maillage.core.models import AgeBand, Role
from maillage.evaluation.models import ActionReport, ReachLine, ReportStatus, Target
from maillage.evaluation.services.indicators import create_local_indicator, record_value, set_target
from maillage.programme.models import ActionStatus
from maillage.territories.models import Indicator, IndicatorValue, ValueKind
from tests.evaluation.test_indicators_services import definition
from tests.factories import ActionFactory, CallFactory
from tests.funding.scenarios import READERS, WHO, expected, sign_in_as
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

MANAGERS = {"admin", Role.COORDINATOR.value}


def page(name: str, cite, *args) -> str:
    return reverse(f"evaluation:{name}", args=[cite.anct_id, *args])


def local_indicator(cite, user_in, **fields) -> Indicator:
    return create_local_indicator(actor=user_in(Role.COORDINATOR.value, cite), cite=cite, **definition(**fields))


def school_level(cite, user_in, code="eleves-accompagnes") -> Indicator:
    return local_indicator(
        cite,
        user_in,
        code=code,
        label="Élèves accompagnés",
        unit="élèves",
        source=Indicator.Source.SCHOOL,
        level=Indicator.Level.SCHOOL,
        period_kind="financial_year",
        decimals=0,
        max_value=None,
    )


@pytest.fixture
def local(creteil, user_in) -> Indicator:
    return local_indicator(creteil, user_in)


@pytest.fixture
def coordinator(client, user_in, creteil):
    user = user_in(Role.COORDINATOR.value, creteil)
    client.force_login(user)
    return user


# Permissions.


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", ["indicator_list", "indicator_detail", "indicator_create", "indicator_update"])
def test_who_opens_each_page(client, user_in, creteil, other_cite, local, who, name):
    sign_in_as(client, user_in, who, creteil, other_cite)
    args = [local.code] if name in ("indicator_detail", "indicator_update") else []
    allowed = READERS if name in ("indicator_list", "indicator_detail") else MANAGERS
    assert client.get(page(name, creteil, *args)).status_code == expected(who, allowed)


@pytest.mark.parametrize("who", WHO)
def test_only_the_coordinator_sees_the_forms_and_writes(client, user_in, creteil, other_cite, local, who):
    sign_in_as(client, user_in, who, creteil, other_cite)
    url = page("indicator_detail", creteil, local.code)
    response = client.get(url)
    if response.status_code == 200:
        writes = who in MANAGERS
        assert (response.context["target_form"] is not None, response.context["value_form"] is not None) == (
            writes,
            writes,
        )
        assert ("Nouvel indicateur local" in client.get(page("indicator_list", creteil)).content.decode()) == writes
    posts = [
        {"form": "target", "cible-period": "2024-2025", "cible-value": "10"},
        {"form": "value", "valeur-period": "2024-2025", "valeur-value": "10", "valeur-origin": "Enquête"},
    ]
    for data in posts:
        status = client.post(url, data).status_code
        assert status == (302 if who in MANAGERS | {"anonymous"} else 403)
    created = client.post(page("indicator_create", creteil), definition(code="autre", decimals=1)).status_code
    assert created == (302 if who in MANAGERS | {"anonymous"} else 403)
    if who not in MANAGERS:
        assert not Target.objects.exists()
        assert not IndicatorValue.objects.filter(indicator=local).exists()
        assert not Indicator.objects.filter(code="autre").exists()


def test_a_local_indicator_of_another_cite_is_invisible(client, user_in, creteil, other_cite, coordinator, local):
    theirs = local_indicator(other_cite, user_in, code="indicateur-allonnes", label="Indicateur d'Allonnes")
    listing = client.get(page("indicator_list", creteil)).content.decode()
    assert escape(local.label) in listing and escape(theirs.label) not in listing
    assert client.get(page("indicator_detail", creteil, theirs.code)).status_code == 404
    assert client.get(page("indicator_update", creteil, theirs.code)).status_code == 404
    response = client.post(
        page("indicator_detail", creteil, theirs.code),
        {"form": "value", "valeur-period": "2024-2025", "valeur-value": "10", "valeur-origin": "x"},
    )
    assert response.status_code == 404
    assert client.get(page("indicator_detail", other_cite, theirs.code)).status_code == 403
    assert not IndicatorValue.objects.filter(indicator=theirs).exists()


def test_a_national_indicator_is_not_changed_from_a_cite(client, creteil, coordinator):
    response = client.get(page("indicator_update", creteil, "reach_total"))
    assert response.status_code == 403
    assert "Les indicateurs nationaux sont communs à toutes les cités" in response.content.decode()


# The catalogue.


def test_the_catalogue_lists_national_indicators_by_source_then_local_ones(client, creteil, coordinator, local):
    response = client.get(page("indicator_list", creteil))
    groups = {
        group.title: {indicator.code for indicator in group.indicators} for group in response.context["national_groups"]
    }
    assert {"reach_total", "sessions"} <= groups["Bilans des partenaires"]
    assert {"granted_total", "actions_funded"} <= groups["Calculés par la plateforme"]
    assert {"ips_college", "ips_colleges_cite", "dnb_taux_reussite"} <= groups["Données ouvertes"]
    assert list(groups) == ["Données ouvertes", "Bilans des partenaires", "Calculés par la plateforme"]
    assert response.context["local_indicators"] == [local]
    content = response.content.decode()
    assert content.index("Indicateurs nationaux") < content.index("Indicateurs locaux de la cité")
    assert page("indicator_detail", creteil, "reach_total") in content


# Local indicators.


def test_the_coordinator_adds_then_deactivates_a_local_indicator(client, creteil, coordinator):
    data = definition(min_value="0", max_value="100")
    response = client.post(page("indicator_create", creteil), data)
    indicator = Indicator.objects.get(code="absenteisme")
    assert response.url == page("indicator_detail", creteil, "absenteisme")
    assert (indicator.cite, indicator.max_value) == (creteil, Decimal("100"))

    changes = {**data, "code": "Absenteisme-College", "max_value": "99,5", "is_active": ""}
    response = client.post(page("indicator_update", creteil, "absenteisme"), changes, follow=True)
    indicator.refresh_from_db()
    assert (indicator.code, indicator.max_value, indicator.is_active) == ("absenteisme-college", Decimal("99.5"), False)
    assert response.redirect_chain[-1][0] == page("indicator_detail", creteil, "absenteisme-college")
    assert "Désactivé : absent du tableau de bord" in response.content.decode()
    assert response.context["target_form"] is None
    assert "Désactivé" in client.get(page("indicator_list", creteil)).content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "reach_total"}, "code", "est celui d'un indicateur national"),
        ({"min_value": "50", "max_value": "10"}, "max_value", "supérieure ou égale à la valeur minimale"),
        ({"level": "action"}, "level", "Sélectionnez un choix valide"),
        ({"source": "platform"}, "source", "Sélectionnez un choix valide"),
    ],
)
def test_a_bad_local_indicator_is_shown_again_with_its_error(client, creteil, coordinator, fields, field, message):
    data = definition(**{"min_value": "", "max_value": "", **fields})
    response = client.post(page("indicator_create", creteil), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Indicator.objects.filter(cite=creteil).exists()


# Targets and values on the indicator's page.


def post_value(client, cite, indicator, value, period="2023-2024", **fields):
    data = {"form": "value", "valeur-period": period, "valeur-value": value, "valeur-origin": "Enquête du collège"}
    data.update({f"valeur-{name}": field for name, field in fields.items()})
    return client.post(page("indicator_detail", cite, indicator.code), data)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("N/A", "« N/A » n'est pas un nombre"),
        ("abc", "« abc » n'est pas un nombre"),
        ("", "Saisissez un nombre, par exemple 12 ou 45,5."),
        ("120", "La valeur doit être au plus 100 %."),
        ("-3", "La valeur doit être au moins 0 %."),
        ("4,25", "au plus 1 décimale(s)"),
    ],
)
def test_a_bad_value_is_shown_on_its_field_and_nothing_is_written(client, creteil, coordinator, local, value, message):
    response = post_value(client, creteil, local, value)
    assert response.status_code == 200
    assert message in response.context["value_form"].errors["value"][0]
    assert escape(message) in response.content.decode()
    assert not IndicatorValue.objects.filter(indicator=local).exists()


@pytest.mark.parametrize("value", ["45,5", "45.5", " 45,5 % "])
def test_a_value_is_recorded_with_its_source(client, creteil, coordinator, local, value):
    response = post_value(client, creteil, local, value)
    assert response.status_code == 302
    stored = IndicatorValue.objects.get(indicator=local)
    assert (stored.value, stored.cite, stored.origin, stored.entered_by) == (
        Decimal("45.5"),
        creteil,
        "Enquête du collège",
        coordinator,
    )
    content = client.get(page("indicator_detail", creteil, local.code)).content.decode()
    assert "45,5" in content and "Enquête du collège" in content


def test_a_period_of_the_wrong_calendar_is_refused(client, creteil, coordinator, local):
    response = post_value(client, creteil, local, "10", period="2024")
    assert "n'est pas une année scolaire" in response.context["value_form"].errors["period"][0]
    response = client.post(
        page("indicator_detail", creteil, local.code), {"form": "target", "cible-period": "2024", "cible-value": "10"}
    )
    assert "n'est pas une année scolaire" in response.context["target_form"].errors["period"][0]
    assert not IndicatorValue.objects.filter(indicator=local).exists()
    assert not Target.objects.exists()


def test_the_coordinator_sets_a_target_on_a_computed_indicator(client, creteil, coordinator):
    url = page("indicator_detail", creteil, "reach_total")
    response = client.get(url)
    assert response.context["value_form"] is None
    assert "calculées à partir des bilans déposés" in response.content.decode()
    response = client.post(url, {"form": "target", "cible-period": "2024", "cible-value": "1 500"}, follow=True)
    assert Target.objects.get().value == Decimal("1500")
    assert "La cible 2024 est fixée à 1500 personnes." in response.content.decode()
    assert [row.target for row in response.context["computed"] if row.period == "2024"] == [Decimal("1500")]

    response = client.post(url, {"form": "value", "valeur-period": "2024", "valeur-value": "10", "valeur-origin": "x"})
    assert response.status_code == 302
    assert not IndicatorValue.objects.filter(indicator__code="reach_total").exists()


def submitted_report(cite, year: int, female: int, male: int) -> ActionReport:
    action = ActionFactory(call=CallFactory(cite=cite, year=year), cite=cite, status=ActionStatus.CLOSED)
    report = ActionReport.objects.create(action=action, cite=cite, status=ReportStatus.SUBMITTED, qpv_residents=0)
    ReachLine.objects.create(report=report, age_band=AgeBand.objects.get(code="11-14"), female=female, male=male)
    return report


def test_computed_values_of_small_groups_are_masked(client, creteil, coordinator):
    this_year = timezone.localdate().year
    submitted_report(creteil, this_year, female=2, male=1)
    submitted_report(creteil, this_year - 1, female=20, male=18)
    history = client.get(page("indicator_detail", creteil, "reach_total")).context["computed"]
    assert [row.period for row in history] == [str(year) for year in range(this_year, this_year - 5, -1)]
    assert [row.value for row in history[:3]] == ["< 5", Decimal("38"), None]
    shares = client.get(page("indicator_detail", creteil, "reach_female_share")).context["computed"]
    assert shares[0].value == "secret statistique"
    content = client.get(page("indicator_detail", creteil, "reach_total")).content.decode()
    assert "&lt; 5" in content and "Les effectifs de 1 à 4 personnes sont masqués" in content


def test_typed_counts_of_few_people_are_masked_for_readers(client, user_in, creteil, coordinator):
    families = local_indicator(
        creteil, user_in, code="familles", unit="personnes", period_kind="financial_year", decimals=0, max_value=None
    )
    record_value(actor=coordinator, cite=creteil, indicator=families, period="2024", value="3", origin="Registre")
    url = page("indicator_detail", creteil, families.code)

    def cells(content: str) -> list[str]:
        return re.findall(r'<td class="fr-cell--right">\s*(.*?)\s*</td>', content)

    assert cells(client.get(url).content.decode()) == ["3"]
    client.force_login(user_in(Role.EVALUATOR.value, creteil))
    assert cells(client.get(url).content.decode()) == ["&lt; 5"]


def test_open_data_school_indicators_show_the_cite_s_schools_latest_values(client, creteil, coordinator):
    response = client.get(page("indicator_detail", creteil, "ips_ecole"))
    assert response.context["value_form"] is None and response.context["target_form"] is None
    rows = list(response.context["school_values"])
    assert rows, "Créteil's écoles have IPS values in the open data"
    schools = set(creteil.schools.values_list("pk", flat=True))
    for row in rows:
        assert row.school_id in schools
        latest = IndicatorValue.objects.filter(indicator=row.indicator, school=row.school).order_by("-period").first()
        assert row.period == latest.period
    assert "importées des données ouvertes" in response.content.decode()


def test_school_values_are_typed_for_the_cite_s_schools(client, user_in, creteil, coordinator):
    indicator = school_level(creteil, user_in)
    url = page("indicator_detail", creteil, indicator.code)
    form = client.get(url).context["value_form"]
    assert set(form.fields["school"].queryset) == set(creteil.schools.all())
    assert client.get(url).context["target_form"] is None

    outsider = IndicatorValue.objects.filter(school__isnull=False).exclude(school__in=creteil.schools.all()).first()
    response = post_value(client, creteil, indicator, "12", period="2024", school=outsider.school_id)
    assert "Choisissez un établissement de la cité." in response.context["value_form"].errors["school"][0]
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()

    school = creteil.schools.order_by("name").first()
    assert post_value(client, creteil, indicator, "12", period="2024", school=school.pk).status_code == 302
    assert IndicatorValue.objects.get(indicator=indicator).school == school
    assert school.name in client.get(url).content.decode()


def test_the_coordinator_removes_a_typed_value(client, creteil, coordinator, local):
    value = record_value(
        actor=coordinator, cite=creteil, indicator=local, period="2023-2024", value="10", origin="Enquête"
    )
    url = page("indicator_detail", creteil, local.code)
    response = client.post(url, {"form": "delete", "value": value.pk}, follow=True)
    assert not IndicatorValue.objects.filter(pk=value.pk).exists()
    assert "La valeur 2023-2024 est supprimée." in response.content.decode()
    imported = IndicatorValue.objects.filter(kind=ValueKind.OPEN_DATA).first()
    assert client.post(url, {"form": "delete", "value": imported.pk}).status_code == 404
    assert IndicatorValue.objects.filter(pk=imported.pk).exists()


def test_typed_values_are_paginated(client, creteil, coordinator, local):
    for year in range(1990, 2020):
        record_value(
            actor=coordinator, cite=creteil, indicator=local, period=f"{year}-{year + 1}", value="10", origin="x"
        )
    url = page("indicator_detail", creteil, local.code)
    first = client.get(url).context["page_obj"]
    assert (len(first), first.paginator.num_pages, first[0].period) == (25, 2, "2019-2020")
    assert [value.period for value in client.get(url, {"page": 2}).context["page_obj"]][-1] == "1990-1991"


# Speed.


def add_local_data(cite, user_in, actor, indicators: int, periods: int):
    for number in range(indicators):
        indicator = local_indicator(cite, user_in, code=f"local-{number}-{Indicator.objects.count()}")
        for year in range(2020 - periods, 2020):
            set_target(actor=actor, cite=cite, indicator=indicator, period=f"{year}-{year + 1}", value="10")


def test_the_catalogue_runs_a_fixed_number_of_queries(client, user_in, creteil, coordinator):
    url = page("indicator_list", creteil)
    add_local_data(creteil, user_in, coordinator, 1, 1)
    small = count_queries(client, url)
    add_local_data(creteil, user_in, coordinator, 6, 3)
    assert count_queries(client, url) == small


def fill(cite, indicator, actor, schools, periods: int):
    for year in range(2024 - periods, 2024):
        for school in schools or [None]:
            period = str(year) if indicator.period_kind == "financial_year" else f"{year}-{year + 1}"
            record_value(
                actor=actor, cite=cite, indicator=indicator, period=period, value="10", origin="x", school=school
            )
            if indicator.level == Indicator.Level.CITE:
                set_target(actor=actor, cite=cite, indicator=indicator, period=period, value="12")


@pytest.mark.parametrize("kind", ["cite", "school"])
def test_the_page_of_a_typed_indicator_runs_a_fixed_number_of_queries(client, user_in, creteil, coordinator, kind):
    indicator = local_indicator(creteil, user_in) if kind == "cite" else school_level(creteil, user_in)
    schools = list(creteil.schools.order_by("name")[:4]) if kind == "school" else []
    url = page("indicator_detail", creteil, indicator.code)
    fill(creteil, indicator, coordinator, schools[:1], 1)
    small = count_queries(client, url)
    fill(creteil, indicator, coordinator, schools, 8)
    assert count_queries(client, url) == small


@pytest.mark.parametrize("code", ["reach_total", "ips_colleges_cite", "ips_college"])
def test_the_page_of_a_national_indicator_runs_a_fixed_number_of_queries(client, creteil, coordinator, code):
    indicator = Indicator.objects.get(code=code)
    url = page("indicator_detail", creteil, code)
    small = count_queries(client, url)
    if indicator.level == Indicator.Level.CITE:
        for year in range(2019, 2025):
            period = str(year) if indicator.period_kind == "financial_year" else f"{year - 1}-{year}"
            set_target(actor=coordinator, cite=creteil, indicator=indicator, period=period, value="90")
    else:
        for number, school in enumerate(creteil.schools.all()[:5]):
            IndicatorValue.objects.get_or_create(
                indicator=indicator,
                school=school,
                period=f"201{number}-201{number + 1}",
                defaults={"value": Decimal("95"), "origin": "test"},
            )
    assert count_queries(client, url) == small
