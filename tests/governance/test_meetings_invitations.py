"""Invitations by e-mail, each with its .ics (read back with `icalendar`), on Django's locmem backend."""

import datetime
import smtplib

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from maillage.core.models import Event, Role, Verb
from maillage.governance.models import Invitation, Meeting, MeetingStatus
from maillage.governance.services import meetings as services
from tests.factories import BodyFactory, ContactFactory, MeetingFactory, OrganisationFactory

PARIS_WINTER = datetime.timezone(datetime.timedelta(hours=1))


class FailingBackend(BaseEmailBackend):
    """A mail server that does not answer."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connexion perdue")


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Cité éducative <cite@maillage.example.fr>"


@pytest.fixture
def actor(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil)


@pytest.fixture
def meeting(creteil):
    meeting = MeetingFactory(
        body=BodyFactory(cite=creteil, name="Rencontre des partenaires"),
        title="Réunion des acteurs de terrain",
        starts_at=datetime.datetime(2030, 1, 21, 9, 30, tzinfo=PARIS_WINTER),
        ends_at=datetime.datetime(2030, 1, 21, 12, 0, tzinfo=PARIS_WINTER),
        place="Préfecture du Val-de-Marne",
    )
    meeting.agenda_items.create(position=1, title="Tour de table des partenaires", presenter="M. le Recteur")
    mediatheque = OrganisationFactory(name="Médiathèque de l'Abbaye", cites=[creteil])
    people = [("Hélène", "Bérard", "helene.berard@mediatheque.example.fr"), ("Ousmane", "Diallo", "")]
    people += [("Clémence", "Roux", "clemence.roux@mediatheque.example.fr")]
    for first_name, last_name, email in people:
        contact = ContactFactory(organisation=mediatheque, first_name=first_name, last_name=last_name, email=email)
        Invitation.objects.create(meeting=meeting, contact=contact)
    return meeting


def ics_of(message) -> tuple[Calendar, str, str]:
    [(filename, content, mimetype)] = message.attachments
    return Calendar.from_ical(content), filename, mimetype


def test_each_invitee_with_an_address_gets_a_french_e_mail_with_an_ics(actor, meeting, mailoutbox):
    report = services.send_invitations(actor=actor, meeting=meeting)
    assert [contact.last_name for contact in report.sent] == ["Bérard", "Roux"]
    assert [contact.last_name for contact in report.without_email] == ["Diallo"]
    assert sorted(message.to[0] for message in mailoutbox) == [
        "clemence.roux@mediatheque.example.fr",
        "helene.berard@mediatheque.example.fr",
    ]
    message = next(m for m in mailoutbox if m.to == ["helene.berard@mediatheque.example.fr"])
    assert message.subject == "Invitation : Réunion des acteurs de terrain — Rencontre des partenaires"
    assert message.from_email == "Cité éducative <cite@maillage.example.fr>"
    assert "Bonjour Hélène Bérard," in message.body
    assert "lundi 21 janvier 2030, de 09:30 à 12:00" in message.body
    assert "Lieu : Préfecture du Val-de-Marne" in message.body
    assert "1. Tour de table des partenaires (présenté par M. le Recteur)" in message.body

    calendar, filename, mimetype = ics_of(message)
    assert filename == "invitation.ics"
    assert mimetype == "text/calendar; method=REQUEST"
    assert 'Content-Type: text/calendar; method="REQUEST"; charset="utf-8"' in message.message().as_string()
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"reunion-{meeting.pk}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == datetime.datetime(2030, 1, 21, 8, 30, tzinfo=datetime.UTC)
    assert event.decoded("DTEND") == datetime.datetime(2030, 1, 21, 11, 0, tzinfo=datetime.UTC)
    assert str(event["SUMMARY"]) == "Réunion des acteurs de terrain — Rencontre des partenaires"
    assert str(event["LOCATION"]) == "Préfecture du Val-de-Marne"
    assert "Tour de table des partenaires" in str(event["DESCRIPTION"])
    attendee = event["ATTENDEE"]  # one line: the others' addresses are not disclosed
    assert str(attendee) == "mailto:helene.berard@mediatheque.example.fr"
    assert attendee.params["CN"] == "Hélène Bérard"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert str(event["ORGANIZER"]) == "mailto:cite@maillage.example.fr"
    assert event["ORGANIZER"].params["CN"] == "Cité éducative"


def test_sending_marks_the_invitations_and_logs_it(actor, meeting, mailoutbox):
    services.send_invitations(actor=actor, meeting=meeting)
    sent = dict(meeting.invitations.values_list("contact__last_name", "sent_at"))
    assert sent["Bérard"] is not None and sent["Roux"] is not None
    assert sent["Diallo"] is None
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at == sent["Bérard"]
    event = Event.objects.get(verb=Verb.INVITATIONS_SENT)
    assert event.actor == actor
    assert event.summary == "Invitations envoyées à 2 personne(s) ; 1 sans adresse e-mail"


def test_a_cancelled_meeting_sends_a_cancellation(actor, meeting, mailoutbox):
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence = 3
    meeting.save()
    services.send_invitations(actor=actor, meeting=meeting)
    message = mailoutbox[0]
    assert message.subject.startswith("Annulation : ")
    assert "est annulée" in message.body
    calendar, filename, mimetype = ics_of(message)
    assert (filename, mimetype) == ("annulation.ics", "text/calendar; method=CANCEL")
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 3)
    assert Event.objects.get(verb=Verb.INVITATIONS_SENT).summary.startswith("Annulation envoyée à 2")


def test_nothing_is_sent_without_invitees(actor, creteil, mailoutbox):
    empty = MeetingFactory(body=BodyFactory(cite=creteil))
    with pytest.raises(ValidationError, match="Ajoutez des invités avant d'envoyer les invitations"):
        services.send_invitations(actor=actor, meeting=empty)
    assert mailoutbox == []
    assert not Event.objects.filter(verb=Verb.INVITATIONS_SENT).exists()


def test_a_mail_server_failure_marks_nothing(actor, meeting, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with pytest.raises(smtplib.SMTPException):
        services.send_invitations(actor=actor, meeting=meeting)
    assert not meeting.invitations.filter(sent_at__isnull=False).exists()
    assert not Event.objects.filter(verb=Verb.INVITATIONS_SENT).exists()


def test_the_page_names_the_invitees_without_e_mail(client, actor, meeting, mailoutbox):
    client.force_login(actor)
    response = client.post(reverse("governance:meeting_send_invitations", args=[meeting.pk]), follow=True)
    assert len(mailoutbox) == 2
    assert "Les invitations ont été envoyées à 2 personnes." in response.text
    assert "Sans adresse e-mail, à prévenir autrement : Ousmane Diallo (Médiathèque de l&#x27;Abbaye)." in response.text


def test_the_page_says_when_the_mail_server_fails(client, actor, meeting, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    client.force_login(actor)
    response = client.post(reverse("governance:meeting_send_invitations", args=[meeting.pk]), follow=True)
    assert "n&#x27;a pas répondu : aucune invitation n&#x27;est marquée comme envoyée" in response.text
    assert not meeting.invitations.filter(sent_at__isnull=False).exists()


def test_the_page_refuses_to_send_without_invitees(client, actor, creteil, mailoutbox):
    empty = MeetingFactory(body=BodyFactory(cite=creteil))
    client.force_login(actor)
    response = client.post(reverse("governance:meeting_send_invitations", args=[empty.pk]), follow=True)
    assert "Ajoutez des invités avant d&#x27;envoyer les invitations." in response.text
    assert mailoutbox == []


def test_sending_runs_a_fixed_number_of_queries(actor, meeting, mailoutbox):
    def send() -> int:
        as_in_the_view = Meeting.objects.select_related("cite", "body").get(pk=meeting.pk)
        with CaptureQueriesContext(connection) as queries:
            services.send_invitations(actor=actor, meeting=as_in_the_view)
        return len(queries)

    small = send()
    organisation = meeting.invitees.first().organisation
    for contact in ContactFactory.create_batch(20, organisation=organisation):
        Invitation.objects.create(meeting=meeting, contact=contact)
    assert send() == small
    assert len(mailoutbox) == 2 + 22
