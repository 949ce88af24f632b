"""The acceptance journey of issue 5 in a real browser, as new users would live it, each person in their own
browser: the coordinator reads Créteil's 2023 evaluation dashboard and revue de projet; the holder of a 2023 action
done but not yet reported writes its report (bilan), saves the draft (nothing changes yet) and submits it, which
closes the action; the coordinator's dashboard and review then count that report and the people it reached; the
review's XLSX and PDF download, and the XLSX's totals are the dashboard's and the funding module's. Every page
passes axe-core and shows no JavaScript error.

The figures are read from the pages, as a person would compare them; the downloads are kept next to the
screenshots for a person to open."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from maillage.core.amounts import parse_amount
from maillage.funding.dashboards import funding_dashboard
from maillage.programme.models import Action, ActionStatus
from maillage.territories.models import Cite
from tests.browser.conftest import Journey
from tests.browser.test_decision_journey import signed_in_elsewhere
from tests.browser.test_programme_journey import expect_message, fresh
from tests.browser.test_territory_journey import sign_in

pytestmark = pytest.mark.browser

YEAR = 2023
COORDINATOR = "coordination@demo.maillage.test"
# What the holder types in the grid: age band or audience → (girls or women, boys or men). No count under 5, so
# that nothing the report adds is masked.
REACH = {"6-10 ans": ("12", "9"), "11-14 ans": ("14", "11"), "Parents": ("7", "5")}
TYPED_BENEFICIARIES = sum(int(female) + int(male) for female, male in REACH.values())
ADULT_SEXES = {"Parents": ("femmes", "hommes")}  # the grid's words for adults; children are filles and garçons
REPORTS = re.compile(r"(\d+) bilans? déposés? sur (\d+) attendus?")
# Table captions.
DASHBOARD_REACH = f"Bénéficiaires {YEAR} par tranche d'âge ou public et par sexe"
REVIEW_REACH = f"Bénéficiaires des actions de {YEAR} par tranche d'âge et par sexe (bilans déposés)"
MONEY = f"Enveloppes {YEAR} par source de financement"  # on both pages
REPORT_REACH = "Personnes touchées par tranche d'âge (ou public) et par sexe"


def count(text: str) -> int:
    """A count as the pages write it (with or without French digit grouping)."""
    return int(re.sub(r"[\s\u00a0\u202f]", "", text))


def written(number: int) -> str:
    """A pattern of `number` as a page may write it (with or without French digit grouping)."""
    return r"[\s\u00a0\u202f]?".join(str(number))


def total_row(page: Page, caption: str):
    """The cells of the "Total" row of the table captioned `caption`."""
    rows = page.get_by_role("table", name=caption, exact=True).get_by_role("row")
    return rows.filter(has=page.get_by_role("rowheader", name="Total", exact=True)).get_by_role("cell")


def read_dashboard(coordinator: Journey, anct_id: str, step: str) -> dict:
    """The beneficiaries, the reports submitted and expected, and the granted total, as the dashboard shows them."""
    page = coordinator.page
    page.goto(f"/cites/{anct_id}/evaluation/?annee={YEAR}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Évaluation {YEAR}")
    coordinator.check(step)
    beneficiaries = count(page.locator("dl dt:text-is('Bénéficiaires') + dd").inner_text())
    assert count(total_row(page, DASHBOARD_REACH).nth(2).inner_text()) == beneficiaries
    reports, expected = REPORTS.search(page.get_by_text(REPORTS).inner_text()).groups()
    return {
        "beneficiaries": beneficiaries,
        "reports": int(reports),
        "expected": int(expected),
        "granted": parse_amount(total_row(page, MONEY).nth(1).inner_text()),
    }


def read_review(coordinator: Journey, anct_id: str, step: str) -> dict:
    """The same figures, as the revue de projet shows them (its key figures agree with its tables)."""
    page = coordinator.page
    page.goto(f"/cites/{anct_id}/revues/{YEAR}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revue de projet {YEAR}")
    coordinator.check(step)
    beneficiaries = count(total_row(page, REVIEW_REACH).nth(2).inner_text())
    key_figures = page.get_by_role("listitem").filter(has_text=re.compile("^Déploiement :"))
    expect(key_figures).to_contain_text(re.compile(f"; {written(beneficiaries)} bénéficiaires"))
    reports, expected = REPORTS.search(page.get_by_text(f"pour les actions de {YEAR} :").inner_text()).groups()
    expect(key_figures).to_contain_text(f"{reports} bilans déposés sur {expected} attendus")
    return {
        "beneficiaries": beneficiaries,
        "reports": int(reports),
        "expected": int(expected),
        "granted": parse_amount(total_row(page, MONEY).nth(1).inner_text()),
    }


def write_report(holder: Journey, action: Action) -> None:
    """From the action's page, the holder fills the report form by its labels and saves the draft."""
    page = holder.page
    page.goto(action.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(action.title)
    section = page.get_by_role("region", name="Bilan de l'action", exact=True)
    expect(section).to_contain_text("En retard")
    holder.check("action-realisee")
    section.get_by_role("link", name="Rédiger le bilan").click()
    expect(page).to_have_url(re.compile(rf"/actions/{action.pk}/bilan/modifier/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bilan de l'action « {action.title} »")
    holder.check("bilan-vide")

    grid = page.get_by_role("table", name=re.compile("^Personnes touchées, par tranche d'âge"))
    for band, (female, male) in REACH.items():
        female_word, male_word = ADULT_SEXES.get(band, ("filles", "garçons"))
        grid.get_by_label(f"{band} — {female_word}", exact=True).fill(female)
        grid.get_by_label(f"{band} — {male_word}", exact=True).fill(male)
    page.get_by_label("Dont résidents d'un quartier prioritaire (QPV)").fill("41")
    page.get_by_label("Nombre de séances").fill("18")
    page.get_by_label("Nombre d'heures").fill("40,5")
    # The actual spending of each category with a budget, copied from the budget column as a person would.
    spending = page.get_by_role("table", name=re.compile("^Dépenses réelles par catégorie"))
    budgeted = 0
    for row in spending.get_by_role("row").filter(has=page.get_by_role("textbox")).all():
        planned = row.get_by_role("cell").first.inner_text().strip()
        if planned != "—":
            row.get_by_role("textbox").fill(planned)
            budgeted += 1
    assert budgeted, "la fiche action n'a aucun budget prévisionnel"
    page.get_by_label("Ce qui a fonctionné").fill(
        "Les élèves sont venus à toutes les séances ; les parents ont participé aux deux ateliers du samedi."
    )
    page.get_by_label("Ce qui n'a pas fonctionné, les difficultés").fill(
        "Deux séances annulées en décembre faute de salle ; peu de garçons de 11-14 ans au premier trimestre."
    )
    page.get_by_label("Suites envisagées").fill("Reconduire l'action en l'ouvrant aux collégiens de 3e.")
    holder.check("bilan-rempli")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_url(re.compile(rf"/actions/{action.pk}/bilan/$"))
    expect_message(page, "Le brouillon du bilan est enregistré")
    expect(page.get_by_text("Le bilan est complet.")).to_be_visible()
    expect(total_row(page, REPORT_REACH).nth(2)).to_have_text(str(TYPED_BENEFICIARIES))
    holder.check("brouillon")


def submit_report(holder: Journey) -> None:
    """The holder ticks the confirmation the page asks for and submits the report: the action is closed."""
    page = holder.page
    submission = page.get_by_role("form", name="Dépôt du bilan")
    submission.get_by_label(re.compile("^Je confirme que ce bilan est complet et exact")).check(force=True)
    submission.get_by_role("button", name="Déposer le bilan").click()
    expect_message(page, "Le bilan est déposé : l'action est clôturée.")
    expect(page.locator(".fr-badge", has_text="Clôturée").first).to_be_visible()
    expect(page.get_by_role("link", name="Modifier le bilan")).to_have_count(0)
    holder.check("bilan-depose")


def download(journey: Journey, link: str) -> bytes:
    """Click a download link; the file is kept next to the screenshots."""
    with journey.page.expect_download() as info:
        journey.page.get_by_role("link", name=link).click()
    saved = journey.screenshots / info.value.suggested_filename
    info.value.save_as(saved)
    return saved.read_bytes()


def sheet_row(workbook, sheet: str, first_cell: str) -> tuple:
    return next(row for row in workbook[sheet].iter_rows(values_only=True) if row[0] == first_cell)


def test_a_report_reaches_the_dashboard_and_the_review(journey, browser, live_server, demo, demo_password):
    creteil = Cite.objects.get(anct_id="cite-021")
    action = (
        Action.objects.filter(cite=creteil, call__year=YEAR, status=ActionStatus.DONE, report__isnull=True)
        .order_by("pk")
        .first()
    )
    holder = action.organisation.contacts.filter(user__isnull=False).select_related("user").order_by("pk").first().user

    # 1. The coordinator reads the 2023 dashboard and review: the same figures on both.
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, COORDINATOR, demo_password)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    before = read_dashboard(journey, creteil.anct_id, "tableau-de-bord-avant")
    assert before["beneficiaries"] > 0 and before["reports"] < before["expected"]
    assert read_review(journey, creteil.anct_id, "revue-avant") == before

    # 2. The holder writes the report and saves the draft, which counts nowhere yet; then submits it.
    with signed_in_elsewhere(browser, live_server, journey, holder.email, demo_password, "porteur") as writer:
        write_report(writer, action)
        assert fresh(action).status == ActionStatus.DONE
        assert read_dashboard(journey, creteil.anct_id, "tableau-de-bord-brouillon") == before
        submit_report(writer)
    assert fresh(action).status == ActionStatus.CLOSED

    # 3. The dashboard and the review count the report and the people it reached; the money has not moved.
    after = read_dashboard(journey, creteil.anct_id, "tableau-de-bord-apres")
    assert after == {
        **before,
        "beneficiaries": before["beneficiaries"] + TYPED_BENEFICIARIES,
        "reports": before["reports"] + 1,
    }
    assert read_review(journey, creteil.anct_id, "revue-apres") == after

    # 4. The review's XLSX and PDF: the same totals as the dashboard's and the funding module's.
    granted = funding_dashboard(creteil, YEAR).total.granted
    assert after["granted"] == granted > 0
    workbook = load_workbook(BytesIO(download(journey, "Télécharger le tableur (XLSX)")), read_only=True)
    assert sheet_row(workbook, "Bénéficiaires", "Total")[3] == after["beneficiaries"]
    assert sheet_row(workbook, "Activité", "Bilans déposés")[1] == after["reports"]
    assert Decimal(str(sheet_row(workbook, "Financements", "Total")[3])) == granted
    pdf = download(journey, "Télécharger le rapport (PDF)")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
