"""The printable legal act (arrêté attributif or convention de financement), as PDF (WeasyPrint).

Like the minutes (governance/documents.py): our own template, inline styles, the system's DejaVu fonts,
and nothing fetched while rendering.
"""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from maillage.funding.models import Grant, GrantStatus, LegalAct, LegalActKind
from maillage.governance.documents import no_fetching


def funder_name(act: LegalAct, grants: list[Grant]) -> str:
    """Who grants: the envelope's funder when the grant officer named it, else the source's label."""
    for grant in grants:
        if grant.envelope.funder_id:
            return grant.envelope.funder.name
    return act.source.label


def legal_act_context(act: LegalAct) -> dict:
    grants = list(
        Grant.objects.filter(legal_act=act, status=GrantStatus.GRANTED)
        .select_related("action", "envelope__funder")
        .order_by("action__title")
    )
    funder = next((grant.envelope.funder for grant in grants if grant.envelope.funder_id), None)
    return {
        "act": act,
        "is_convention": act.kind == LegalActKind.CONVENTION,
        "grants": grants,
        "total": sum((grant.granted for grant in grants), Decimal("0")),
        "funder": funder,
        "funder_name": funder_name(act, grants),
        "holder": act.organisation,
        "report_due": f"30 juin {act.year + 1}",
        "generated_at": timezone.now(),
    }


def legal_act_document(act: LegalAct):
    """The rendered document (WeasyPrint `Document`). `act` with `cite`, `organisation__commune` and
    `source` selected."""
    html = render_to_string("funding/legal_act_pdf.html", legal_act_context(act))
    return HTML(string=html, url_fetcher=no_fetching()).render()


def legal_act_pdf(act: LegalAct) -> bytes:
    return legal_act_document(act).write_pdf()
