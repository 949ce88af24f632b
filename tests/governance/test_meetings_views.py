"""Every page of bodies and meetings, for every role, inside and outside the perimeter; then what the pages
do when people use them."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import CITE_ROLES, Event, Role, Verb
from maillage.governance.models import Attachment, Attendance, Body, BodyKind, Invitation, Meeting, MeetingStatus
from maillage.partners.models import CONTACT_READERS
from tests.factories import BodyFactory, ContactFactory, MeetingFactory, OrganisationFactory, troika_of

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
VIEWERS = {*(role.value for role in CONTACT_READERS), "admin"}
MANAGERS = {Role.COORDINATOR.value, "admin"}
READERS_OF_DECISIONS = set(EVERY_ROLE)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def meeting(creteil) -> Meeting:
    body = BodyFactory(cite=creteil, name="Comité de pilotage de Créteil")
    meeting = MeetingFactory(body=body, title="COPIL de rentrée")
    meeting.agenda_items.create(position=1, title="Bilan de l'année", presenter="Mme Martin")
    organisation = OrganisationFactory(name="Association Léo Lagrange", cites=[creteil])
    Invitation.objects.create(meeting=meeting, contact=ContactFactory(organisation=organisation, last_name="Zoé"))
    attachment = Attachment(meeting=meeting, name="ordre-du-jour.txt", content_type="text/plain", size=12)
    attachment.file.save("ordre-du-jour.txt", ContentFile(b"Ordre du jour"), save=True)
    return meeting


def view_urls(meeting: Meeting) -> dict[str, str]:
    """Every page, by URL name, with who may open it."""
    cite = meeting.cite.anct_id
    attachment = meeting.attachments.first()
    return {
        "cite_governance": reverse("governance:cite_governance", args=[cite]),
        "body_create": reverse("governance:body_create", args=[cite]),
        "body_detail": reverse("governance:body_detail", args=[meeting.body_id]),
        "body_update": reverse("governance:body_update", args=[meeting.body_id]),
        "meeting_create": reverse("governance:meeting_create", args=[meeting.body_id]),
        "meeting_detail": reverse("governance:meeting_detail", args=[meeting.pk]),
        "meeting_update": reverse("governance:meeting_update", args=[meeting.pk]),
        "meeting_invitees": reverse("governance:meeting_invitees", args=[meeting.pk]),
        "meeting_attendance": reverse("governance:meeting_attendance", args=[meeting.pk]),
        "attendance_sheet": reverse("governance:attendance_sheet", args=[meeting.pk]),
        "meeting_minutes": reverse("governance:meeting_minutes", args=[meeting.pk]),
        "minutes_pdf": reverse("governance:minutes_pdf", args=[meeting.pk]),
        "attachment_add": reverse("governance:attachment_add", args=[meeting.pk]),
        "attachment_download": reverse("governance:attachment_download", args=[attachment.pk]),
        "meeting_ics": reverse("governance:meeting_ics", args=[meeting.pk]),
        "calendar": reverse("governance:calendar", args=[cite]),
    }


WHO_MAY_OPEN = {
    "cite_governance": READERS_OF_DECISIONS,
    "body_create": MANAGERS,
    "body_detail": VIEWERS,
    "body_update": MANAGERS,
    "meeting_create": MANAGERS,
    "meeting_detail": VIEWERS,
    "meeting_update": MANAGERS,
    "meeting_invitees": MANAGERS,
    "meeting_attendance": MANAGERS,
    "attendance_sheet": VIEWERS,
    "meeting_minutes": MANAGERS,
    "minutes_pdf": VIEWERS,
    "attachment_add": MANAGERS,
    "attachment_download": VIEWERS,
    "meeting_ics": VIEWERS,
    "calendar": VIEWERS,
}


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_page_for_every_role_of_the_cite(client, user_in, creteil, meeting, role):
    client.force_login(user_in(role, creteil))
    urls = view_urls(meeting)
    assert set(urls) == set(WHO_MAY_OPEN)
    for name, url in urls.items():
        expected = 200 if role in WHO_MAY_OPEN[name] else 403
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize("role", [role.value for role in CITE_ROLES])
def test_a_member_of_another_cite_opens_none_of_the_pages(client, user_in, other_cite, meeting, role):
    client.force_login(user_in(role, other_cite))
    for name, url in view_urls(meeting).items():
        assert client.get(url).status_code == 403, name
    response = client.post(reverse("governance:meeting_send_invitations", args=[meeting.pk]))
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, meeting):
    for name, url in [
        *view_urls(meeting).items(),
        ("send", reverse("governance:meeting_send_invitations", args=[meeting.pk])),
    ]:
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("core:login")), name


def test_an_account_without_membership_opens_none_of_the_pages(client, user_in, meeting):
    client.force_login(user_in(None))
    for name, url in view_urls(meeting).items():
        assert client.get(url).status_code == 403, name


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_only_managers_send_invitations(client, user_in, creteil, meeting, role, mailoutbox):
    client.force_login(user_in(role, creteil))
    response = client.post(reverse("governance:meeting_send_invitations", args=[meeting.pk]))
    allowed = role in MANAGERS
    assert response.status_code == (302 if allowed else 403)
    assert len(mailoutbox) == (1 if allowed else 0)
    assert Event.objects.filter(verb=Verb.INVITATIONS_SENT).exists() == allowed


def test_sending_invitations_is_post_only(client, user_in, creteil, meeting):
    client.force_login(user_in(Role.COORDINATOR.value, creteil))
    assert client.get(reverse("governance:meeting_send_invitations", args=[meeting.pk])).status_code == 405


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_writes_by_post_are_refused_to_non_managers(client, user_in, creteil, meeting, role):
    if role in MANAGERS:
        return
    client.force_login(user_in(role, creteil))
    posts = {
        "body_create": {"kind": "cotech", "name": "COTECH"},
        "body_update": {"name": "Autre nom", "kind": "copil"},
        "meeting_create": {"title": "x", "date": "2030-01-10", "starts": "10:00", "ends": "11:00"},
        "meeting_update": {"title": "x", "date": "2030-01-10", "starts": "10:00", "ends": "11:00", "status": "held"},
        "meeting_invitees": {"remove": [meeting.invitees.first().pk]},
        "meeting_attendance": {},
        "meeting_minutes": {"minutes": "<p>Piraté</p>"},
        "attachment_add": {},
    }
    urls = view_urls(meeting)
    for name, data in posts.items():
        assert client.post(urls[name], data).status_code == 403, name
    assert Body.objects.filter(cite=creteil).count() == 2
    assert not Event.objects.filter(cite=creteil).exists()
    meeting.refresh_from_db()
    assert meeting.minutes == ""


# The pages at work


@pytest.fixture
def coordinator(client, user_in, creteil):
    user = user_in(Role.COORDINATOR.value, creteil)
    client.force_login(user)
    return user


def test_cite_governance_shows_the_troika_bodies_and_meetings(client, user_in, creteil, meeting, coordinator):
    user_in(Role.TROIKA_STATE.value, creteil, first_name="Aïcha", last_name="Préfète")
    user_in(Role.TROIKA_CITY.value, creteil, first_name="Jean", last_name="Maire", is_active=False)
    past = MeetingFactory(
        body=meeting.body,
        title="COPIL de janvier",
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30, hours=-2),
    )
    response = client.get(reverse("governance:cite_governance", args=[creteil.anct_id]))
    page = response.text
    assert "Aïcha Préfète" in page
    assert "Jean Maire" not in page  # inactive accounts are not listed
    assert "Personne n'est encore rattaché à ce pilier." in page  # education
    assert [m.pk for m in response.context["upcoming"]] == [meeting.pk]
    assert [m.pk for m in response.context["recent"]] == [past.pk]
    assert "Troïka" in page and "Comité de pilotage de Créteil" in page
    assert reverse("governance:body_create", args=[creteil.anct_id]) in page
    assert reverse("governance:calendar", args=[creteil.anct_id]) in page
    assert reverse("governance:decision_register", args=[creteil.anct_id]) in page
    assert 'aria-current="page">Gouvernance</a>' in page


@pytest.mark.parametrize("role", [Role.EVALUATOR.value, Role.NATIONAL.value])
def test_readers_of_aggregates_see_the_bodies_but_no_names(client, user_in, creteil, meeting, role):
    user_in(Role.TROIKA_STATE.value, creteil, first_name="Aïcha", last_name="Préfète")
    client.force_login(user_in(role, creteil))
    response = client.get(reverse("governance:cite_governance", args=[creteil.anct_id]))
    assert response.status_code == 200
    assert "Comité de pilotage de Créteil" in response.text
    assert "Aïcha" not in response.text
    assert "COPIL de rentrée" not in response.text
    assert reverse("governance:body_detail", args=[meeting.body_id]) not in response.text


def test_a_coordinator_creates_a_body_and_a_meeting(client, creteil, coordinator):
    response = client.post(
        reverse("governance:body_create", args=[creteil.anct_id]),
        {"kind": BodyKind.WORKING_GROUP, "name": "Groupe de travail parentalité", "description": "Tous les mois."},
    )
    body = Body.objects.get(cite=creteil, name="Groupe de travail parentalité")
    assert response["Location"] == reverse("governance:body_detail", args=[body.pk])
    response = client.post(
        reverse("governance:meeting_create", args=[body.pk]),
        {
            "title": "Première séance",
            "date": "2030-03-12",
            "starts": "14:00",
            "ends": "16:30",
            "place": "Médiathèque de l'Abbaye",
            "agenda": "Tour de table\n\nCalendrier de l'année | M. Diallo\n",
        },
    )
    meeting = Meeting.objects.get(body=body)
    assert response["Location"] == reverse("governance:meeting_detail", args=[meeting.pk])
    assert timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M") == "2030-03-12 14:00"
    assert meeting.ends_at - meeting.starts_at == datetime.timedelta(hours=2, minutes=30)
    assert [(item.title, item.presenter) for item in meeting.agenda_items.all()] == [
        ("Tour de table", ""),
        ("Calendrier de l'année", "M. Diallo"),
    ]
    page = client.get(response["Location"]).text
    assert "Calendrier de l&#x27;année" in page and "présenté par M. Diallo" in page


def test_a_meeting_that_ends_before_it_starts_is_refused_in_french(client, creteil, meeting, coordinator):
    response = client.post(
        reverse("governance:meeting_create", args=[meeting.body_id]),
        {"title": "À l'envers", "date": "2030-03-12", "starts": "16:00", "ends": "14:00"},
    )
    assert response.status_code == 200
    assert "L&#x27;heure de fin doit être après l&#x27;heure de début." in response.text
    assert not Meeting.objects.filter(title="À l'envers").exists()


def test_the_troika_cannot_be_created_twice(client, creteil, coordinator):
    response = client.post(
        reverse("governance:body_create", args=[creteil.anct_id]), {"kind": BodyKind.TROIKA, "name": "Troïka bis"}
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.text
    assert Body.objects.filter(cite=creteil, kind=BodyKind.TROIKA).count() == 1


def test_the_troika_keeps_its_kind_when_edited(client, creteil, coordinator):
    troika = troika_of(creteil)
    response = client.post(
        reverse("governance:body_update", args=[troika.pk]),
        {"name": "Troïka de Créteil", "description": "Préfet, recteur, maire.", "kind": "copil", "is_active": ""},
    )
    assert response.status_code == 302
    troika.refresh_from_db()
    assert (troika.kind, troika.name, troika.is_active) == (BodyKind.TROIKA, "Troïka de Créteil", True)


def test_changing_the_time_bumps_the_sequence(client, meeting, coordinator):
    url = reverse("governance:meeting_update", args=[meeting.pk])
    form = client.get(url).context["form"]
    data = {key: form.initial[key] for key in ("title", "date", "place", "agenda", "status")}
    data |= {"starts": "09:00", "ends": "11:00"}
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M") == "09:00"
    client.post(url, data | {"title": "COPIL de rentrée (reporté)"})
    meeting.refresh_from_db()
    assert meeting.sequence == 1  # the title is not a schedule change
    client.post(url, data | {"title": "COPIL de rentrée (reporté)", "status": MeetingStatus.CANCELLED})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (MeetingStatus.CANCELLED, 2)


def test_invitees_are_chosen_among_the_contacts_of_the_cite(client, creteil, other_cite, meeting, coordinator):
    caf = OrganisationFactory(name="CAF du Val-de-Marne", cites=[creteil])
    agent = ContactFactory(organisation=caf, first_name="Inès", last_name="Belkacem")
    outsider = ContactFactory(organisation=OrganisationFactory(cites=[other_cite]), last_name="Ailleurs")
    url = reverse("governance:meeting_invitees", args=[meeting.pk])
    page = client.get(url)
    assert [org.name for org, _ in page.context["candidate_groups"]] == ["CAF du Val-de-Marne"]
    assert "Ailleurs" not in page.text
    assert client.get(url, {"q": "belkacem"}).context["page_obj"].paginator.count == 1
    assert client.get(url, {"q": "personne"}).context["page_obj"].paginator.count == 0

    refused = client.post(url, {"add": [outsider.pk]})
    assert refused.status_code == 200
    assert "Sélectionnez un choix valide" in refused.text
    assert not meeting.invitations.filter(contact=outsider).exists()

    assert client.post(url, {"add": [agent.pk]}).status_code == 302
    first = meeting.invitations.exclude(contact=agent).get().contact
    assert client.post(url, {"remove": [first.pk]}).status_code == 302
    assert list(meeting.invitations.values_list("contact__last_name", flat=True)) == ["Belkacem"]
    assert Event.objects.filter(verb=Verb.UPDATED, object_id=str(meeting.pk)).count() == 2

    nothing = client.post(url, {})
    assert "Cochez au moins une personne." in nothing.text


def test_attendance_is_recorded_per_person(client, creteil, meeting, coordinator):
    meeting.starts_at = timezone.now() - datetime.timedelta(hours=3)
    meeting.ends_at = timezone.now() - datetime.timedelta(hours=1)
    meeting.save()
    second = Invitation.objects.create(meeting=meeting, contact=ContactFactory(organisation__cites=[creteil]))
    first = meeting.invitations.exclude(pk=second.pk).get()
    url = reverse("governance:meeting_attendance", args=[meeting.pk])
    page = client.get(url).text
    assert page.count("<fieldset") == 2
    assert page.count('type="radio"') == 8
    response = client.post(url, {f"presence_{first.pk}": "present", f"presence_{second.pk}": "excused"})
    assert response.status_code == 302
    assert dict(meeting.invitations.values_list("pk", "attendance")) == {
        first.pk: Attendance.PRESENT,
        second.pk: Attendance.EXCUSED,
    }
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    event = Event.objects.get(verb=Verb.ATTENDANCE_RECORDED)
    assert "1 présent" in event.summary and "1 excusé" in event.summary
    refused = client.post(url, {f"presence_{first.pk}": "asleep"})
    assert refused.status_code == 200
    assert "Sélectionnez un choix valide" in refused.text


def test_the_attendance_sheet_lists_every_invitee_with_an_empty_signature(client, meeting, coordinator):
    page = client.get(reverse("governance:attendance_sheet", args=[meeting.pk])).text
    contact = meeting.invitees.get()
    assert contact.last_name.upper() in page
    assert "Association Léo Lagrange" in page
    assert "Signature" in page
    assert "@media print" in page


def test_minutes_are_sanitised(client, meeting, coordinator):
    url = reverse("governance:meeting_minutes", args=[meeting.pk])
    dirty = (
        '<h2>Décisions</h2><p onclick="alert(1)">Le <strong>COPIL</strong> valide.</p>'
        '<script>alert("x")</script><img src="http://evil.example/x.png"><a href="javascript:alert(1)">lien</a>'
        '<a href="https://www.reseau-canope.fr/">Canopé</a><div style="color:red">texte</div>'
    )
    assert client.post(url, {"minutes": dirty}).status_code == 302
    meeting.refresh_from_db()
    assert "<script" not in meeting.minutes and "onclick" not in meeting.minutes and "<img" not in meeting.minutes
    assert "javascript:" not in meeting.minutes and "style=" not in meeting.minutes and "<div" not in meeting.minutes
    assert "<h2>Décisions</h2>" in meeting.minutes
    assert "<strong>COPIL</strong>" in meeting.minutes
    assert 'href="https://www.reseau-canope.fr/"' in meeting.minutes
    assert Event.objects.filter(verb=Verb.MINUTES_WRITTEN).count() == 1
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).text
    assert "<h2>Décisions</h2>" in page and "alert(" not in page


def test_minutes_changed_in_the_admin_are_sanitised_when_shown(client, meeting, coordinator):
    Meeting.objects.filter(pk=meeting.pk).update(minutes='<p>Texte</p><script>alert("x")</script>')
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).text
    assert "<p>Texte</p>" in page
    assert 'alert("x")' not in page


def test_an_attachment_is_uploaded_and_downloaded_but_never_served_as_media(client, meeting, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("présences.csv", "nom;structure\nZoé;Léo Lagrange\n".encode(), "text/csv")
    response = client.post(reverse("governance:attachment_add", args=[meeting.pk]), {"file": upload})
    assert response.status_code == 302
    attachment = meeting.attachments.get(name="présences.csv")
    assert attachment.content_type == "text/csv"
    download = client.get(reverse("governance:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content).decode() == "nom;structure\nZoé;Léo Lagrange\n"
    assert client.get("/media/" + attachment.file.name).status_code == 404


def test_a_refused_attachment_shows_a_french_error_and_writes_nothing(client, meeting, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("budget.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = client.post(reverse("governance:attachment_add", args=[meeting.pk]), {"file": fake})
    assert response.status_code == 400
    assert "ne correspond pas à son extension .pdf" in response.text
    assert meeting.attachments.count() == 1
    assert not Event.objects.filter(verb=Verb.ATTACHMENT_ADDED).exists()


def test_the_calendar_lists_upcoming_meetings_by_month_and_past_months(client, creteil, meeting, coordinator):
    now = timezone.localtime()
    past = MeetingFactory(
        body=meeting.body,
        title="Réunion d'il y a deux mois",
        starts_at=now - datetime.timedelta(days=62),
        ends_at=now - datetime.timedelta(days=62, hours=-1),
    )
    url = reverse("governance:calendar", args=[creteil.anct_id])
    response = client.get(url)
    assert [m.pk for m in response.context["meetings"]] == [meeting.pk]
    month = timezone.localtime(past.starts_at).date().replace(day=1)
    assert [row["month"] for row in response.context["past_months"]] == [month]
    assert "?jeton=" in response.context["feed_url"]
    assert response.context["feed_url"] in response.text
    past_month = client.get(url, {"mois": month.strftime("%Y-%m")})
    assert [m.pk for m in past_month.context["meetings"]] == [past.pk]
    assert client.get(url, {"mois": "n'importe quoi"}).status_code == 200


def test_unknown_objects_are_not_found(client, coordinator):
    assert client.get(reverse("governance:cite_governance", args=["cite-999"])).status_code == 404
    assert client.get(reverse("governance:meeting_detail", args=[999999])).status_code == 404
    assert client.get(reverse("governance:body_detail", args=[999999])).status_code == 404
    assert client.get(reverse("governance:attachment_download", args=[999999])).status_code == 404
