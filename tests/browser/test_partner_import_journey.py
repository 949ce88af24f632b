"""The partner import in a real browser: the coordinator of Créteil uploads a small CSV with one bad line
and one duplicate, maps its columns, reads the preview, confirms, and finds the organisations in the
directory. Every page passes axe-core (see conftest.py)."""

import re

import pytest
from playwright.sync_api import expect

from maillage.partners.models import Organisation
from tests.browser.test_territory_journey import sign_in
from tests.factories import partner_file, siret_for

pytestmark = pytest.mark.browser

HEADERS = ["Raison sociale", "Type", "SIRET", "Code postal", "Commune", "E-mail", "Contact prénom", "Contact nom"]
ROWS = [
    [
        "Ludothèque des Sablières",
        "Association",
        siret_for(4400001),
        "94000",
        "Créteil",
        "ludo@exemple.fr",
        "Ana",
        "Lopez",
    ],
    ["Atelier théâtre du Mont-Mesly", "association", "", "94000", "CRETEIL", "", "Marc", "Petit"],
    ["Club d'échecs", "Fondation lunaire", "", "94000", "Créteil", "", "", ""],  # unknown kind
    ["LUDOTHEQUE DES SABLIERES", "Association", "", "94000", "Créteil", "", "Zoé", "Roux"],  # line 2 again
]


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path, transactional_db):
    """Tasks run inside the request; uploads go to a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


def test_the_coordinator_imports_a_partner_file(journey, demo, demo_password, tmp_path):
    before = Organisation.objects.count()
    upload = tmp_path / "partenaires-creteil.csv"
    upload.write_bytes(partner_file(HEADERS, ROWS, encoding="cp1252"))  # as Excel saves a CSV
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, "coordination@demo.maillage.test", demo_password)
    expect(page).to_have_url(re.compile(r"/cites/cite-021/$"))

    page.goto("/cites/cite-021/partenaires/")
    page.get_by_role("link", name="Importer un fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer des structures partenaires")
    journey.check("depot")
    page.get_by_label("Fichier des structures partenaires").set_input_files(upload)
    page.get_by_role("button", name="Déposer le fichier").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Associer les colonnes du fichier")
    expect(page.get_by_label("Nom de la structure")).to_have_value("0")  # recognised from "Raison sociale"
    expect(page.get_by_label("Prénom du contact")).to_have_value("6")
    expect(page.get_by_role("table", name="Premières lignes du fichier")).to_contain_text("Ludothèque des Sablières")
    journey.check("colonnes")
    page.get_by_role("button", name="Analyser le fichier").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import « partenaires-creteil.csv »")
    counts = page.get_by_role("table", name="Décompte des lignes")
    expect(counts.get_by_role("rowheader")).to_have_text(
        ["Création", "Mise à jour", "Doublon dans le fichier", "Rejetée"]
    )
    expect(counts.locator("tbody td")).to_have_text(["2", "0", "1", "1"])
    lines = page.get_by_role("table", name=re.compile("^Les lignes du fichier"))
    expect(lines.get_by_role("row", name=re.compile("^4 Club d'échecs"))).to_contain_text(
        "Colonne « Type » : type « Fondation lunaire » inconnu"
    )
    expect(lines.get_by_role("row", name=re.compile("^5 LUDOTHEQUE"))).to_contain_text("doublon de la ligne 2")
    assert Organisation.objects.count() == before  # nothing written yet
    journey.check("apercu")

    page.get_by_label("Résultat").select_option("rejected")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("table", name=re.compile("^Les lignes du fichier")).locator("tbody tr")).to_have_count(1)
    journey.check("apercu-filtre")

    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_role("heading", name="Import terminé")).to_be_visible()
    expect(page.get_by_text("2 structures créées, 0 mise à jour, 3 contacts ajoutés")).to_be_visible()
    journey.check("import-termine")

    page.get_by_role("link", name="Voir l'annuaire de la cité").click()
    expect(page).to_have_url(re.compile(r"/cites/cite-021/partenaires/$"))
    page.locator("#id_q").fill("Sablières")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name="Ludothèque des Sablières")).to_be_visible()
    journey.check("annuaire")
    assert Organisation.objects.count() == before + 2
    assert Organisation.objects.get(name="Ludothèque des Sablières").contacts.count() == 2


def test_the_coordinator_merges_two_duplicates(journey, demo, demo_password):
    from maillage.territories.models import Cite
    from tests.factories import ContactFactory, OrganisationFactory

    creteil = Cite.objects.get(anct_id="cite-021")
    kept = OrganisationFactory(name="Régie de quartier du Mont-Mesly", siret=siret_for(4400002), cites=[creteil])
    other = OrganisationFactory(name="REGIE DE QUARTIER DU MONT MESLY", phone="0143000000", cites=[creteil])
    ContactFactory(organisation=other, first_name="Zoé", last_name="Roux")
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, "coordination@demo.maillage.test", demo_password)
    page.goto("/cites/cite-021/partenaires/")
    page.get_by_role("link", name="Doublons").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Doublons de l'annuaire")
    group = page.get_by_role("region", name=re.compile("^Régie de quartier du Mont-Mesly — même nom et même commune"))
    journey.check("doublons")
    group.get_by_role("link", name=re.compile("^Fusionner")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Fusionner deux structures")
    expect(page.get_by_role("table", name="Les deux fiches côte à côte")).to_contain_text("0143000000")
    journey.check("fusion")
    page.locator("label", has_text=re.compile(r"^REGIE DE QUARTIER DU MONT MESLY \(structure")).click()
    page.get_by_role("button", name="Fusionner les deux fiches").click()

    expect(page).to_have_url(re.compile(r"/cites/cite-021/partenaires/doublons/$"))
    expect(
        page.get_by_role("status").filter(has_text="est fusionnée dans « REGIE DE QUARTIER DU MONT MESLY »")
    ).to_be_visible()
    journey.check("fusion-faite")
    kept.refresh_from_db()
    assert (kept.name, kept.siret, kept.phone) == ("REGIE DE QUARTIER DU MONT MESLY", siret_for(4400002), "0143000000")
    assert kept.contacts.get().last_name == "Roux"
    assert not type(other).objects.filter(pk=other.pk).exists()
