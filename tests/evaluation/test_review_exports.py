"""The review's XLSX and PDF (with its SVG charts), the national consolidation, and the `export_review` command:
the files open, their totals are the funding module's and the reports', small counts are masked."""

import io
import re
from itertools import zip_longest

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from weasyprint.formatting_structure import boxes

from maillage.core.models import Role
from maillage.evaluation.charts import bar_chart_svg
from maillage.evaluation.documents import review_document
from maillage.evaluation.exports.review import national_workbook, review_workbook
from maillage.evaluation.figures import MASKED, reach
from maillage.evaluation.models import ReviewStatus
from maillage.evaluation.review import assemble_review
from maillage.evaluation.services.reviews import start_review, update_review
from maillage.funding.dashboards import funding_dashboard
from maillage.territories.models import Cite
from tests.evaluation.builders import YEAR, build_reports, report_on
from tests.factories import ActionFactory, CallFactory, CiteFactory, source
from tests.programme.selection_scenarios import member_of
from tests.queries import count_queries

TEXTS = dict.fromkeys(
    ("highlights", "governance_comment", "deployment_comment", "finances_comment", "evaluation_comment", "outlook"),
    "",
)


@pytest.fixture
def programme(creteil):
    return build_reports(creteil)


@pytest.fixture
def review(creteil, programme):
    coordinator = member_of(creteil, Role.COORDINATOR)
    review = start_review(actor=coordinator, cite=creteil, year=YEAR)
    return update_review(
        actor=coordinator, review=review, **{**TEXTS, "highlights": "Une année riche en projets.", "outlook": "Bien."}
    )


def sheets(data) -> dict[str, list[tuple]]:
    """Every sheet of an .xlsx file (a file object or bytes) as rows of values."""
    workbook = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def by_label(rows: list[tuple]) -> dict:
    """The rows of a sheet (without its header) by their first cell."""
    return {row[0]: row[1:] for row in rows[1:]}


def record(header: tuple, row: tuple) -> dict:
    """A row by its column titles (a read-only sheet drops the empty cells that end a row)."""
    return dict(zip_longest(header, row))


def document_text(document) -> str:
    """The text laid out on the pages of a WeasyPrint document."""
    texts = []
    for page in document.pages:
        texts += [box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox)]
    return " ".join(texts)


# The XLSX of one review.


def test_the_xlsx_totals_are_the_funding_modules_and_the_reports(creteil, review):
    content = sheets(review_workbook(assemble_review(creteil, YEAR), review))
    dashboard, reached = funding_dashboard(creteil, YEAR), reach(creteil, YEAR)

    money = by_label(content["Financements"])
    assert money["Total"][1:4] == (dashboard.total.envelope, dashboard.total.granted, dashboard.total.paid)
    assert money["Total"][1:4] == (120000, 18000, 6000)
    assert money[source("p147").label][:4] == ("oui", 100000, 13000, 6000)
    assert money[source("commune").label][:4] == ("non", 20000, 5000, 0)
    beneficiaries = by_label(content["Bénéficiaires"])
    assert beneficiaries["Total"] == (reached.female, reached.male, reached.total) == (22, 19, 41)
    assert beneficiaries["Parents"] == (MASKED, 0, MASKED)  # 3 mothers
    assert beneficiaries["11-14 ans"] == (12, 8, 20)
    activity = by_label(content["Activité"])
    assert (activity["Bilans déposés"], activity["Bilans attendus"]) == ((2,), (4,))
    statuses = by_label(content["Statuts"])
    assert statuses["Total"] == (dashboard.action_total,)

    summary = by_label(content["Revue"])
    assert summary["Cité éducative"] == (creteil.name,)
    assert summary["Statut de la revue"] == (ReviewStatus.DRAFT.label,)
    assert summary["Faits marquants de l'année"] == ("Une année riche en projets.",)
    assert "41 bénéficiaires" in summary["Chiffres clés — Déploiement"][0]
    indicators = by_label(content["Indicateurs"])
    assert indicators["Bénéficiaires des actions"][2] == 41
    assert indicators["Montant attribué"][2] == 18000


def test_the_xlsx_download(client, signed_in, review):
    signed_in(Role.EVALUATOR.value)
    response = client.get(reverse("evaluation:review_xlsx", args=["cite-021", YEAR]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = timezone.localdate()
    assert f'filename="revue-de-projet-{YEAR}-cite-021-{today:%Y-%m-%d}.xlsx"' in response["Content-Disposition"]
    assert "Financements" in sheets(b"".join(response.streaming_content))


# The PDF.


def test_the_pdf_is_a_french_report_with_its_charts(creteil, review):
    figures = assemble_review(creteil, YEAR)
    document = review_document(figures, review)
    assert len(document.pages) >= 3  # the cover, then the sections
    text = document_text(document)
    assert f"Revue de projet {YEAR}" in text and creteil.name in text
    assert "En rédaction" in text and "Une année riche en projets." in text
    charts = [
        box
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.ReplacedBox) and type(box.replacement).__name__ == "SVGImage"
    ]
    assert len(charts) == 3  # by age band, by source, by objective: drawn as SVG
    assert document.write_pdf().startswith(b"%PDF")


def test_the_pdf_download(client, signed_in, review):
    signed_in(Role.TROIKA_CITY.value)
    response = client.get(reverse("evaluation:review_pdf", args=["cite-021", YEAR]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="revue-de-projet-{YEAR}-cite-021.pdf"'
    assert response.content.startswith(b"%PDF")


def test_the_bar_chart_draws_proportional_bars_and_hides_masked_counts():
    svg = bar_chart_svg(["Filles <b>", "Garçons", "Parents"], [40, 20, MASKED], "Bénéficiaires")
    widths = [int(width) for width in re.findall(r'<rect[^>]* width="(\d+)"', svg)]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert "Filles &lt;b&gt;" in svg and "<b>" not in svg  # labels are escaped
    assert "&lt; 5" in svg and svg.startswith("<svg") and 'role="img"' in svg
    assert 'width="0"' in bar_chart_svg(["Rien"], [0], "Vide")


# The national consolidation.


def test_the_national_consolidation_has_one_row_per_cite(creteil, review):
    content = sheets(national_workbook(YEAR))
    assert list(content) == [f"Revues {YEAR}", "Gouvernance", "Finances", "Indicateurs"]
    for rows in content.values():
        assert len(rows) == 1 + Cite.objects.count() == 1 + 208
    header, *rows = content[f"Revues {YEAR}"]
    summary = {row[1]: record(header, row) for row in rows}
    creteil_row = summary["cite-021"]
    assert creteil_row["Statut de la revue"] == ReviewStatus.DRAFT.label
    assert creteil_row["Bénéficiaires"] == 41
    assert creteil_row["Montant attribué (€)"] == 18000
    assert creteil_row["Département"].endswith("(94)")
    assert summary["cite-001"]["Statut de la revue"] == "non commencée"
    finances = {row[1]: row for row in content["Finances"][1:]}
    assert finances["cite-021"][3] == 120000  # the envelopes


def test_the_national_consolidation_masks_small_counts(creteil):
    tiny = CiteFactory(territory=(1, 0, 0))
    report_on(ActionFactory(call=CallFactory(cite=tiny, year=YEAR), status="closed"), {"11-14": (1, 2)})
    content = sheets(national_workbook(YEAR))
    header, *rows = content[f"Revues {YEAR}"]
    row = record(header, next(row for row in rows if row[1] == tiny.anct_id))
    assert row["Bénéficiaires"] == MASKED
    header, *rows = content["Indicateurs"]
    row = record(header, next(row for row in rows if row[1] == tiny.anct_id))
    assert row["Bénéficiaires des actions (personnes)"] == MASKED
    assert row["Enfants et jeunes de 0 à 25 ans touchés (personnes)"] == MASKED


def national_queries(year: int = YEAR) -> int:
    with CaptureQueriesContext(connection) as queries:
        national_workbook(year).close()
    return len(queries)


def test_the_national_consolidation_runs_a_fixed_number_of_queries(client, signed_in, creteil, other_cite):
    build_reports(creteil)
    signed_in(Role.NATIONAL.value)
    url = reverse("evaluation:national_reviews_xlsx", args=[YEAR])
    small, small_page = national_queries(), count_queries(client, url)
    build_reports(creteil, copies=2)
    build_reports(other_cite, copies=2)
    start_review(actor=member_of(other_cite, Role.COORDINATOR), cite=other_cite, year=YEAR)
    assert (national_queries(), count_queries(client, url)) == (small, small_page)


# The command.


def test_the_command_writes_the_xlsx_and_the_pdf(creteil, review, tmp_path):
    xlsx, pdf = tmp_path / "revue.xlsx", tmp_path / "revue.pdf"
    out = io.StringIO()
    call_command(
        "export_review", "--cite", "cite-021", "--year", str(YEAR), "--format", "xlsx", "--output", xlsx, stdout=out
    )
    call_command(
        "export_review", "--cite", "cite-021", "--year", str(YEAR), "--format", "pdf", "--output", pdf, stdout=out
    )
    assert by_label(sheets(xlsx.read_bytes())["Financements"])["Total"][2] == 18000
    assert pdf.read_bytes().startswith(b"%PDF")
    assert f"Revue de projet {YEAR} de {creteil.name} (en rédaction)" in out.getvalue()


def test_the_command_exports_a_review_not_started_with_the_platforms_figures(creteil, programme, tmp_path):
    path = tmp_path / "revue.xlsx"
    call_command(
        "export_review",
        "--cite",
        "cite-021",
        "--year",
        str(YEAR),
        "--format",
        "xlsx",
        "--output",
        path,
        stdout=io.StringIO(),
    )
    content = sheets(path.read_bytes())
    assert by_label(content["Revue"])["Statut de la revue"] == ("non commencée",)
    assert by_label(content["Financements"])["Total"][2] == 18000


def test_the_command_writes_the_national_consolidation(creteil, review, tmp_path):
    path = tmp_path / "revues.xlsx"
    call_command(
        "export_review", "--all", "--year", str(YEAR), "--format", "xlsx", "--output", path, stdout=io.StringIO()
    )
    assert len(sheets(path.read_bytes())[f"Revues {YEAR}"]) == 1 + 208


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--cite", "cite-999", "--year", "2023", "--format", "xlsx"], "Cité inconnue"),
        (["--cite", "cite-021", "--year", "deux-mille", "--format", "xlsx"], "Année invalide"),
        (["--cite", "cite-021", "--year", "2012", "--format", "pdf"], "existent depuis 2019"),
        (["--cite", "cite-021", "--year", "2999", "--format", "pdf"], "pas encore commencée"),
        (["--all", "--year", "2023", "--format", "pdf"], "qu'au format XLSX"),
    ],
)
def test_the_command_refuses_bad_arguments_in_french(reference_data, tmp_path, arguments, message):
    path = tmp_path / "sortie"
    with pytest.raises(CommandError, match=message):
        call_command("export_review", *arguments, "--output", path)
    assert not path.exists()


def test_the_command_needs_an_existing_folder(reference_data, tmp_path):
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command(
            "export_review", "--all", "--year", "2023", "--format", "xlsx", "--output", tmp_path / "absent" / "x.xlsx"
        )
