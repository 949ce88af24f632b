"""The minutes PDF: title, body, date, place, agenda, the attendance table and the minutes, with accents.

The text is read back from WeasyPrint's laid-out pages (its boxes), and the written PDF is checked to
embed a font with the accented glyphs (the ToUnicode maps of its font subsets)."""

import re
import zlib

import pytest
from django.urls import reverse
from weasyprint.formatting_structure.boxes import TableBox, TableCellBox, TableRowBox, TextBox

from maillage.core.models import Role
from maillage.governance import documents
from maillage.governance.models import Attendance, Invitation
from tests.factories import BodyFactory, ContactFactory, MeetingFactory, OrganisationFactory


@pytest.fixture
def meeting(creteil):
    body = BodyFactory(cite=creteil, name="Rencontre des partenaires de Créteil")
    meeting = MeetingFactory(
        body=body,
        title="Réunion des acteurs éducatifs",
        place="Préfecture du Val-de-Marne, salle Émile Zola",
        minutes="<h2>Échanges</h2><p>Les partenaires présentent leurs actions ; l'État <strong>s'engage</strong>.</p>"
        "<ul><li>Parentalité</li><li>Réussite éducative</li></ul>",
    )
    meeting.agenda_items.create(position=1, title="Présentation de la cité éducative", presenter="M. le Préfet")
    meeting.agenda_items.create(position=2, title="Échanges avec les associations")
    people = [
        ("Hélène", "Bérard", "Médiathèque de l'Abbaye-Nelson Mandela", Attendance.PRESENT),
        ("François", "Nœl", "Association Réussite Éducative", Attendance.EXCUSED),
        ("Loïc", "Gaëtan", "Collège Laplace", Attendance.ABSENT),
    ]
    for first_name, last_name, organisation, attendance in people:
        contact = ContactFactory(
            first_name=first_name,
            last_name=last_name,
            organisation=OrganisationFactory(name=organisation, cites=[creteil]),
        )
        Invitation.objects.create(meeting=meeting, contact=contact, attendance=attendance)
    return meeting


def render(meeting):
    invitations = meeting.invitations.select_related("contact__organisation").order_by("contact__last_name")
    return documents.minutes_document(meeting, invitations=invitations, agenda_items=list(meeting.agenda_items.all()))


def page_text(document) -> str:
    return " ".join(
        box.text for page in document.pages for box in page._page_box.descendants() if isinstance(box, TextBox)
    )


def table_rows(document) -> list[list[str]]:
    """The rows of the tables in the laid-out pages, each as the texts of its cells."""
    rows = []
    for page in document.pages:
        for table in page._page_box.descendants():
            if not isinstance(table, TableBox):
                continue
            for row in table.descendants():
                if isinstance(row, TableRowBox):
                    cells = [cell for cell in row.descendants() if isinstance(cell, TableCellBox)]
                    rows.append(
                        [" ".join(b.text for b in cell.descendants() if isinstance(b, TextBox)) for cell in cells]
                    )
    return rows


def pdf_streams(pdf: bytes) -> list[bytes]:
    """The decompressed streams of a PDF (page contents, object streams, font maps)."""
    streams = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL):
        try:
            streams.append(zlib.decompress(stream))
        except zlib.error:
            continue  # font files and images are not all deflated
    return streams


def embedded_characters(streams: list[bytes]) -> str:
    """The characters that the PDF's fonts have a real glyph for (glyph ≠ 0, from their ToUnicode maps)."""
    characters = []
    for data in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, flags=re.DOTALL):
            for glyph, code in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", block):
                if int(glyph, 16) != 0:
                    characters.append(chr(int(code, 16)))
    return "".join(characters)


def test_the_pdf_has_every_part_with_accents(meeting):
    document = render(meeting)
    text = page_text(document)
    for expected in [
        "Réunion des acteurs éducatifs",
        "Rencontre des partenaires de Créteil",
        "Préfecture du Val-de-Marne, salle Émile Zola",
        "Présentation de la cité éducative",
        "(présenté par M. le Préfet)",
        "Échanges avec les associations",
        "Présents : 1",
        "Excusés : 1",
        "Absents : 1",
        "Les partenaires présentent leurs actions",
        "s'engage",
        "Réussite éducative",
    ]:
        assert expected in text, expected


def test_the_pdf_has_the_attendance_table_with_organisations(meeting):
    rows = table_rows(render(meeting))
    assert rows[0] == ["Nom", "Structure", "Fonction", "Présence"]
    assert rows[1:] == [
        ["BÉRARD Hélène", "Médiathèque de l'Abbaye-Nelson Mandela", "Chargée de mission", "Présent"],
        ["NŒL François", "Association Réussite Éducative", "Chargée de mission", "Excusé"],
        ["GAËTAN Loïc", "Collège Laplace", "Chargée de mission", "Absent"],
    ]


def test_the_written_pdf_embeds_the_accented_glyphs(meeting):
    pdf = documents.minutes_pdf(
        meeting,
        invitations=meeting.invitations.select_related("contact__organisation"),
        agenda_items=list(meeting.agenda_items.all()),
    )
    assert pdf.startswith(b"%PDF-")
    streams = pdf_streams(pdf)
    assert any(b"/FontName /" in data and b"DejaVu-Sans" in data for data in streams)
    characters = embedded_characters(streams)
    for letter in "éÉèàçïËŒ":
        assert letter in characters, letter


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/interne", "https://exemple.fr/x.png", "file:///etc/passwd", "data:text/plain,x"]
)
def test_the_renderer_fetches_nothing(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        documents.no_fetching().fetch(url)


def test_a_link_in_the_minutes_is_text_in_the_pdf(meeting):
    meeting.minutes = '<p>Voir <a href="http://127.0.0.1:9/interne">le lien</a></p>'
    assert "le lien" in page_text(render(meeting))


def test_the_pdf_view_answers_a_pdf_with_a_french_name(client, user_in, creteil, meeting):
    client.force_login(user_in(Role.TROIKA_EDUCATION.value, creteil))
    response = client.get(reverse("governance:minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "compte-rendu-" in response["Content-Disposition"]
    assert "reunion-des-acteurs-educatifs.pdf" in response["Content-Disposition"]
