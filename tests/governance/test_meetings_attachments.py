"""Attachments of a meeting: checked by extension AND content, and by size; refused files leave nothing."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from weasyprint import HTML

from maillage.core.models import Event, Role, Verb
from maillage.governance.models import Attachment
from maillage.governance.services import meetings as services
from tests.factories import BodyFactory, MeetingFactory

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def opendocument(mime: str) -> bytes:
    """An OpenDocument file as office suites write it: `mimetype` first, stored uncompressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mime, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def office_open_xml(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Présences"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "rien")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def meeting(creteil):
    return MeetingFactory(body=BodyFactory(cite=creteil))


@pytest.fixture
def actor(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil)


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("ordre-du-jour.pdf", HTML(string="<p>Ordre du jour</p>").write_pdf(), "application/pdf"),
        ("BILAN.PDF", HTML(string="<p>Bilan</p>").write_pdf(), "application/pdf"),
        ("compte-rendu.odt", opendocument("application/vnd.oasis.opendocument.text"), "opendocument.text"),
        ("budget.ods", opendocument("application/vnd.oasis.opendocument.spreadsheet"), "opendocument.spreadsheet"),
        ("diaporama.odp", opendocument("application/vnd.oasis.opendocument.presentation"), "opendocument.presentation"),
        ("note.docx", office_open_xml("word"), "wordprocessingml.document"),
        ("tableau.xlsx", xlsx(), "spreadsheetml.sheet"),
        ("presentation.pptx", office_open_xml("ppt"), "presentationml.presentation"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("presences.csv", "nom;structure\nBérard;Médiathèque\n".encode(), "text/csv"),
        ("notes.txt", "\ufeffNotes de séance : à relire.".encode(), "text/plain"),
    ],
)
def test_allowed_files_are_attached(actor, meeting, media, name, content, content_type):
    attachment = services.add_attachment(
        actor=actor, meeting=meeting, upload=SimpleUploadedFile(name, content, "application/octet-stream")
    )
    assert attachment.name == name
    assert content_type in attachment.content_type  # from the checked kind, not from what the browser said
    assert attachment.size == len(content)
    assert attachment.file.read() == content
    assert attachment.file.path.startswith(str(media))
    event = Event.objects.get(verb=Verb.ATTACHMENT_ADDED)
    assert event.after["fichier"] == name and event.cite == meeting.cite


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rapport.pdf", EXE, "ne correspond pas à son extension .pdf"),
        ("installateur.exe", EXE, "Ce type de fichier n'est pas accepté."),
        ("script.js", b"alert(1)", "Ce type de fichier n'est pas accepté."),
        ("page.html", b"<script>alert(1)</script>", "Ce type de fichier n'est pas accepté."),
        ("sans-extension", b"texte", "Ce type de fichier n'est pas accepté."),
        ("note.docx", plain_zip(), "ne correspond pas à son extension .docx"),
        ("tableau.xlsx", office_open_xml("word"), "ne correspond pas à son extension .xlsx"),
        ("compte-rendu.odt", opendocument("application/vnd.oasis.opendocument.spreadsheet"), "extension .odt"),
        ("photo.png", JPEG, "ne correspond pas à son extension .png"),
        ("liste.csv", PNG, "n'est pas un fichier CSV lisible"),
        ("notes.txt", "Séance".encode("latin-1") + b"\xff\xfe", "n'est pas un fichier texte lisible"),
        ("notes.txt", b"texte\x00binaire", "n'est pas un fichier texte lisible"),
        ("vide.pdf", b"", "Le fichier est vide."),
    ],
)
def test_refused_files_leave_nothing(actor, meeting, media, name, content, message):
    with pytest.raises(ValidationError) as error:
        services.add_attachment(actor=actor, meeting=meeting, upload=SimpleUploadedFile(name, content))
    assert message in " ".join(error.value.messages)
    assert not Attachment.objects.exists()
    assert not Event.objects.filter(verb=Verb.ATTACHMENT_ADDED).exists()
    assert stored_files(media) == []


def test_a_file_over_the_size_limit_is_refused(actor, meeting, media, settings):
    settings.UPLOAD_MAX_SIZE = 1024
    pdf = HTML(string="<p>" + "Compte rendu détaillé. " * 400 + "</p>").write_pdf()
    assert len(pdf) > 1024
    with pytest.raises(ValidationError, match="la taille maximale est de 1,0"):
        services.add_attachment(actor=actor, meeting=meeting, upload=SimpleUploadedFile("long.pdf", pdf))
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    settings.UPLOAD_MAX_SIZE = len(pdf)
    assert services.add_attachment(actor=actor, meeting=meeting, upload=SimpleUploadedFile("long.pdf", pdf)).pk


def test_a_too_big_upload_through_the_page_gets_a_french_error(client, actor, meeting, settings):
    settings.UPLOAD_MAX_SIZE = 10
    client.force_login(actor)
    upload = SimpleUploadedFile("presences.csv", b"nom;structure\n")
    response = client.post(f"/reunions/{meeting.pk}/pieces-jointes/", {"file": upload})
    assert response.status_code == 400
    assert "la taille maximale est de 10" in response.text
    assert not Attachment.objects.exists()


def test_a_path_in_the_file_name_is_dropped(actor, meeting, media):
    attachment = services.add_attachment(
        actor=actor, meeting=meeting, upload=SimpleUploadedFile("../../../etc/notes.txt", b"notes")
    )
    assert attachment.name == "notes.txt"
    assert attachment.file.name.startswith(f"meetings/{meeting.pk}/")
    assert [path.name for path in stored_files(media)] == ["notes.txt"]


def test_the_download_is_checked_against_the_perimeter(client, user_in, other_cite, actor, meeting):
    attachment = services.add_attachment(actor=actor, meeting=meeting, upload=SimpleUploadedFile("a.txt", b"secret"))
    client.force_login(user_in(Role.COORDINATOR.value, other_cite))
    assert client.get(f"/pieces-jointes/{attachment.pk}/").status_code == 403
    client.force_login(user_in(Role.EVALUATOR.value, meeting.cite))
    assert client.get(f"/pieces-jointes/{attachment.pk}/").status_code == 403


def test_a_missing_file_is_not_found(client, actor, meeting):
    attachment = services.add_attachment(actor=actor, meeting=meeting, upload=SimpleUploadedFile("a.txt", b"notes"))
    attachment.file.delete(save=False)
    client.force_login(actor)
    assert client.get(f"/pieces-jointes/{attachment.pk}/").status_code == 404
