"""Services of bodies and meetings: French validation, nothing written on bad input, one event per change."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.core.models import Event, Role, Verb
from maillage.governance.models import AgendaItem, Attendance, Body, BodyKind, Invitation, Meeting, MeetingStatus
from maillage.governance.services import meetings as services
from maillage.governance.services.meetings import AgendaLine
from tests.factories import BodyFactory, ContactFactory, MeetingFactory, OrganisationFactory, troika_of


@pytest.fixture
def actor(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil)


@pytest.fixture
def events(reference_data):
    """The events written during the test (the reference import wrote its own before)."""
    start = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return Event.objects.filter(pk__gt=start)


@pytest.fixture
def body(creteil):
    return BodyFactory(cite=creteil, name="COPIL")


def when(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def messages_of(error: ValidationError) -> list[str]:
    return error.value.messages


# Bodies


def test_create_body_writes_the_body_and_its_event(actor, creteil, events):
    body = services.create_body(
        actor=actor, cite=creteil, kind=BodyKind.COTECH, name="  COTECH  ", description="Les techniciens."
    )
    assert (body.name, body.kind, body.cite) == ("COTECH", BodyKind.COTECH, creteil)
    event = events.get(verb=Verb.CREATED, object_id=str(body.pk))
    assert event.actor == actor and event.cite == creteil
    assert event.after["name"] == "COTECH"


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        (BodyKind.TROIKA, "Deuxième troïka", "La cité a déjà sa troïka"),
        (BodyKind.COPIL, "copil", "Une instance de ce nom existe déjà dans la cité."),
        (BodyKind.COPIL, "   ", "Donnez un nom à l'instance."),
        ("comite_secret", "Comité", "Choisissez un type d'instance de la liste."),
    ],
)
def test_create_body_refuses_bad_input_and_writes_nothing(actor, creteil, body, kind, name, message, events):
    bodies = Body.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_body(actor=actor, cite=creteil, kind=kind, name=name)
    assert any(message in text for text in messages_of(error))
    assert Body.objects.count() == bodies
    assert not events.exists()


def test_the_same_name_is_allowed_in_another_cite(actor, other_cite, body):
    assert services.create_body(actor=actor, cite=other_cite, kind=BodyKind.COPIL, name="COPIL").pk


def test_update_body_logs_the_change_and_only_a_change(actor, body, events):
    assert not services.update_body(actor=actor, body=body, name="COPIL", description="", is_active=True)
    assert not events.exists()
    assert services.update_body(actor=actor, body=body, name="COPIL plénier", description="", is_active=False)
    event = events.get(verb=Verb.UPDATED)
    assert event.before == {"kind": "copil", "name": "COPIL", "description": "", "is_active": True}
    assert event.after["name"] == "COPIL plénier" and event.after["is_active"] is False


def test_the_troika_stays_an_active_troika(actor, creteil, body, events):
    troika = troika_of(creteil)
    with pytest.raises(ValidationError, match="ne peut pas être désactivée"):
        services.update_body(actor=actor, body=troika, name=troika.name, description="", is_active=False)
    with pytest.raises(ValidationError, match="La troïka reste une troïka"):
        services.update_body(actor=actor, body=troika, name=troika.name, description="", is_active=True, kind="copil")
    with pytest.raises(ValidationError, match="La troïka reste une troïka"):
        services.update_body(actor=actor, body=body, name="COPIL", description="", is_active=True, kind="troika")
    troika.refresh_from_db()
    assert (troika.kind, troika.is_active) == (BodyKind.TROIKA, True)
    assert not events.exists()


# Meetings


def test_create_meeting_writes_the_meeting_its_agenda_and_its_event(actor, body, events):
    meeting = services.create_meeting(
        actor=actor,
        body=body,
        title="COPIL de rentrée",
        starts_at=when(10, 14),
        ends_at=when(10, 16),
        place="Hôtel de ville",
        agenda=[AgendaLine("Bilan", "Mme Martin"), AgendaLine("Programmation 2025")],
    )
    assert (meeting.cite_id, meeting.status, meeting.sequence, meeting.created_by) == (
        body.cite_id,
        MeetingStatus.PLANNED,
        0,
        actor,
    )
    assert list(meeting.agenda_items.values_list("position", "title", "presenter")) == [
        (1, "Bilan", "Mme Martin"),
        (2, "Programmation 2025", ""),
    ]
    event = events.get(verb=Verb.CREATED, object_id=str(meeting.pk))
    assert event.after["ordre du jour"] == ["Bilan (Mme Martin)", "Programmation 2025"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": when(10, 14)}, "L'heure de fin doit être après l'heure de début."),
        ({"ends_at": when(10, 12)}, "L'heure de fin doit être après l'heure de début."),
        ({"title": " "}, "Donnez un intitulé à la réunion."),
        ({"title": "x" * 201}, "L'intitulé ne dépasse pas 200 caractères."),
        ({"place": "x" * 256}, "Le lieu ne dépasse pas 255 caractères."),
        ({"agenda": [AgendaLine("Bilan"), AgendaLine("x" * 256)]}, "Le point n°2 de l'ordre du jour dépasse"),
        ({"agenda": [AgendaLine("Bilan", "x" * 201)]}, "Le nom de qui présente le point n°1"),
    ],
)
def test_create_meeting_refuses_bad_input_and_writes_nothing(actor, body, changes, message, events):
    values = {"title": "COPIL", "starts_at": when(10, 14), "ends_at": when(10, 16), "place": "", "agenda": []}
    with pytest.raises(ValidationError) as error:
        services.create_meeting(actor=actor, body=body, **(values | changes))
    assert any(message in text for text in messages_of(error))
    assert not Meeting.objects.exists()
    assert not AgendaItem.objects.exists()
    assert not events.exists()


def test_no_meeting_for_an_inactive_body(actor, body):
    body.is_active = False
    body.save()
    with pytest.raises(ValidationError, match="n'est plus active"):
        services.create_meeting(actor=actor, body=body, title="COPIL", starts_at=when(1, 9), ends_at=when(1, 10))
    assert not Meeting.objects.exists()


@pytest.fixture
def meeting(body):
    meeting = MeetingFactory(body=body, starts_at=when(10, 14), ends_at=when(10, 16), place="Mairie")
    meeting.agenda_items.create(position=1, title="Bilan")
    return meeting


def update(actor, meeting, **changes) -> bool:
    values = {
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "status": meeting.status,
        "agenda": [AgendaLine(item.title, item.presenter) for item in meeting.agenda_items.all()],
    }
    return services.update_meeting(actor=actor, meeting=meeting, **(values | changes))


def test_update_meeting_bumps_the_sequence_on_schedule_changes_only(actor, meeting, events):
    assert not update(actor, meeting)
    assert not events.exists()
    assert update(actor, meeting, agenda=[AgendaLine("Bilan"), AgendaLine("Questions diverses")])
    assert meeting.sequence == 0
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Bilan", "Questions diverses"]
    assert update(actor, meeting, place="Préfecture")
    assert meeting.sequence == 1
    assert update(actor, meeting, starts_at=when(11, 14), ends_at=when(11, 16))
    assert meeting.sequence == 2
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.place) == (2, "Préfecture")
    assert events.filter(verb=Verb.UPDATED).count() == 3


def test_update_meeting_refuses_bad_input_and_writes_nothing(actor, meeting, events):
    with pytest.raises(ValidationError, match="L'heure de fin doit être après"):
        update(actor, meeting, title="Autre", ends_at=meeting.starts_at - datetime.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="Choisissez un état"):
        update(actor, meeting, status="reportee")
    meeting.refresh_from_db()
    assert (meeting.title, meeting.sequence) == (Meeting.objects.get().title, 0)
    assert not events.exists()


# Invitees and attendance


def test_update_invitees_adds_and_removes_contacts_of_the_cite(actor, creteil, meeting, events):
    organisation = OrganisationFactory(cites=[creteil])
    first, second = ContactFactory.create_batch(2, organisation=organisation)
    assert services.update_invitees(actor=actor, meeting=meeting, add=[first, second]) == (2, 0)
    assert services.update_invitees(actor=actor, meeting=meeting, add=[first]) == (0, 0)
    assert services.update_invitees(actor=actor, meeting=meeting, remove=[first]) == (0, 1)
    assert list(meeting.invitees.all()) == [second]
    summaries = list(events.filter(verb=Verb.UPDATED).order_by("pk").values_list("summary", flat=True))
    assert summaries == ["Invités : 2 invité(s) ajouté(s)", "Invités : 1 invitation(s) retirée(s)"]


def test_update_invitees_refuses_a_contact_from_elsewhere(actor, creteil, other_cite, meeting, events):
    inside = ContactFactory(organisation=OrganisationFactory(cites=[creteil]))
    outside = ContactFactory(organisation=OrganisationFactory(cites=[other_cite]))
    with pytest.raises(ValidationError, match="Seuls les contacts des structures partenaires de la cité"):
        services.update_invitees(actor=actor, meeting=meeting, add=[inside, outside])
    with pytest.raises(ValidationError, match="ajoutée et retirée à la fois"):
        services.update_invitees(actor=actor, meeting=meeting, add=[inside], remove=[inside])
    assert not Invitation.objects.exists()
    assert not events.exists()


def test_record_attendance_counts_and_marks_a_past_meeting_held(actor, creteil, meeting, events):
    contacts = ContactFactory.create_batch(3, organisation=OrganisationFactory(cites=[creteil]))
    invitations = [Invitation.objects.create(meeting=meeting, contact=contact) for contact in contacts]
    answers = {invitations[0].pk: "present", invitations[1].pk: "present", invitations[2].pk: "absent"}
    assert services.record_attendance(actor=actor, meeting=meeting, attendance=answers) == 3
    assert meeting.status == MeetingStatus.PLANNED  # not started yet
    event = events.get(verb=Verb.ATTENDANCE_RECORDED)
    assert event.after == {"non renseignée": 0, "présent": 2, "excusé": 0, "absent": 1}
    assert event.summary == "Émargement : 2 présent, 1 absent"
    assert services.record_attendance(actor=actor, meeting=meeting, attendance=answers) == 0
    assert events.filter(verb=Verb.ATTENDANCE_RECORDED).count() == 1
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=when(-1, 9), ends_at=when(-1, 10))
    meeting.refresh_from_db()
    services.record_attendance(actor=actor, meeting=meeting, attendance={invitations[2].pk: "excused"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_record_attendance_refuses_bad_input_and_writes_nothing(actor, creteil, meeting, events):
    contact = ContactFactory(organisation=OrganisationFactory(cites=[creteil]))
    invitation = Invitation.objects.create(meeting=meeting, contact=contact)
    elsewhere = Invitation.objects.create(meeting=MeetingFactory(body=meeting.body), contact=contact)
    with pytest.raises(ValidationError, match="n'est pas invitée à cette réunion"):
        services.record_attendance(
            actor=actor, meeting=meeting, attendance={invitation.pk: "present", elsewhere.pk: "present"}
        )
    with pytest.raises(ValidationError, match="présent, excusé ou absent"):
        services.record_attendance(actor=actor, meeting=meeting, attendance={invitation.pk: "endormi"})
    assert set(Invitation.objects.values_list("attendance", flat=True)) == {Attendance.UNKNOWN}
    assert not events.exists()


# Minutes


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        (
            "Première ligne\nseconde ligne\n\nNouveau paragraphe",
            "<p>Première ligne<br>seconde ligne</p><p>Nouveau paragraphe</p>",
        ),
        ("Budget : 3 < 4 & 5 > 2", "<p>Budget : 3 &lt; 4 &amp; 5 &gt; 2</p>"),
        ("<p>Texte <b>gras</b> et <em>souligné</em></p>", "<p>Texte gras et <em>souligné</em></p>"),
        (
            '<a href="https://exemple.fr" target="_blank" onclick="x()">lien</a>',
            '<a href="https://exemple.fr" rel="noopener noreferrer">lien</a>',
        ),
        (
            "<h1>Titre</h1><h2>Partie</h2><blockquote>citation</blockquote>",
            "Titre<h2>Partie</h2><blockquote>citation</blockquote>",
        ),
        ('<iframe src="https://exemple.fr"></iframe><p>reste</p>', "<p>reste</p>"),
        ("", ""),
    ],
)
def test_sanitise_minutes(typed, saved):
    assert services.sanitise_minutes(typed) == saved


# Written by the minutes' editor (Trix 2.1 configured by static/js/minutes-editor.js) in Chromium: a heading,
# italic, struck out, a link, line breaks, a quote, code, an empty paragraph, nested numbered lists.
EDITOR_HTML = (
    "<h3>Ordre du jour</h3><p>Texte&nbsp;<em>en italique</em>,&nbsp;<del>barré</del> et "
    '<a href="https://exemple.fr/a?b=1&amp;c=2">un lien</a><br>seconde ligne<br><br></p>'
    "<blockquote>Une citation</blockquote><pre>ligne 1\nligne &lt;2&gt;</pre><p><br></p>"
    "<ol><li>Premier<ol><li>Sous-point</li></ol></li></ol><p>Fin &amp; suite</p>"
)


def test_sanitise_minutes_keeps_what_the_editor_writes():
    assert services.sanitise_minutes(EDITOR_HTML) == EDITOR_HTML.replace(
        '">un lien</a>', '" rel="noopener noreferrer">un lien</a>'
    )
    bold_and_bullets = (
        "<p>Prochaine séance en <strong>février</strong></p><ul><li>Lectures</li><li>Club d'échecs</li></ul>"
    )
    assert services.sanitise_minutes(bold_and_bullets) == bold_and_bullets


def test_sanitise_minutes_strips_what_the_editor_does_not_write():
    """Trix's comments and attachments, a code block's language, other blocks: only their text stays."""
    pasted = (
        "<p><!--block-->Texte</p>"
        '<figure data-trix-attachment="{}"><img src="https://exemple.fr/x.png"><figcaption>Légende</figcaption></figure>'
        '<pre language="python">x = 1</pre><div>Bloc</div><h3 style="color: red" onclick="x()">Titre</h3>'
    )
    assert services.sanitise_minutes(pasted) == "<p>Texte</p>Légende<pre>x = 1</pre>Bloc<h3>Titre</h3>"


def test_write_minutes_logs_the_first_writing_and_the_changes(actor, meeting, events):
    assert services.write_minutes(actor=actor, meeting=meeting, minutes="Compte rendu")
    assert not services.write_minutes(actor=actor, meeting=meeting, minutes="<p>Compte rendu</p>")
    assert services.write_minutes(actor=actor, meeting=meeting, minutes="Compte rendu complété")
    meeting.refresh_from_db()
    assert meeting.minutes == "<p>Compte rendu complété</p>"
    assert meeting.minutes_updated_at is not None
    summaries = list(events.filter(verb=Verb.MINUTES_WRITTEN).order_by("pk").values_list("summary", flat=True))
    assert [summary.split(" : ")[0] for summary in summaries] == ["Compte rendu rédigé", "Compte rendu modifié"]
