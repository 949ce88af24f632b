"""The import pages, for each role; their answers to bad input; their SQL queries; the background worker."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Event, Role, Verb
from maillage.partners import importers
from maillage.partners.models import ImportStatus, Organisation, PartnerImport
from tests.factories import PartnerImportFactory, partner_file, siret_for
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
MANAGERS = (Role.COORDINATOR.value, "admin")
HEADERS = ["Nom", "Type", "SIRET", "Commune"]
MAX_QUERIES = {"import_detail": 9, "progress": 7}


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


def csv_upload(rows=(("Ludothèque", "Association", "", "Créteil"),), name="partenaires.csv"):
    return SimpleUploadedFile(name, partner_file(HEADERS, [list(row) for row in rows]))


def mapping_data(**changes):
    return {"name": "0", "kind": "1", "siret": "2", "commune": "3"} | changes


@pytest.fixture
def uploaded(creteil):
    """A file uploaded in Créteil, waiting for its columns."""
    data = partner_file(HEADERS, [["Ludothèque", "Association", "", "Créteil"], ["", "", "", ""], ["X", "?", "", ""]])
    return PartnerImportFactory(
        cite=creteil, headers=HEADERS, file__data=data, file__filename="partenaires.csv", file_name="partenaires.csv"
    )


@pytest.fixture
def previewed(uploaded):
    importers.map_columns(actor=None, partner_import=uploaded, mapping={"name": 0, "kind": 1, "commune": 3})
    uploaded.refresh_from_db()
    assert uploaded.status == ImportStatus.PREVIEWED
    return uploaded


# --- Permissions ---------------------------------------------------------------------------------------------


def import_urls(partner_import):
    return [
        reverse("partners:import_upload", args=["cite-021"]),
        reverse("partners:import_mapping", args=[partner_import.pk]),
        reverse("partners:import_detail", args=[partner_import.pk]),
        reverse("partners:import_confirm", args=[partner_import.pk]),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, previewed):
    for url in import_urls(previewed):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_only_the_coordinator_and_admins_upload(client, signed_in, role):
    signed_in(role)
    url = reverse("partners:import_upload", args=["cite-021"])
    allowed = role in MANAGERS
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, {"file": csv_upload()})
    assert response.status_code == (302 if allowed else 403)
    assert PartnerImport.objects.exists() == allowed


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_only_the_coordinator_and_admins_map_the_columns(client, signed_in, uploaded, role):
    signed_in(role)
    url = reverse("partners:import_mapping", args=[uploaded.pk])
    allowed = role in MANAGERS
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, mapping_data())
    assert response.status_code == (302 if allowed else 403)
    uploaded.refresh_from_db()
    assert uploaded.status == (ImportStatus.PREVIEWED if allowed else ImportStatus.UPLOADED)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_only_the_coordinator_and_admins_read_the_preview(client, signed_in, previewed, role):
    signed_in(role)
    response = client.get(reverse("partners:import_detail", args=[previewed.pk]))
    assert response.status_code == (200 if role in MANAGERS else 403)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_only_the_coordinator_and_admins_confirm(client, signed_in, previewed, role):
    signed_in(role)
    response = client.post(reverse("partners:import_confirm", args=[previewed.pk]))
    allowed = role in MANAGERS
    assert response.status_code == (302 if allowed else 403)
    previewed.refresh_from_db()
    assert previewed.status == (ImportStatus.DONE if allowed else ImportStatus.PREVIEWED)
    assert Organisation.objects.filter(name="Ludothèque").exists() == allowed


def test_the_coordinator_of_another_cite_reaches_no_import_page(client, signed_in, previewed, other_cite):
    signed_in(Role.COORDINATOR.value, other_cite)
    for url in import_urls(previewed):
        assert client.get(url).status_code in (403, 405)
        assert client.post(url).status_code == 403
    previewed.refresh_from_db()
    assert previewed.status == ImportStatus.PREVIEWED


def test_the_confirmation_only_answers_post(client, signed_in, previewed):
    signed_in(Role.COORDINATOR.value)
    assert client.get(reverse("partners:import_confirm", args=[previewed.pk])).status_code == 405


# --- Pages and their answers -------------------------------------------------------------------------------


def test_a_bad_file_is_refused_on_the_upload_page(client, signed_in, settings):
    signed_in(Role.COORDINATOR.value)
    url = reverse("partners:import_upload", args=["cite-021"])
    response = client.post(url, {"file": SimpleUploadedFile("annuaire.pdf", b"%PDF-1.4")})
    assert response.status_code == 200
    assert "ni un CSV (.csv) ni un classeur Excel (.xlsx)" in response.text
    assert 'aria-invalid="true"' in response.text
    settings.UPLOAD_MAX_SIZE = 10
    response = client.post(url, {"file": csv_upload()})
    assert "Mo au plus" in response.text
    assert not PartnerImport.objects.exists()


def test_the_mapping_page_guesses_and_checks_the_columns(client, signed_in, uploaded):
    signed_in(Role.COORDINATOR.value)
    url = reverse("partners:import_mapping", args=[uploaded.pk])
    response = client.get(url)
    assert response.context["form"]["name"].initial == "0"
    assert response.context["form"]["commune"].initial == "3"
    assert "Premières lignes du fichier" in response.text
    response = client.post(url, mapping_data(kind="", siret="0"))
    assert response.status_code == 200
    assert "Choisissez la colonne qui donne : type de structure." in response.text
    assert "La colonne « Nom » est déjà choisie pour : nom de la structure." in response.text
    uploaded.refresh_from_db()
    assert uploaded.status == ImportStatus.UPLOADED


def test_the_preview_lists_lines_with_counts_and_filters(client, signed_in, previewed):
    signed_in(Role.COORDINATOR.value)
    url = reverse("partners:import_detail", args=[previewed.pk])
    response = client.get(url)
    assert response.context["outcomes"] == [
        ("created", "création", 1),
        ("updated", "mise à jour", 0),
        ("duplicate_in_file", "doublon dans le fichier", 0),
        ("rejected", "rejetée", 1),
    ]
    assert "Confirmer l'import" in response.text
    assert "Rien n'est encore écrit dans l'annuaire" in response.text
    response = client.get(url, {"outcome": "rejected"})
    assert [entry["line"] for entry in response.context["page_obj"]] == [4]
    assert "type « ? » inconnu" in response.text


def test_a_finished_import_shows_its_result_and_no_longer_maps(client, signed_in, previewed):
    signed_in(Role.COORDINATOR.value)
    client.post(reverse("partners:import_confirm", args=[previewed.pk]))
    response = client.get(reverse("partners:import_detail", args=[previewed.pk]))
    assert "Import terminé" in response.text
    assert (
        "1 structure créée, 0 mise à jour, 0 contact ajouté ; 0 doublon du fichier et 1 ligne rejetée laissés de côté."
        in response.text
    )
    response = client.get(reverse("partners:import_mapping", args=[previewed.pk]))
    assert response.status_code == 302
    response = client.post(reverse("partners:import_confirm", args=[previewed.pk]), follow=True)
    assert "n'attend pas de confirmation" in html.unescape(response.text)
    assert Organisation.objects.filter(name="Ludothèque").count() == 1


def test_the_progress_is_polled_then_the_page_refreshes(client, signed_in, uploaded):
    signed_in(Role.COORDINATOR.value)
    PartnerImport.objects.filter(pk=uploaded.pk).update(
        status=ImportStatus.ANALYSING, processed_rows=200, total_rows=800
    )
    url = reverse("partners:import_detail", args=[uploaded.pk])
    page = client.get(url)
    assert "Analyse du fichier : 200 lignes sur 800 (25 %)" in page.text
    assert 'hx-trigger="every 1s"' in page.text
    assert "Actualiser la page" in page.text  # without JavaScript
    partial = client.get(url, {"progression": "1"}, headers={"HX-Request": "true"})
    assert partial.templates[0].name == "partners/_import_progress.html"
    assert '<progress id="progression-barre" max="100" value="25"' in partial.text
    PartnerImport.objects.filter(pk=uploaded.pk).update(status=ImportStatus.PREVIEWED)
    partial = client.get(url, {"progression": "1"}, headers={"HX-Request": "true"})
    assert partial["HX-Refresh"] == "true"


def test_a_failed_analysis_says_why_and_offers_to_start_again(client, signed_in, creteil):
    signed_in(Role.COORDINATOR.value)
    partner_import = PartnerImportFactory(cite=creteil, file__data=b"\x00\x01binaire", headers=["Nom", "Type"])
    client.post(reverse("partners:import_mapping", args=[partner_import.pk]), {"name": "0", "kind": "1"})
    partner_import.refresh_from_db()
    assert partner_import.status == ImportStatus.FAILED
    response = client.get(reverse("partners:import_detail", args=[partner_import.pk]))
    assert "L'import n'a pas abouti" in response.text
    assert "n'est pas un fichier texte CSV" in html.unescape(response.text)


# --- Queries -------------------------------------------------------------------------------------------------


def previewed_import(cite, size):
    rows = [[f"Structure {n}", "Association", siret_for(8000000 + n) if n % 2 else "", "Créteil"] for n in range(size)]
    rows += [["", "Inconnu", "123", "Nulle-part"]] * (size // 10)
    partner_import = PartnerImportFactory(cite=cite, headers=HEADERS, file__data=partner_file(HEADERS, rows))
    importers.map_columns(
        actor=None, partner_import=partner_import, mapping={"name": 0, "kind": 1, "siret": 2, "commune": 3}
    )
    partner_import.refresh_from_db()
    assert partner_import.status == ImportStatus.PREVIEWED
    return partner_import


def test_preview_queries_do_not_grow_with_the_file(client, signed_in, creteil, django_assert_max_num_queries):
    signed_in(Role.COORDINATOR.value)
    small = previewed_import(creteil, 20)
    large = previewed_import(creteil, 400)
    for query in ({}, {"outcome": "rejected"}, {"page": "3"}):
        small_count = count_queries(client, reverse("partners:import_detail", args=[small.pk]), query)
        large_count = count_queries(client, reverse("partners:import_detail", args=[large.pk]), query)
        assert small_count == large_count <= MAX_QUERIES["import_detail"]
    progress = {"params": {"progression": "1"}, "headers": {"HX-Request": "true"}}
    PartnerImport.objects.filter(pk__in=[small.pk, large.pk]).update(status=ImportStatus.ANALYSING)
    assert (
        count_queries(client, reverse("partners:import_detail", args=[small.pk]), **progress)
        == count_queries(client, reverse("partners:import_detail", args=[large.pk]), **progress)
        <= MAX_QUERIES["progress"]
    )
    with django_assert_max_num_queries(MAX_QUERIES["import_detail"]):
        client.get(reverse("partners:import_upload", args=["cite-021"]))


# --- The background worker -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_analysis_and_the_import(client, settings, user_in, reference_data):
    """With the production backend the page first shows the progress; `db_worker` then does the work."""
    from maillage.territories.models import Cite

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    creteil = Cite.objects.get(anct_id="cite-021")
    client.force_login(user_in(Role.COORDINATOR.value, creteil))
    rows = [[f"Structure {n}", "Association", "", "Créteil"] for n in range(5)]
    client.post(reverse("partners:import_upload", args=["cite-021"]), {"file": csv_upload(rows)})
    partner_import = PartnerImport.objects.get()
    client.post(reverse("partners:import_mapping", args=[partner_import.pk]), mapping_data())
    page = client.get(reverse("partners:import_detail", args=[partner_import.pk]))
    assert "L'analyse du fichier va commencer" in page.text
    assert 'hx-trigger="every 1s"' in page.text
    work = {"batch": True, "startup_delay": False, "reload": False, "interval": 0, "verbosity": 0}
    call_command("db_worker", **work)
    partner_import.refresh_from_db()
    assert (partner_import.status, partner_import.counts["created"]) == (ImportStatus.PREVIEWED, 5)
    assert partner_import.processed_rows == partner_import.total_rows == 5
    client.post(reverse("partners:import_confirm", args=[partner_import.pk]))
    assert "Import en cours" in client.get(reverse("partners:import_detail", args=[partner_import.pk])).text
    assert not Organisation.objects.exists()
    call_command("db_worker", **work)
    partner_import.refresh_from_db()
    assert partner_import.status == ImportStatus.DONE, partner_import.error
    assert Organisation.objects.in_cites([creteil.pk]).count() == 5
    assert Event.objects.filter(verb=Verb.PARTNERS_IMPORTED).count() == 1
