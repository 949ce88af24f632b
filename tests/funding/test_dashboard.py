"""The funding dashboard of a cité: each section's figures, the year chosen, permissions, fixed query counts.

`build_programme` (also used by the grant list and SCDL tests) gives a cité one year of programme whose
figures are known: five actions at five statuses, envelopes from P147, the commune and the fonds de la cité,
grants granted, refused and requested, signed and unsigned legal acts, and payments.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import CITE_ROLES, Role, SpendingCategory, Theme
from maillage.funding.dashboards import dashboard_years, funding_dashboard
from maillage.funding.models import CITY_FUND, Envelope, GrantStatus, LegalAct, LegalActKind, Payment, PaymentKind
from maillage.partners.models import Organisation, OrganisationKind
from maillage.programme.models import ActionStatus, BudgetLine, NationalObjective, Objective
from tests.factories import (
    ActionFactory,
    BodyFactory,
    CallFactory,
    DecisionFactory,
    GrantFactory,
    MeetingFactory,
    OrganisationFactory,
    siret_for,
    source,
)
from tests.queries import count_queries

YEAR = 2023
EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
READERS = [role for role in EVERY_ROLE if role != Role.PROJECT_HOLDER.value]


def funder(name: str, number: int, kind=OrganisationKind.STATE_SERVICE) -> Organisation:
    return Organisation.objects.get_or_create(
        siret=siret_for(number), defaults={"name": name, "kind": kind, "siren": siret_for(number)[:9]}
    )[0]


def envelopes_of(cite, year: int = YEAR) -> dict:
    """P147 (the préfecture pays), the commune (the city pays) and the fonds de la cité (no funder)."""
    prefecture = funder("Préfecture du Val-de-Marne", 1)
    city = funder("Ville de Créteil", 2, OrganisationKind.CITY_SERVICE)
    amounts = {"p147": ("250000", prefecture), "commune": ("50000", city), CITY_FUND: ("30000", None)}
    return {
        code: Envelope.objects.get_or_create(
            cite=cite, year=year, source=source(code), defaults={"amount": Decimal(amount), "funder": paid_by}
        )[0]
        for code, (amount, paid_by) in amounts.items()
    }


def signed_act(grant, reference: str, signed_on: date | None = date(YEAR, 3, 15)) -> LegalAct:
    act = LegalAct.objects.create(
        cite=grant.cite,
        organisation=grant.action.organisation,
        source=grant.envelope.source,
        year=grant.envelope.year,
        kind=LegalActKind.ARRETE,
        reference=reference,
        signed_on=signed_on,
    )
    grant.legal_act = act
    grant.save(update_fields=["legal_act"])
    return act


def objective(cite, title: str, national_objective: str, parent=None) -> Objective:
    return Objective.objects.get_or_create(
        cite=cite, parent=parent, title=title, defaults={"national_objective": national_objective}
    )[0]


def granted(action, envelope, amount: str, requested: str | None = None):
    return GrantFactory(
        action=action,
        envelope=envelope,
        requested=Decimal(requested or amount),
        granted=Decimal(amount),
        status=GrantStatus.GRANTED,
    )


def build_programme(cite, *, year: int = YEAR, copies: int = 1) -> dict:
    """`copies` times the same five actions, so every figure of the dashboard is `copies` times the one below.

    Per copy: A (agreed; culture + numérique; two nodes of "school") has P147 8,000 granted of 10,000 asked
    (act signed, paid 4,000 + 4,000) and commune 2,000 granted (act signed, nothing paid); B (selected; culture;
    "school" and "horizons") has P147 5,000 granted (act not signed) and fonds de la cité 1,000 granted (act
    signed; no funder); C (rejected) had P147 3,000 refused; D is submitted; E is a draft.
    """
    envelopes = envelopes_of(cite, year)
    call = CallFactory(cite=cite, year=year)
    school_axis, _ = Objective.objects.get_or_create(
        cite=cite, parent=None, title="Réussir au collège", defaults={"national_objective": NationalObjective.SCHOOL}
    )
    school_node, _ = Objective.objects.get_or_create(
        cite=cite,
        parent=school_axis,
        title="Lire chaque jour",
        defaults={"national_objective": NationalObjective.SCHOOL},
    )
    horizons_axis, _ = Objective.objects.get_or_create(
        cite=cite,
        parent=None,
        title="Découvrir les métiers",
        defaults={"national_objective": NationalObjective.HORIZONS},
    )
    culture, digital = Theme.objects.get(code="culture"), Theme.objects.get(code="numerique")
    category = {code: SpendingCategory.objects.get(code=code) for code in ("actions", "communication", "equipements")}
    meeting = MeetingFactory(body=BodyFactory(cite=cite))
    decision = DecisionFactory(meeting=meeting, closed_at=timezone.make_aware(datetime(year, 2, 10, 18)))
    made = {"envelopes": envelopes, "call": call, "decision": decision, "a": [], "b": [], "c": []}
    for _ in range(copies):
        number = Organisation.objects.count() + 100
        holder = OrganisationFactory(cites=[cite], siret=siret_for(number), rna=f"W{number:09d}")
        a = ActionFactory(
            call=call,
            organisation=holder,
            status=ActionStatus.AGREED,
            title="Café des parents au collège Laplace",
            selection_decision=decision,
            submitted_at=timezone.make_aware(datetime(year, 1, 20, 10)),
            starts_on=date(year, 3, 1),
            ends_on=date(year, 12, 15),
        )
        a.themes.set([culture, digital])
        a.objectives.set([school_axis, school_node])
        BudgetLine.objects.create(action=a, category=category["actions"], amount=Decimal("8000"))
        BudgetLine.objects.create(action=a, category=category["communication"], amount=Decimal("2000"))
        a_state = granted(a, envelopes["p147"], "8000", requested="10000")
        signed_act(a_state, f"ARR-{a.pk}-P147")
        Payment.objects.create(
            cite=cite, grant=a_state, kind=PaymentKind.ADVANCE, amount=Decimal("4000"), paid_on=date(year, 4, 1)
        )
        Payment.objects.create(
            cite=cite, grant=a_state, kind=PaymentKind.BALANCE, amount=Decimal("4000"), paid_on=date(year + 1, 2, 1)
        )
        a_city = GrantFactory(
            action=a,
            envelope=envelopes["commune"],
            requested=Decimal("2000"),
            granted=Decimal("2000"),
            status="granted",
        )
        signed_act(a_city, f"ARR-{a.pk}-COMMUNE", date(year, 3, 20))

        b = ActionFactory(call=call, status=ActionStatus.SELECTED, title="Échecs à l'école Victor-Hugo")
        b.themes.set([culture])
        b.objectives.set([school_node, horizons_axis])
        BudgetLine.objects.create(action=b, category=category["equipements"], amount=Decimal("6000"))
        b_state = granted(b, envelopes["p147"], "5000", requested="10000")
        signed_act(b_state, f"ARR-{b.pk}-P147", signed_on=None)
        b_fund = GrantFactory(
            action=b,
            envelope=envelopes[CITY_FUND],
            requested=Decimal("1000"),
            granted=Decimal("1000"),
            status="granted",
        )
        signed_act(b_fund, f"ARR-{b.pk}-FONDS")

        c = ActionFactory(call=call, status=ActionStatus.REJECTED, title="Minibus")
        BudgetLine.objects.create(action=c, category=category["equipements"], amount=Decimal("40000"))
        GrantFactory(action=c, envelope=envelopes["p147"], requested=Decimal("3000"), status=GrantStatus.REFUSED)
        ActionFactory(call=call, status=ActionStatus.SUBMITTED, title="Tablettes prêtées aux familles")
        ActionFactory(call=call, status=ActionStatus.DRAFT, title="Colonie apprenante")
        made["a"].append((a, a_state, a_city))
        made["b"].append((b, b_state, b_fund))
    return made


@pytest.fixture
def programme(creteil):
    return build_programme(creteil)


def url(anct_id="cite-021", **params):
    return reverse("funding:dashboard", args=[anct_id]) + (
        "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    )


def test_by_source_envelope_granted_paid_remaining_and_consumption(creteil, programme):
    rows = {row.label: row for row in funding_dashboard(creteil, YEAR).sources}
    p147 = rows[source("p147").label]
    assert (p147.envelope, p147.granted, p147.paid, p147.remaining) == (
        Decimal("250000"),
        Decimal("13000"),  # 8,000 + 5,000; the refused 3,000 counts for nothing
        Decimal("8000"),
        Decimal("237000"),
    )
    assert p147.consumed == Decimal("5.2")
    commune = rows["Commune"]
    assert (commune.granted, commune.paid, commune.consumed) == (Decimal("2000"), Decimal("0"), Decimal("4.0"))
    assert rows["Fonds de la cité"].granted == Decimal("1000")
    assert list(rows) == [source("p147").label, "Fonds de la cité", "Commune"]  # the sources' order


def test_budget_by_category_counts_only_the_funded_actions(creteil, programme):
    planned = dict(funding_dashboard(creteil, YEAR).categories)
    assert planned["Actions"] == Decimal("8000")
    assert planned["Communication"] == Decimal("2000")
    assert planned["Équipements éducatifs (fablab, micro-folie…)"] == Decimal("6000")  # not the rejected minibus
    assert planned["Évaluation"] == Decimal("0")  # every category is listed


def test_granted_by_national_objective_counts_an_action_once_per_objective(creteil, programme):
    rows = {row.label: (row.actions, row.granted) for row in funding_dashboard(creteil, YEAR).objectives}
    # A serves "school" through two nodes: counted once there. B serves "school" and "horizons": in both.
    assert rows[NationalObjective.SCHOOL.label] == (2, Decimal("16000"))
    assert rows[NationalObjective.HORIZONS.label] == (1, Decimal("6000"))
    assert rows[NationalObjective.CONTINUITY.label] == (0, Decimal("0"))
    assert rows["Sans objectif renseigné"] == (0, Decimal("0"))


def test_granted_by_theme_counts_an_action_in_each_of_its_themes(creteil, programme):
    rows = {row.label: (row.actions, row.granted) for row in funding_dashboard(creteil, YEAR).themes}
    assert rows["Culture"] == (2, Decimal("16000"))
    assert rows["Numérique"] == (1, Decimal("10000"))
    assert rows["Sport"] == (0, Decimal("0"))


def test_co_funding_share(creteil, programme):
    co_funding = funding_dashboard(creteil, YEAR).co_funding
    assert co_funding.state == Decimal("14000")  # P147 and the fonds de la cité are State money
    assert co_funding.others == Decimal("2000")
    assert co_funding.share == Decimal("12.5")
    assert [row.label for row in co_funding.sources] == ["Commune"]


def test_actions_by_status_lists_every_status_in_order(creteil, programme):
    statuses = funding_dashboard(creteil, YEAR).statuses
    assert [label for label, _ in statuses] == [status.label for status in ActionStatus]
    counts = dict(statuses)
    assert counts[ActionStatus.AGREED.label] == counts[ActionStatus.SELECTED.label] == 1
    assert counts[ActionStatus.REJECTED.label] == counts[ActionStatus.SUBMITTED.label] == 1
    assert counts[ActionStatus.DRAFT.label] == 1
    assert counts[ActionStatus.CLOSED.label] == 0


def test_another_year_and_another_cite_are_not_counted(creteil, other_cite, programme):
    build_programme(other_cite)
    build_programme(creteil, year=YEAR - 1)
    dashboard = funding_dashboard(creteil, YEAR)
    assert dashboard.total.granted == Decimal("16000")
    assert dashboard.action_total == 5


def test_default_year_is_the_latest_with_an_envelope(client, signed_in, creteil, programme):
    CallFactory(cite=creteil, year=YEAR + 2)  # a call, no envelope yet
    assert dashboard_years(creteil) == ([YEAR + 2, YEAR], YEAR)
    signed_in(Role.COORDINATOR)
    response = client.get(url())
    assert response.context["year"] == YEAR
    assert response.context["dashboard"].total.granted == Decimal("16000")
    later = client.get(url(annee=YEAR + 2))
    assert later.context["year"] == YEAR + 2
    assert later.context["dashboard"].sources == []
    assert client.get(url(annee="n'importe quoi")).context["year"] == YEAR


def test_the_page_shows_each_section_as_a_chart_and_a_table(client, signed_in, programme):
    signed_in(Role.GRANT_OFFICER)
    response = client.get(url())
    html = response.content.decode()
    for caption in (
        f"Enveloppes {YEAR} par source de financement",
        f"Budget prévisionnel {YEAR} des actions retenues, par catégorie de dépense",
        f"Subventions attribuées en {YEAR} par objectif national",
        f"Subventions attribuées en {YEAR} par thématique",
        f"Montants attribués en {YEAR} : crédits de l'État et cofinancement",
        f"Actions des appels à projets {YEAR} par statut",
    ):
        assert f"<caption>{caption}</caption>" in html
    assert html.count("<bar-chart") == 5 and html.count("<pie-chart") == 1
    assert "vendor/dsfr-chart/DSFRChart.js" in html
    assert "Une action rattachée à deux thématiques compte dans chacune" in html
    assert "Part du cofinancement : 12,5 %" in html
    assert "13\u202f000,00\u00a0€" in html  # granted from P147


def test_a_cite_without_money_nor_call_says_so(client, signed_in):
    signed_in(Role.COORDINATOR)
    response = client.get(url())
    assert response.status_code == 200
    assert "Aucune enveloppe ni aucun appel à projets" in response.content.decode()


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_permissions_of_the_dashboard(client, user_in, creteil, programme, role):
    client.force_login(user_in(role, creteil))
    expected = 403 if role == Role.PROJECT_HOLDER.value else 200
    assert client.get(url()).status_code == expected


def test_another_cite_and_anonymous_visitors_get_no_dashboard(client, user_in, other_cite, programme):
    assert client.get(url()).status_code == 302  # to the login page
    client.force_login(user_in(Role.COORDINATOR.value, other_cite))
    assert client.get(url()).status_code == 403
    assert client.get(url("cite-inconnue")).status_code == 404


def test_the_dashboard_runs_a_fixed_number_of_queries(client, signed_in, creteil, other_cite):
    signed_in(Role.COORDINATOR)
    build_programme(creteil)
    small = count_queries(client, url())
    build_programme(creteil, copies=4)  # same year: four more copies of everything
    build_programme(creteil, year=YEAR - 1, copies=2)
    large = count_queries(client, url())
    assert small == large <= 10  # session, user, cité, perimeter, years, then one query per section
    assert funding_dashboard(creteil, YEAR).total.granted == Decimal("16000") * 5
