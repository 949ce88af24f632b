"""The printable annual review (revue de projet), as PDF (WeasyPrint).

Like the minutes and the legal acts: our own template (templates/evaluation/review_pdf.html, which shares its
sections with the page), inline styles, the system's DejaVu fonts, and nothing fetched while rendering. Its
charts are inline SVG (maillage.evaluation.charts): WeasyPrint runs no JavaScript.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from maillage.evaluation.models import AnnualReview
from maillage.evaluation.review import NOT_STARTED, ReviewFigures
from maillage.governance.documents import no_fetching


def review_document(figures: ReviewFigures, review: AnnualReview | None):
    """The rendered document (WeasyPrint `Document`: its pages can be counted). `review` is None for a year not
    started: the figures are printed all the same, with the status "non commencée"."""
    html = render_to_string(
        "evaluation/review_pdf.html",
        {
            "cite": figures.cite,
            "figures": figures,
            "review": review,
            "status": review.get_status_display() if review else NOT_STARTED,
            "charts": figures.charts(),
            "pdf": True,
            "generated_at": timezone.now(),
        },
    )
    return HTML(string=html, url_fetcher=no_fetching()).render()


def review_pdf(figures: ReviewFigures, review: AnnualReview | None) -> bytes:
    return review_document(figures, review).write_pdf()
