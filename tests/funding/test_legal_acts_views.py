"""Legal act pages: who reads and signs an act, its PDF (arrêté or convention, in French), and the signature
form."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from weasyprint.formatting_structure.boxes import TextBox

from maillage.core.models import Role
from maillage.funding import documents
from maillage.funding.models import LegalAct
from maillage.programme.models import Action, ActionStatus
from tests.factories import OrganisationFactory
from tests.funding.scenarios import (
    READERS,
    WHO,
    envelope_of,
    expected,
    granted,
    selected_action,
    sign_in_as,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(creteil):
    return OrganisationFactory(
        cites=[creteil],
        name="Association Réussite Éducative du Mont-Mesly",
        siret="73282932000074",
        rna="W943000123",
        address="12 rue Édouard Herriot",
        postcode="94000",
    )


@pytest.fixture
def acts(creteil, holder):
    prefecture = OrganisationFactory(cites=[creteil], name="Préfecture du Val-de-Marne", siret="17940001100017")
    state = envelope_of(creteil, funder=prefecture)
    call = selected_action(creteil).call
    convention = granted(
        selected_action(creteil, call=call, organisation=holder, title="Café des parents au collège Laplace"),
        state,
        "15000",
    )
    granted(selected_action(creteil, call=call, organisation=holder, title="Échecs à l'école"), state, "9000")
    arrete = granted(selected_action(creteil, call=call), envelope_of(creteil, "city_fund", "30000"), "2500")
    return {"convention": convention.legal_act, "arrete": arrete.legal_act}


def pdf_text(act) -> str:
    act = LegalAct.objects.select_related("cite", "organisation__commune", "source").get(pk=act.pk)
    document = documents.legal_act_document(act)
    return " ".join(
        box.text for page in document.pages for box in page._page_box.descendants() if isinstance(box, TextBox)
    )


def test_the_convention_pdf_names_the_parties_the_actions_and_the_obligations(acts):
    text = pdf_text(acts["convention"])
    for expected_text in [
        "Convention de financement",
        "CITE-021-2024-P147-001",
        "Préfecture du Val-de-Marne",
        "17940001100017",
        "Association Réussite Éducative du Mont-Mesly",
        "73282932000074",
        "W943000123",
        "12 rue Édouard Herriot",
        "Café des parents au collège Laplace",
        "Échecs à l'école",
        "24\u202f000,00\u00a0€",
        "Article 3 — Modalités de versement",
        "avance",
        "solde",
        "30 juin 2025",
        "Article 6 — Communication",
        "Article 7 — Contrôle",
        "son représentant légal",
    ]:
        assert expected_text in text, expected_text


def test_the_arrete_pdf_is_an_arrete(acts):
    text = pdf_text(acts["arrete"])
    assert "Arrêté attributif de subvention" in text
    assert "ARRÊTE" in text
    assert "Convention de financement" not in text
    assert "Fonds de la cité" in text or "fonds de la cité" in text.lower()


def test_the_pdf_is_served(client, signed_in, acts):
    signed_in(Role.COORDINATOR)
    response = client.get(reverse("funding:legal_act_pdf", args=[acts["convention"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "CITE-021-2024-P147-001.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", ["legal_act_detail", "legal_act_pdf"])
def test_who_reads_an_act(client, user_in, creteil, other_cite, acts, who, page):
    sign_in_as(client, user_in, who, creteil, other_cite)
    response = client.get(reverse(f"funding:{page}", args=[acts["convention"].pk]))
    assert response.status_code == expected(who, READERS)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("which", ["convention", "arrete"])
def test_who_signs_an_act(client, user_in, creteil, other_cite, acts, who, which):
    sign_in_as(client, user_in, who, creteil, other_cite)
    keepers = {"admin", Role.GRANT_OFFICER.value if which == "convention" else Role.CITY_FUND_MANAGER.value}
    url = reverse("funding:legal_act_sign", args=[acts[which].pk])
    response = client.post(url, {"signed_on": "2024-03-01"})
    if who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (302 if who in keepers else 403)
    assert LegalAct.objects.get(pk=acts[which].pk).is_signed == (who in keepers)


def test_signing_on_the_page_makes_the_actions_agreed(client, signed_in, acts):
    signed_in(Role.GRANT_OFFICER)
    act = acts["convention"]
    page = client.get(act.get_absolute_url())
    assert page.context["form"] is not None
    response = client.post(reverse("funding:legal_act_sign", args=[act.pk]), {"signed_on": "2024-03-01"}, follow=True)
    assert "conventionnées" in response.content.decode()
    assert LegalAct.objects.get(pk=act.pk).signed_on == date(2024, 3, 1)
    statuses = set(Action.objects.filter(grants__legal_act=act).values_list("status", flat=True))
    assert statuses == {ActionStatus.AGREED}
    assert client.get(act.get_absolute_url()).context["form"] is None


@pytest.mark.parametrize("signed_on", ["", "pas une date", "future"])
def test_a_bad_signature_date_shows_an_error_and_signs_nothing(client, signed_in, acts, signed_on):
    signed_in(Role.GRANT_OFFICER)
    if signed_on == "future":
        signed_on = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client.post(reverse("funding:legal_act_sign", args=[acts["convention"].pk]), {"signed_on": signed_on})
    assert response.status_code == 200
    assert response.context["form"].errors["signed_on"]
    assert not LegalAct.objects.get(pk=acts["convention"].pk).is_signed


def test_the_act_page_lists_its_grants_and_kind(client, signed_in, acts):
    signed_in(Role.COORDINATOR)
    response = client.get(acts["convention"].get_absolute_url())
    page = response.content.decode()
    assert "Convention CITE-021-2024-P147-001" in page
    assert "Café des parents au collège Laplace" in page and "Échecs à l&#x27;école" in page
    assert "24\u202f000,00\u00a0€" in page
