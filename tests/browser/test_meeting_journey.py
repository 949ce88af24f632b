"""A meeting in a real browser: the coordinator creates a body, plans a meeting with its agenda, invites
partners, sends the invitations, records attendance, writes the minutes, attaches a document, prints the
attendance sheet and opens the calendar. Every page passes axe-core (see tests/browser/conftest.py)."""

import re

import pytest
from playwright.sync_api import expect

from maillage.governance.models import Attendance, Meeting
from maillage.territories.models import Cite
from tests.browser.test_minutes_editor import press, type_slowly
from tests.browser.test_territory_journey import sign_in
from tests.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.browser


def test_a_coordinator_runs_a_meeting_from_plan_to_minutes(journey, demo, demo_password, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    creteil = Cite.objects.get(anct_id="cite-021")
    mediatheque = OrganisationFactory(name="Médiathèque de l'Abbaye-Nelson Mandela", cites=[creteil])
    ContactFactory(organisation=mediatheque, first_name="Hélène", last_name="Bérard")
    ContactFactory(organisation=mediatheque, first_name="Ousmane", last_name="Diallo", email="")
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, "coordination@demo.maillage.test", demo_password)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Gouvernance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gouvernance de la cité")
    expect(page.get_by_role("heading", name="La troïka")).to_be_visible()
    journey.check("gouvernance")

    page.get_by_role("link", name="Créer une instance").click()
    page.get_by_label("Type d'instance").select_option(label="Groupe de travail")
    page.get_by_label(re.compile(r"^Nom")).fill("Groupe de travail lecture")
    journey.check("instance-formulaire")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groupe de travail lecture")
    journey.check("instance")

    page.get_by_role("link", name="Prévoir une réunion").click()
    page.get_by_label("Intitulé").fill("Lancement du groupe")
    page.get_by_label("Date").fill("2030-01-21")
    page.get_by_label("Heure de début").fill("14:00")
    page.get_by_label("Heure de fin").fill("13:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("L'heure de fin doit être après l'heure de début.")).to_be_visible()
    journey.check("reunion-erreur")
    page.get_by_label("Heure de fin").fill("16:00")
    page.get_by_label("Lieu").fill("Médiathèque de l'Abbaye")
    page.get_by_label("Ordre du jour").fill("Tour de table\nLes clubs de lecture | Mme Bérard")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile(r"/reunions/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lancement du groupe")
    meeting = Meeting.objects.get(title="Lancement du groupe")
    journey.check("reunion")

    page.get_by_role("link", name="Gérer les invités").click()
    page.get_by_label("Rechercher un contact").fill("abbaye")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"[?&]q=abbaye"))  # the results page, before ticking anything on it
    page.get_by_label(re.compile("^Hélène Bérard")).check(force=True)  # DSFR draws the box on the label
    page.get_by_label(re.compile("^Ousmane Diallo")).check(force=True)  # DSFR draws the box on the label
    journey.check("invites")
    page.get_by_role("button", name="Inviter les personnes cochées").click()
    expect(page.get_by_text("2 personnes invitées.")).to_be_visible()
    page.get_by_role("link", name="Retour à la réunion").click()

    page.get_by_role("button", name="Envoyer les invitations par e-mail").click()
    expect(page.get_by_text("Les invitations ont été envoyées à 1 personne.")).to_be_visible()
    expect(page.get_by_text("Ousmane Diallo (Médiathèque de l'Abbaye-Nelson Mandela)")).to_be_visible()
    journey.check("invitations-envoyees")

    page.get_by_role("link", name="Saisir l'émargement").click()
    page.get_by_role("group", name=re.compile("^Hélène Bérard")).get_by_label("Présent ou présente").check(
        force=True
    )  # DSFR draws the box on the label
    page.get_by_role("group", name=re.compile("^Ousmane Diallo")).get_by_label("Excusé ou excusée").check(
        force=True
    )  # DSFR draws the box on the label
    journey.check("emargement")
    page.get_by_role("button", name="Enregistrer l'émargement").click()
    expect(page.get_by_text("L'émargement est enregistré.")).to_be_visible()
    assert sorted(meeting.invitations.values_list("attendance", flat=True)) == [
        Attendance.EXCUSED,
        Attendance.PRESENT,
    ]

    page.get_by_role("link", name="Rédiger le compte rendu").click()
    page.locator("trix-editor").click()  # the rich-text editor (tests/browser/test_minutes_editor.py)
    type_slowly(page, "Le groupe se réunira chaque mois. ")
    press(page, "Control+b")
    type_slowly(page, "Prochaine séance")
    press(page, "Control+b")
    type_slowly(page, " en février.")
    journey.check("compte-rendu")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    expect(page.locator(".minutes strong")).to_have_text("Prochaine séance")

    page.get_by_label("Document à joindre").set_input_files(
        files=[{"name": "liste.csv", "mimeType": "text/csv", "buffer": "nom;structure\nBérard;Médiathèque\n".encode()}]
    )
    page.get_by_role("button", name="Joindre le document").click()
    expect(page.get_by_role("link", name="liste.csv")).to_be_visible()
    journey.check("reunion-complete")

    page.get_by_role("link", name="Feuille d'émargement à imprimer").click()
    expect(page.get_by_role("cell", name="BÉRARD Hélène")).to_be_visible()
    journey.check("feuille-emargement")

    page.goto(f"/cites/{creteil.anct_id}/calendrier/")
    expect(page.get_by_role("link", name="Lancement du groupe")).to_be_visible()
    expect(page.get_by_label("Votre lien d'abonnement personnel")).to_have_value(re.compile(r"calendrier\.ics\?jeton="))
    journey.check("calendrier")
