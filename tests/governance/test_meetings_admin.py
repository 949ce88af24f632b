"""The administration screens of governance open, and keep the rules of the application."""

import pytest
from django.urls import reverse

from maillage.core.models import Role
from maillage.governance.models import Approval, Meeting, Pillar, Verdict
from tests.factories import BodyFactory, ContactFactory, DecisionFactory, MeetingFactory, TaskFactory


@pytest.fixture
def admin_client(client, user_in):
    client.force_login(user_in("admin"))
    return client


@pytest.fixture
def meeting(creteil):
    meeting = MeetingFactory(body=BodyFactory(cite=creteil))
    meeting.agenda_items.create(position=1, title="Bilan")
    meeting.invitations.create(contact=ContactFactory(organisation__cites=[creteil]))
    return meeting


def test_every_governance_model_has_its_screens(admin_client, creteil, meeting, user_in):
    decision = DecisionFactory(meeting=meeting)
    Approval.objects.create(
        decision=decision, pillar=Pillar.CITY, verdict=Verdict.APPROVED, user=user_in(Role.TROIKA_CITY, creteil)
    )
    task = TaskFactory(cite=creteil, meeting=meeting)
    for model, obj in [("body", meeting.body), ("meeting", meeting), ("decision", decision), ("task", task)]:
        assert admin_client.get(reverse(f"admin:governance_{model}_changelist")).status_code == 200, model
        response = admin_client.get(reverse(f"admin:governance_{model}_change", args=[obj.pk]))
        assert response.status_code == 200, model
    decision_page = admin_client.get(reverse("admin:governance_decision_change", args=[decision.pk])).text
    assert "approuvée" in decision_page
    assert 'name="approvals-0-verdict"' not in decision_page  # the pillars' answers are read-only


def test_minutes_saved_in_the_admin_are_sanitised(admin_client, meeting):
    url = reverse("admin:governance_meeting_change", args=[meeting.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data |= {
        "cite": meeting.cite_id,
        "body": meeting.body_id,
        "starts_at_0": meeting.starts_at.strftime("%d/%m/%Y"),
        "starts_at_1": "10:00:00",
        "ends_at_0": meeting.starts_at.strftime("%d/%m/%Y"),
        "ends_at_1": "12:00:00",
        "minutes": '<p>Texte</p><script>alert("x")</script>',
        "agenda_items-TOTAL_FORMS": 0,
        "agenda_items-INITIAL_FORMS": 0,
        "invitations-TOTAL_FORMS": 0,
        "invitations-INITIAL_FORMS": 0,
        "attachments-TOTAL_FORMS": 0,
        "attachments-INITIAL_FORMS": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Meeting.objects.get(pk=meeting.pk).minutes == "<p>Texte</p>"
