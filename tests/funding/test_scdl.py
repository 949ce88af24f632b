"""Open data: the SCDL "subventions" CSV validates with frictionless against the shared schema; what is
published, what is left out (and said), the `export_scdl` command, the download view, fixed query counts."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from frictionless import Schema, system, validate

from maillage.core.models import Role
from maillage.funding.models import CITY_FUND, Envelope, Grant
from maillage.funding.opendata import NO_BENEFICIARY_ID, NO_FUNDER_SIRET, SCDL_FIELDS, write_scdl
from maillage.partners.models import Organisation
from tests.factories import siret_for
from tests.funding.test_dashboard import EVERY_ROLE, YEAR, build_programme

SCHEMA_PATH = settings.BASE_DIR.parent / "shared" / "schemas" / "scdl-subventions-2.1.1.json"


def assert_valid_scdl(text: str, tmp_path) -> list[dict]:
    """Write `text` to a file, validate it with frictionless against the SCDL schema, return its rows."""
    path = tmp_path / "subventions.csv"
    path.write_text(text, encoding="utf-8", newline="")
    with system.use_context(trusted=True):
        report = validate(str(path), schema=Schema.from_descriptor(str(SCHEMA_PATH)))
    errors = report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.valid, "\n".join(str(error) for error in errors)
    return list(csv.DictReader(io.StringIO(text)))


def export(**filters) -> tuple[str, list]:
    stream = io.StringIO(newline="")
    skipped = write_scdl(stream, **filters)
    return stream.getvalue(), skipped


@pytest.fixture
def programme(creteil):
    return build_programme(creteil)


def by_id(rows) -> dict[str, dict]:
    return {row["idSubvention"]: row for row in rows}


def test_our_columns_are_the_schema_s_in_its_order():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert [field["name"] for field in schema["fields"]] == SCDL_FIELDS


def test_the_export_validates_and_publishes_granted_grants_with_a_signed_act(creteil, programme, tmp_path):
    text, skipped = export(cite=creteil)
    assert text.splitlines()[0] == ",".join(SCDL_FIELDS)
    rows = by_id(assert_valid_scdl(text, tmp_path))
    a, a_state, a_city = programme["a"][0]
    # B's P147 grant (act not signed), C's refused grant are not published; B's fonds de la cité grant is skipped.
    assert set(rows) == {f"maillage-cite-021-{a_state.pk}", f"maillage-cite-021-{a_city.pk}"}
    [left_out] = skipped
    assert left_out.grant == programme["b"][0][2] and left_out.reason == NO_FUNDER_SIRET

    state = rows[f"maillage-cite-021-{a_state.pk}"]
    prefecture = Organisation.objects.get(name="Préfecture du Val-de-Marne")
    assert state["nomAttribuant"] == state["nomServiceInstructeur"] == "Préfecture du Val-de-Marne"
    assert state["idAttribuant"] == state["idServiceInstructeur"] == prefecture.siret
    assert (state["nomBeneficiaire"], state["idBeneficiaire"], state["rnaBeneficiaire"]) == (
        a.organisation.name,
        a.organisation.siret,
        a.organisation.rna,
    )
    assert state["exerciceBudgetaire"] == str(YEAR)
    assert state["dateDecision"] == f"{YEAR}-02-10"  # the selection decision's closing
    assert state["dateConvention"] == f"{YEAR}-03-15"  # the act's signature
    assert state["referenceDecision"] == a_state.legal_act.reference
    assert state["dateCreation"] == f"{YEAR}-01-20"
    assert (state["dateDebut"], state["dateFin"]) == (f"{YEAR}-03-01", f"{YEAR}-12-15")
    assert state["dispositif"] == "Cités éducatives"
    assert state["sousDispositif"] == "P147 — Politique de la ville (ANCT)"
    assert state["statutLabel"] == "attribuée" and state["nature"] == "aide en numéraire"
    assert state["objet"] == "Café des parents au collège Laplace"
    assert (state["montantDemande"], state["montant"]) == ("10000.00", "8000.00")
    assert state["conditionsVersement"] == "échelonné"
    assert state["datesPeriodeVersement"] == f"{YEAR}-04-01/{YEAR + 1}-02-01"
    assert state["descriptionConditionsVersement"] == (
        f"Avance de 4 000,00 € le 01/04/{YEAR} ; solde de 4 000,00 € le 01/02/{YEAR + 1}"
    )
    assert (state["cofinancement"], state["attribuantsCofinanceurs"]) == ("oui", "Ville de Créteil")
    assert state["notificationUE"] == "non" and state["pourcentageSubvention"] == "1"
    assert state["dateMiseAJour"] == timezone.localdate().isoformat()

    city = rows[f"maillage-cite-021-{a_city.pk}"]
    assert city["conditionsVersement"] == "unique"  # nothing paid yet
    assert city["datesPeriodeVersement"] == f"{YEAR}-03-20"  # so the act's signature date
    assert city["attribuantsCofinanceurs"] == "Préfecture du Val-de-Marne"
    assert city["idCofinancement"] == state["idCofinancement"] != ""


def test_one_payment_is_a_single_payment_on_its_date(creteil, programme, tmp_path):
    _, a_state, _ = programme["a"][0]
    a_state.payments.filter(kind="balance").delete()
    rows = by_id(assert_valid_scdl(export(cite=creteil)[0], tmp_path))
    row = rows[f"maillage-cite-021-{a_state.pk}"]
    assert (row["conditionsVersement"], row["datesPeriodeVersement"]) == ("unique", f"{YEAR}-04-01")


def test_the_longest_title_fits_the_schema_s_limit(creteil, programme, tmp_path):
    a, a_state, _ = programme["a"][0]
    title = ("Un atelier de lecture " * 12)[:255]  # the longest title an action can have
    type(a).objects.filter(pk=a.pk).update(title=title)
    rows = by_id(assert_valid_scdl(export(cite=creteil)[0], tmp_path))
    assert rows[f"maillage-cite-021-{a_state.pk}"]["objet"] == title


def test_a_funder_without_siret_is_skipped_and_reported(creteil, programme, tmp_path):
    Organisation.objects.filter(name="Préfecture du Val-de-Marne").update(siret="")
    Envelope.objects.filter(cite=creteil, source__code="commune").update(funder=None)
    text, skipped = export(cite=creteil)
    assert assert_valid_scdl(text, tmp_path) == []
    assert len(skipped) == 3 and {item.reason for item in skipped} == {NO_FUNDER_SIRET}


def test_a_beneficiary_without_siret_nor_rna_is_skipped(creteil, programme, tmp_path):
    a, _, _ = programme["a"][0]
    Organisation.objects.filter(pk=a.organisation_id).update(siret="", rna="")
    text, skipped = export(cite=creteil)
    assert assert_valid_scdl(text, tmp_path) == []
    assert sorted(item.reason for item in skipped) == sorted([NO_BENEFICIARY_ID, NO_BENEFICIARY_ID, NO_FUNDER_SIRET])


def test_an_association_known_by_its_rna_only_is_published(creteil, programme, tmp_path):
    a, a_state, _ = programme["a"][0]
    Organisation.objects.filter(pk=a.organisation_id).update(siret="")
    rows = by_id(assert_valid_scdl(export(cite=creteil)[0], tmp_path))
    row = rows[f"maillage-cite-021-{a_state.pk}"]
    assert row["idBeneficiaire"] == "" and row["rnaBeneficiaire"] == a.organisation.rna


def test_the_command_writes_the_csv_and_warns_in_french(creteil, other_cite, programme, tmp_path):
    build_programme(other_cite)
    build_programme(creteil, year=YEAR - 1)
    out, err = io.StringIO(), io.StringIO()
    call_command("export_scdl", "--cite", "cite-021", "--year", str(YEAR), stdout=out, stderr=err)
    rows = assert_valid_scdl(out.getvalue(), tmp_path)
    assert len(rows) == 2 and {row["exerciceBudgetaire"] for row in rows} == {str(YEAR)}
    assert {row["idSubvention"].rsplit("-", 1)[0] for row in rows} == {"maillage-cite-021"}
    warning = err.getvalue()
    assert "1 subvention attribuée et signée non publiée" in warning
    assert NO_FUNDER_SIRET in warning and "Échecs à l'école Victor-Hugo" in warning

    everything = io.StringIO()
    call_command("export_scdl", stdout=everything, stderr=io.StringIO())
    rows = assert_valid_scdl(everything.getvalue(), tmp_path)
    assert len(rows) == 6  # two cités, and two years of Créteil


def test_the_command_refuses_an_unknown_cite(db):
    with pytest.raises(CommandError, match="Cité inconnue : « cite-999 »"):
        call_command("export_scdl", "--cite", "cite-999", stdout=io.StringIO())


def test_an_empty_export_is_the_header_alone(db, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_scdl", "--year", "1999", stdout=out, stderr=err)
    assert assert_valid_scdl(out.getvalue(), tmp_path) == []
    assert err.getvalue() == ""


def test_the_export_runs_a_fixed_number_of_queries(creteil):
    build_programme(creteil)
    with CaptureQueriesContext(connection) as small:
        export(cite=creteil)
    build_programme(creteil, copies=4)
    with CaptureQueriesContext(connection) as large:
        _, skipped = export(cite=creteil)
    assert len(skipped) == 5
    assert len(small) == len(large) == 3  # the grants, their payments, their actions' grants


def scdl_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("funding:scdl_export", args=["cite-021"]) + (f"?{query}" if query else "")


def test_the_view_downloads_the_cite_s_csv_and_tells_what_is_left_out(client, signed_in, creteil, other_cite, tmp_path):
    programme = build_programme(creteil)
    build_programme(other_cite)
    signed_in(Role.GRANT_OFFICER)
    response = client.get(scdl_url(annee=YEAR))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="subventions-scdl-cite-021-{YEAR}.csv"' in response["Content-Disposition"]
    rows = assert_valid_scdl(response.content.decode("utf-8"), tmp_path)
    assert {row["idSubvention"] for row in rows} == {f"maillage-cite-021-{grant.pk}" for grant in programme["a"][0][1:]}
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "warning" and NO_FUNDER_SIRET in message.message
    # Another year has nothing to publish.
    assert assert_valid_scdl(client.get(scdl_url(annee=YEAR - 5)).content.decode(), tmp_path) == []
    assert len(assert_valid_scdl(client.get(scdl_url()).content.decode(), tmp_path)) == 2  # every year
    assert client.get(scdl_url(annee="deux-mille")).status_code == 404


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_permissions_of_the_scdl_export(client, user_in, creteil, programme, role):
    client.force_login(user_in(role, creteil))
    expected = 403 if role == Role.PROJECT_HOLDER.value else 200
    assert client.get(scdl_url()).status_code == expected


def test_another_cite_and_anonymous_visitors_get_no_scdl_export(client, user_in, other_cite, programme):
    assert client.get(scdl_url()).status_code == 302
    client.force_login(user_in(Role.COORDINATOR.value, other_cite))
    assert client.get(scdl_url()).status_code == 403


def test_the_fonds_de_la_cite_is_published_once_its_funder_has_a_siret(creteil, programme, tmp_path):
    college = Organisation.objects.create(name="Collège Laplace", kind="college", siret=siret_for(3))
    Envelope.objects.filter(cite=creteil, source__code=CITY_FUND).update(funder=college)
    _, _, b_fund = programme["b"][0]
    b = b_fund.action
    Organisation.objects.filter(pk=b.organisation_id).update(rna="W941000001")
    text, skipped = export(cite=creteil)
    rows = by_id(assert_valid_scdl(text, tmp_path))
    assert skipped == []
    row = rows[f"maillage-cite-021-{b_fund.pk}"]
    assert (row["nomAttribuant"], row["sousDispositif"], row["montant"]) == (
        "Collège Laplace",
        "Fonds de la cité",
        "1000.00",
    )
    # B's P147 grant is granted (its act not yet signed): the action is co-funded all the same.
    assert (row["cofinancement"], row["attribuantsCofinanceurs"]) == ("oui", "Préfecture du Val-de-Marne")
    assert row["dateDebut"] == ""
    assert date.fromisoformat(row["dateConvention"]) == date(YEAR, 3, 15)
    assert Decimal(row["montantDemande"]) == Decimal("1000")


def test_the_demo_s_open_data_validates_against_the_shared_schema(demo, tmp_path):
    """The acceptance criterion: the demo's SCDL export, written by the management command, validates with
    frictionless against ../shared/schemas/scdl-subventions-2.1.1.json, with every signed grant in it."""
    out, err = io.StringIO(), io.StringIO()
    call_command("export_scdl", "--cite", "cite-021", stdout=out, stderr=err)
    rows = assert_valid_scdl(out.getvalue(), tmp_path)
    signed = Grant.objects.filter(cite__anct_id="cite-021", status="granted", legal_act__signed_on__isnull=False)
    assert len(rows) == signed.count() > 70
    assert err.getvalue() == ""  # no grant left out: every funder and beneficiary has its identifier
    assert {row["exerciceBudgetaire"] for row in rows} == {"2020", "2021", "2022", "2023", "2024"}
    for year in (2020, 2024):
        year_out = io.StringIO()
        call_command("export_scdl", "--cite", "cite-021", "--year", str(year), stdout=year_out, stderr=io.StringIO())
        assert {row["exerciceBudgetaire"] for row in assert_valid_scdl(year_out.getvalue(), tmp_path)} == {str(year)}
