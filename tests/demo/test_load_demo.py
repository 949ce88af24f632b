"""`load_demo`: the Créteil demo cité with one account per role, idempotent."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Event, Membership, Role, User
from maillage.demo.builders import CRETEIL_SCHOOLS, DEMO_PASSWORD
from maillage.territories.models import Cite


def test_load_demo_builds_creteil_with_one_account_per_role(reference_data):
    out = StringIO()
    call_command("load_demo", stdout=out)
    creteil = Cite.objects.get(anct_id="cite-021")
    assert creteil.label_date == datetime.date(2019, 9, 5)
    assert set(creteil.qpvs.values_list("code", flat=True)) == {"QN09405M", "QN09406I"}
    assert set(creteil.schools.values_list("uai", flat=True)) == set(CRETEIL_SCHOOLS)
    names = set(creteil.schools.values_list("name", flat=True))
    for expected in (
        "Collège Laplace",
        "Collège Albert Schweitzer",
        "Ecole maternelle Jeanine Le Cleach",
        "Ecole primaire la Habette",
        "Ecole élémentaire Léo Orville",
    ):
        assert expected in names
    roles = set(Membership.objects.filter(cite=creteil).values_list("role", flat=True))
    assert roles == {role.value for role in CITE_ROLES}
    assert Membership.objects.filter(role=Role.NATIONAL, cite=None).count() == 1
    assert User.objects.filter(is_superuser=True).count() == 1
    text = out.getvalue()
    assert DEMO_PASSWORD in text and "coordination@demo.maillage.test" in text
    assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())


def test_load_demo_twice_changes_nothing(reference_data):
    call_command("load_demo", stdout=StringIO())
    counts = (User.objects.count(), Membership.objects.count(), Event.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (User.objects.count(), Membership.objects.count(), Event.objects.count()) == counts


def test_every_demo_account_signs_in(client, reference_data):
    call_command("load_demo", stdout=StringIO())
    for user in User.objects.all():
        client.post(reverse("core:login"), {"username": user.email, "password": DEMO_PASSWORD})
        assert int(client.session["_auth_user_id"]) == user.pk
        client.post(reverse("core:logout"))


def test_load_demo_refuses_a_production_platform(reference_data, settings):
    settings.HTTPS = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_load_demo_needs_the_reference_data(reference_data):
    Cite.objects.filter(anct_id="cite-021").update(anct_id="cite-999")
    with pytest.raises(CommandError, match="import_reference"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_load_demo_builds_creteil_partners_and_governance(demo):
    from maillage.governance.models import Attendance, Body, Decision, DecisionStatus, Meeting, Task
    from maillage.partners.models import Contact, Organisation

    creteil = Cite.objects.get(anct_id="cite-021")
    organisations = Organisation.objects.in_cites([creteil.pk])
    assert 35 <= organisations.count() <= 45
    kinds = set(organisations.values_list("kind", flat=True))
    assert {"association", "city_service", "college", "ecole", "caf", "social_landlord"} <= kinds
    assert organisations.filter(kind="college", school__uai="0940003T").exists()
    assert Contact.objects.filter(organisation__in=organisations).count() >= organisations.count()
    holder = Contact.objects.get(user=demo["project_holder"])
    assert holder.organisation.name == "Café des parents du Mont-Mesly"
    assert demo["project_holder"].has_perm("partners.change_organisation", holder.organisation)

    kinds = set(Body.objects.filter(cite=creteil).values_list("kind", flat=True))
    assert {"troika", "copil", "cotech", "selection_committee", "partners_meeting"} <= kinds
    seed = Meeting.objects.get(cite=creteil, starts_at__date=datetime.date(2020, 1, 21))
    assert seed.body.kind == "partners_meeting" and seed.status == "held"
    assert "Ouverture" in seed.minutes
    attendance = list(seed.invitations.values_list("attendance", flat=True))
    assert attendance.count(Attendance.PRESENT) >= 10 and Attendance.EXCUSED in attendance
    statuses = list(Decision.objects.filter(cite=creteil).values_list("status", flat=True))
    assert statuses.count(DecisionStatus.VALIDATED) >= 2
    assert DecisionStatus.PENDING in statuses and DecisionStatus.REJECTED in statuses
    tasks = Task.objects.filter(cite=creteil)
    assert tasks.open().exists() and tasks.overdue().exists()


def test_demo_cite_page_shows_overdue_tasks(client, demo):
    client.force_login(demo["coordinator"])
    response = client.get(reverse("territories:cite_detail", args=["cite-021"]))
    assert "en retard" in response.content.decode()
