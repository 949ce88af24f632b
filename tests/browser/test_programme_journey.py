"""The yearly cycle of issue 4 in a real browser, as new users would live it, each person in their own browser:
a project holder writes and submits an action sheet for next year's call; the grant officer finds it eligible;
two committee members score it; the coordinator records the committee's choice, which the three pillars of
the troïka validate; the grant officer grants 24 000 € from the P147 envelope, downloads the convention (PDF),
records its signature, an advance and the balance, and a third payment is refused. The funding dashboard's
table follows each step. Every page passes axe-core and shows no JavaScript error."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from maillage.core.templatetags.ui import euros
from maillage.demo.programme_data import CITY, PREFECTURE
from maillage.funding.models import Grant, LegalActKind, Payment
from maillage.governance.models import Body, BodyKind
from maillage.partners.models import Organisation
from maillage.programme.models import Action, ActionStatus
from maillage.territories.models import Cite
from tests.browser.conftest import Journey
from tests.browser.test_decision_journey import PILLARS, signed_in_elsewhere
from tests.browser.test_territory_journey import sign_in
from tests.factories import BodyFactory, CallFactory, EnvelopeFactory, MeetingFactory, source

pytestmark = pytest.mark.browser

TITLE = "Découvrir les métiers du numérique au collège"
OBJECTIVE = "Faire découvrir les métiers et le monde professionnel"
P147 = "P147 — Politique de la ville (ANCT)"
# Each member's scores on the factory's grid: "Pertinence…" (weight 2) and "Partenariat…" (weight 1), out of 5.
SCORES = {
    "comite1@demo.maillage.test": {"Pertinence au regard des objectifs": 5, "Partenariat et ancrage local": 4},
    "comite2@demo.maillage.test": {"Pertinence au regard des objectifs": 4, "Partenariat et ancrage local": 4},
}
EXPECTED_SCORE = "86,7"  # ((5*2 + 4) / 15 + (4*2 + 4) / 15) / 2 * 100
BUDGET = {"Recrutement d'encadrants": "18 000", "Actions": "12 000"}
FUNDING = {P147: "24 000", "Commune": "6 000"}


def fresh(action: Action) -> Action:
    """The action as it is now in the database (its status is protected: no refresh_from_db)."""
    return Action.objects.get(pk=action.pk)


def expect_message(page: Page, text: str) -> None:
    """The confirmation (or error) shown after a form, read by screen readers as a status."""
    expect(page.get_by_text(text).first).to_be_visible()


def source_row(page: Page, year: int, label: str):
    """The row of one funding source in the dashboard's table (not the chart)."""
    table = page.get_by_role("table", name=f"Enveloppes {year} par source de financement")
    return table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(f"^{re.escape(label)}")))


def expect_dashboard(member: Journey, anct_id: str, year: int, *, envelope, granted, paid, step: str) -> None:
    page = member.page
    page.goto(f"/cites/{anct_id}/financements/?annee={year}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Financements {year}")
    cells = source_row(page, year, P147).get_by_role("cell")
    expect(cells.nth(0)).to_have_text(euros(envelope))
    expect(cells.nth(1)).to_have_text(euros(granted))
    expect(cells.nth(2)).to_have_text(euros(paid))
    expect(cells.nth(3)).to_have_text(euros(envelope - granted))
    member.check(step)


def status_count(page: Page, year: int, status: str):
    """The number of the year's actions at `status`, in the dashboard's table."""
    table = page.get_by_role("table", name=f"Actions des appels à projets {year} par statut")
    return (
        table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=status, exact=True)).get_by_role("cell")
    )


def pay(page: Page, kind: str, amount: str) -> None:
    form = page.get_by_role("form", name="Enregistrer un versement")
    form.get_by_label(kind, exact=True).check(force=True)  # DSFR draws the radio on the label
    form.get_by_label("Montant versé (€)").fill(amount)
    form.get_by_role("button", name="Enregistrer le versement").click()


POST_FORM = """({url, fields}) => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = url;
    const token = document.cookie.split("; ").find((cookie) => cookie.startsWith("csrftoken=")).split("=")[1];
    for (const [name, value] of Object.entries({csrfmiddlewaretoken: token, ...fields})) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.append(input);
    }
    document.body.append(form);
    form.submit();
}"""


def post_anyway(page: Page, url: str, fields: dict) -> None:
    """Post a form the page does not offer (as a stale tab or a crafted request would), from the browser."""
    page.evaluate(POST_FORM, {"url": url, "fields": fields})


def test_an_action_goes_from_its_sheet_to_its_balance(journey, browser, live_server, demo, demo_password):
    year = timezone.localdate().year + 1
    creteil = Cite.objects.get(anct_id="cite-021")
    call = CallFactory(cite=creteil, year=year, title=f"Appel à projets {year} — ouvrir des horizons")
    EnvelopeFactory(
        cite=creteil,
        year=year,
        source=source("p147"),
        amount=Decimal("250000"),
        funder=Organisation.objects.get(name=PREFECTURE),
    )
    EnvelopeFactory(
        cite=creteil,
        year=year,
        source=source("commune"),
        amount=Decimal("50000"),
        funder=Organisation.objects.get(name=CITY),
    )
    committee = Body.objects.filter(cite=creteil, kind=BodyKind.SELECTION_COMMITTEE).first() or BodyFactory(
        cite=creteil, kind=BodyKind.SELECTION_COMMITTEE
    )
    meeting = MeetingFactory(body=committee, title=f"Comité de sélection {year}")

    # 1. The project holder writes the sheet, saves the draft, then submits it.
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, "porteur@demo.maillage.test", demo_password)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto("/mes-actions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes actions")
    journey.check("mes-actions")
    page.get_by_role("link", name=f"Rédiger une action pour « {call.title} »").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle fiche action")
    journey.check("nouvelle-fiche")
    page.get_by_label("Intitulé de l'action").fill(TITLE)
    page.get_by_label("Résumé").fill(
        "Des professionnels du numérique accueillent chaque mois les collégiens de 4e dans leurs entreprises."
    )
    page.get_by_label(OBJECTIVE, exact=True).check(force=True)  # DSFR draws the box on the label
    page.get_by_label("11-14 ans", exact=True).check(force=True)
    page.get_by_label("Début").fill(f"{year}-01-15")
    page.get_by_label("Fin").fill(f"{year}-06-30")
    page.get_by_label("Bénéficiaires attendus").fill("60")
    budget = page.get_by_role("table", name="Budget prévisionnel, par catégorie de dépense")
    for label, amount in BUDGET.items():
        budget.get_by_label(label, exact=True).fill(amount)
    funding = page.get_by_role("table", name="Plan de financement, par source de financement")
    for label, amount in FUNDING.items():
        funding.get_by_label(label, exact=True).fill(amount)
    journey.check("fiche-remplie")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_url(re.compile(r"/actions/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect_message(page, "Le brouillon est enregistré")
    expect(page.get_by_text("La fiche est complète")).to_be_visible()
    journey.check("brouillon")
    action_url = page.url
    action = Action.objects.get(title=TITLE)
    assert action.status == ActionStatus.DRAFT

    page.get_by_role("button", name="Déposer").click()
    expect_message(page, "L'action est déposée")
    expect(page.locator(".fr-badge", has_text="Déposée").first).to_be_visible()
    journey.check("deposee")
    action = fresh(action)
    assert action.status == ActionStatus.SUBMITTED

    # 2. The grant officer instructs it: eligible.
    with signed_in_elsewhere(
        browser, live_server, journey, "subventions@demo.maillage.test", demo_password, "instruction"
    ) as officer:
        officer.page.goto(action_url)
        officer.check("action-deposee")
        officer.page.get_by_role("link", name="Instruire").click()
        expect(officer.page.get_by_role("heading", level=1)).to_have_text(f"Instruction de l'action « {TITLE} »")
        officer.check("instruction")
        officer.page.get_by_label("Oui, l'action est éligible").check(force=True)
        officer.page.get_by_role("textbox", name=re.compile("^Avis d'éligibilité")).fill(
            "Public du quartier, budget équilibré : éligible."
        )
        officer.page.get_by_role("button", name="Enregistrer l'avis").click()
        expect_message(officer.page, "L'avis d'éligibilité est enregistré")
        officer.check("avis-enregistre")
    action = fresh(action)
    assert (action.status, action.is_eligible) == (ActionStatus.UNDER_REVIEW, True)

    # 3. Two committee members score it on the grid.
    for number, (email, scores) in enumerate(SCORES.items(), start=1):
        with signed_in_elsewhere(browser, live_server, journey, email, demo_password, f"comite{number}") as member:
            member.page.goto(action_url)
            member.page.get_by_role("link", name="Noter").click()
            expect(member.page.get_by_role("heading", level=1)).to_have_text(f"Notation de l'action « {TITLE} »")
            member.check("notation")
            for criterion, value in scores.items():
                group = member.page.get_by_role("group", name=re.compile(f"^{re.escape(criterion)}"))
                group.get_by_label("Note sur 5").fill(str(value))
            member.page.get_by_role("button", name="Enregistrer mes notes").click()
            expect(member.page).to_have_url(re.compile(rf"/appels-a-projets/{call.pk}/classement/$"))
            expect_message(member.page, f"Vos notes sur « {TITLE} » sont enregistrées.")
            member.check("classement")

    # 4. The coordinator reads the ranking and records the committee's choice: retained.
    with signed_in_elsewhere(
        browser, live_server, journey, "coordination@demo.maillage.test", demo_password, "coordination"
    ) as coordinator:
        cpage = coordinator.page
        cpage.goto(f"/appels-a-projets/{call.pk}/classement/")
        row = cpage.get_by_role("row").filter(has=cpage.get_by_role("link", name=TITLE))
        expect(row).to_contain_text(f"{EXPECTED_SCORE} / 100")
        expect(row).to_contain_text("2 notations")
        coordinator.check("classement")
        cpage.get_by_role("link", name="Enregistrer le choix du comité").click()
        expect(cpage.get_by_role("heading", level=1)).to_have_text(f"Choix du comité de sélection — {call.title}")
        coordinator.check("choix-du-comite")
        cpage.get_by_label("Réunion où le comité a fait son choix").select_option(
            label=f"{committee.name} — {meeting.title} ({timezone.localtime(meeting.starts_at):%d/%m/%Y})"
        )
        cpage.get_by_role("group", name=re.compile(f"^{re.escape(TITLE)}")).get_by_label("Retenue", exact=True).check(
            force=True
        )
        cpage.get_by_role("button", name="Proposer la sélection à la troïka").click()
        expect(cpage).to_have_url(re.compile(r"/decisions/\d+/$"))
        expect_message(cpage, "Le choix du comité est enregistré")
        coordinator.check("decision-proposee")
        decision_url = cpage.url
    action = fresh(action)
    assert (action.status, action.proposed_outcome) == (ActionStatus.UNDER_REVIEW, "selected")

    # 5. The three pillars approve the decision: the action is retained.
    for number, (email, name) in enumerate(PILLARS, start=1):
        with signed_in_elsewhere(browser, live_server, journey, email, demo_password, name) as pillar:
            pillar.page.goto(decision_url)
            pillar.page.get_by_role("button", name="Approuver").click()
            expect(
                pillar.page.get_by_role("status").filter(has_text="Votre approbation est enregistrée")
            ).to_be_visible()
            if number == len(PILLARS):
                expect(pillar.page.get_by_text("la décision est validée par la troïka")).to_be_visible()
            pillar.check("approuvee")
    action = fresh(action)
    assert action.status == ActionStatus.SELECTED

    # 6. The grant officer grants 24 000 € from P147, signs the convention and pays the advance and the balance.
    with signed_in_elsewhere(
        browser, live_server, journey, "subventions@demo.maillage.test", demo_password, "subvention"
    ) as officer:
        opage = officer.page
        expect_dashboard(
            officer,
            creteil.anct_id,
            year,
            envelope=Decimal("250000"),
            granted=0,
            paid=0,
            step="tableau-apres-selection",
        )
        expect(status_count(opage, year, "Retenue")).to_have_text("1")

        opage.goto(action_url)
        expect(opage.locator(".fr-badge", has_text="Retenue").first).to_be_visible()
        officer.check("action-retenue")
        opage.get_by_role("link", name=f"Attribuer — {P147} {year}").click()
        expect(opage.get_by_role("heading", level=1)).to_have_text("Attribuer une subvention")
        expect(opage.get_by_label("Montant demandé (€)")).to_have_value("24000,00")
        officer.check("attribution")
        opage.get_by_label("Montant attribué (€)").fill("24 000")
        opage.get_by_role("button", name="Attribuer la subvention").click()
        expect(opage).to_have_url(re.compile(r"/subventions/\d+/$"))
        expect_message(opage, "L'acte attributif (convention")
        officer.check("subvention-attribuee")
        grant_url = opage.url
        grant = Grant.objects.select_related("legal_act").get(action=action)
        assert grant.granted == Decimal("24000")
        assert grant.legal_act.kind == LegalActKind.CONVENTION

        expect_dashboard(
            officer,
            creteil.anct_id,
            year,
            envelope=Decimal("250000"),
            granted=Decimal("24000"),
            paid=0,
            step="tableau-apres-attribution",
        )

        opage.goto(grant_url)
        opage.get_by_role("link", name=f"Convention {grant.legal_act.reference}").click()
        expect(opage.get_by_role("heading", level=1)).to_have_text(f"Convention {grant.legal_act.reference}")
        officer.check("convention")
        pdf_url = opage.get_by_role("link", name="Télécharger l'acte (PDF)").get_attribute("href")
        pdf = opage.context.request.get(pdf_url)
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")

        opage.get_by_label("Date de signature").fill(timezone.localdate().isoformat())
        opage.get_by_role("button", name="Enregistrer la signature").click()
        expect_message(opage, "La signature est enregistrée")
        expect(opage.locator(".fr-badge", has_text="Signé le").first).to_be_visible()
        officer.check("convention-signee")
        action = fresh(action)
        assert action.status == ActionStatus.AGREED

        opage.goto(grant_url)
        pay(opage, "Avance", "12 000")
        expect_message(opage, f"Le versement (avance de {euros(Decimal('12000'))}) est enregistré.")
        officer.check("avance")
        pay(opage, "Acompte", "13 000")  # more than is left to pay
        expect(opage.get_by_text("dépasseraient le montant attribué")).to_be_visible()
        officer.check("versement-refuse")
        pay(opage, "Solde", "12 000")
        expect_message(opage, f"Le versement (solde de {euros(Decimal('12000'))}) est enregistré.")
        expect(opage.get_by_role("cell", name="Soldée")).to_be_visible()
        expect(opage.get_by_role("form", name="Enregistrer un versement")).to_have_count(0)
        officer.check("solde")

        # A third payment, posted anyway (the page no longer offers the form): refused, in French.
        post_anyway(
            opage,
            f"{grant_url}versements/nouveau/",
            {"kind": "instalment", "amount": "100", "paid_on": timezone.localdate().isoformat()},
        )
        expect(opage.get_by_text("Le solde de cette subvention est déjà versé")).to_be_visible()
        officer.check("troisieme-versement-refuse")
        assert Payment.objects.filter(grant=grant).count() == 2

        expect_dashboard(
            officer,
            creteil.anct_id,
            year,
            envelope=Decimal("250000"),
            granted=Decimal("24000"),
            paid=Decimal("24000"),
            step="tableau-apres-versements",
        )
        expect(status_count(opage, year, "Conventionnée")).to_have_text("1")

    # 7. The holder sees the action agreed among its actions.
    page.goto("/mes-actions/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    expect(row).to_contain_text("Conventionnée")
    journey.check("mes-actions-conventionnee")
