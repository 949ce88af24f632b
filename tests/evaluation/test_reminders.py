"""Report reminders, with frozen time: an "upcoming" reminder once, 30 days before the due date; a "late" one the
day after it, then every 30 days; none once the report is submitted. Never twice the same day, in a fixed number
of queries. The daily task re-enqueues itself for 07:00 Paris time; the command runs it for cron."""

from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from maillage.evaluation.models import ReminderKind, ReportReminder
from maillage.evaluation.services.reminders import send_report_reminders
from maillage.evaluation.services.reports import save_report, submit_report
from maillage.evaluation.tasks import next_morning, schedule_report_reminders, send_report_reminders_task
from maillage.programme.models import ActionStatus
from tests.evaluation import test_reports_services as scenario
from tests.evaluation.test_reports_services import complete_report, reporting_action
from tests.factories import OrganisationFactory

PARIS = ZoneInfo("Europe/Paris")
DUE = date(2024, 6, 30)
"""The due date of the 2023 reports."""


organisation, holder, action = scenario.organisation, scenario.holder, scenario.action  # shared fixtures


@pytest.fixture
def run_on(mailoutbox, django_capture_on_commit_callbacks):
    """`run_on(day)`: the reminders service, run at 8 a.m. on `day` (time frozen); returns how many were sent."""

    def run(day: date) -> int:
        moment = datetime.combine(day, time(8), tzinfo=PARIS)
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return send_report_reminders(today=timezone.localdate())

    return run


def kinds() -> list[tuple[str, date]]:
    return list(ReportReminder.objects.order_by("sent_on", "pk").values_list("kind", "sent_on"))


def test_the_upcoming_reminder_goes_out_once_30_days_before(action, run_on, mailoutbox, settings):
    assert run_on(date(2024, 5, 30)) == 0  # 31 days before
    assert run_on(date(2024, 5, 31)) == 1  # 30 days before
    assert run_on(date(2024, 5, 31)) == 0  # run twice the same day
    assert run_on(date(2024, 6, 15)) == 0
    assert run_on(DUE) == 0
    assert kinds() == [(ReminderKind.UPCOMING, date(2024, 5, 31))]
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "Bilan de l'action « Jeux de société en famille » à déposer avant le 30 juin 2024"
    assert mail.to == ["contact@ludotheque.example.fr", "porteuse@ludotheque.example.fr"]
    assert settings.PLATFORM_URL.rstrip("/") + f"/actions/{action.pk}/bilan/" in mail.body
    assert "30 juin 2024" in mail.body
    assert ReportReminder.objects.get().recipients == "contact@ludotheque.example.fr, porteuse@ludotheque.example.fr"


def test_a_report_noticed_late_still_gets_its_upcoming_reminder(action, run_on):
    assert run_on(date(2024, 6, 20)) == 1
    assert kinds() == [(ReminderKind.UPCOMING, date(2024, 6, 20))]


def test_the_late_reminder_goes_out_the_day_after_then_every_30_days(action, run_on, mailoutbox):
    run_on(date(2024, 5, 31))
    assert run_on(date(2024, 7, 1)) == 1  # the day after the due date
    assert run_on(date(2024, 7, 1)) == 0
    assert run_on(date(2024, 7, 2)) == 0
    assert run_on(date(2024, 7, 30)) == 0  # 29 days later
    assert run_on(date(2024, 7, 31)) == 1  # 30 days later
    assert run_on(date(2024, 8, 15)) == 0
    assert run_on(date(2024, 8, 30)) == 1
    assert [kind for kind, _ in kinds()] == ["upcoming", "late", "late", "late"]
    late = mailoutbox[1]
    assert late.subject == "Bilan de l'action « Jeux de société en famille » en retard"
    assert "le 30 juin 2024 : il a 1 jour de retard" in late.body
    assert "il a 31 jours de retard" in mailoutbox[2].body


def test_no_reminder_once_the_report_is_submitted(action, holder, run_on):
    save_report(actor=holder, action=action, **complete_report())
    submit_report(actor=holder, action=action)
    assert run_on(date(2024, 5, 31)) == 0
    assert run_on(date(2024, 7, 1)) == 0
    assert not ReportReminder.objects.exists()


def test_a_draft_report_is_still_reminded(action, holder, run_on):
    save_report(actor=holder, action=action, **complete_report())
    assert run_on(date(2024, 7, 1)) == 1


@pytest.mark.parametrize("status", [ActionStatus.SELECTED, ActionStatus.REJECTED, ActionStatus.CLOSED])
def test_actions_owing_no_report_get_no_reminder(creteil, organisation, run_on, status):
    reporting_action(creteil, organisation, year=2023, status=status)
    assert run_on(date(2024, 5, 31)) == 0
    assert run_on(date(2024, 7, 1)) == 0


def test_an_agreed_action_not_started_is_reminded_too(creteil, organisation, run_on):
    reporting_action(creteil, organisation, year=2023, status=ActionStatus.AGREED)
    assert run_on(date(2024, 7, 1)) == 1


def test_only_the_years_due_are_reminded(creteil, organisation, action, run_on):
    reporting_action(creteil, organisation, year=2024)  # due 30 June 2025
    reporting_action(creteil, organisation, year=2022)  # late since 1 July 2023
    assert run_on(date(2024, 5, 31)) == 2  # 2023's upcoming, 2022's late
    assert sorted(kind for kind, _ in kinds()) == ["late", "upcoming"]


def test_a_holder_without_an_address_gets_no_reminder_and_none_is_recorded(creteil, run_on):
    reporting_action(creteil, OrganisationFactory(cites=[creteil]), year=2023)  # no contact, no e-mail
    assert run_on(date(2024, 7, 1)) == 0
    assert not ReportReminder.objects.exists()


def reminder_queries(day: date) -> list[str]:
    moment = datetime.combine(day, time(8), tzinfo=PARIS)
    with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as queries:
        send_report_reminders(today=day)
    return [query["sql"] for query in queries]


def test_the_due_actions_are_found_in_one_query_and_written_in_one_insert(creteil, organisation, holder):
    for count, day in ((1, date(2024, 7, 1)), (5, date(2024, 7, 2))):
        for _ in range(count):
            reporting_action(creteil, organisation, year=2023)
        sql = reminder_queries(day)
        assert sum('FROM "programme_action"' in query for query in sql) == 1
        assert sum(query.startswith('INSERT INTO "evaluation_reportreminder"') for query in sql) == 1
        assert ReportReminder.objects.filter(sent_on=day).count() == count


# The daily task and the command --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2024, 9, 2, 6, 0, tzinfo=PARIS), datetime(2024, 9, 2, 7, 0, tzinfo=PARIS)),
        (datetime(2024, 9, 2, 7, 0, tzinfo=PARIS), datetime(2024, 9, 3, 7, 0, tzinfo=PARIS)),
        (datetime(2024, 9, 2, 23, 30, tzinfo=PARIS), datetime(2024, 9, 3, 7, 0, tzinfo=PARIS)),
        # The night summer time begins: 07:00 is 05:00 UTC, not 06:00.
        (datetime(2024, 3, 30, 9, 0, tzinfo=PARIS), datetime(2024, 3, 31, 5, 0, tzinfo=ZoneInfo("UTC"))),
    ],
)
def test_the_next_run_is_the_next_7_oclock_in_paris(now, expected):
    assert next_morning(now) == expected


def waiting_runs():
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=send_report_reminders_task.module_path)


def test_scheduling_enqueues_one_run_for_the_next_morning(db):
    with time_machine.travel(datetime(2024, 9, 2, 10, 0, tzinfo=PARIS), tick=False):
        result = schedule_report_reminders()
        assert result is not None
        assert schedule_report_reminders() is None  # already waiting
    run = waiting_runs().get()
    assert run.run_after == datetime(2024, 9, 3, 7, 0, tzinfo=PARIS)


def test_the_task_sends_today_s_reminders_and_enqueues_tomorrow_s_run(
    action, mailoutbox, django_capture_on_commit_callbacks
):
    moment = datetime(2024, 7, 1, 7, 0, 5, tzinfo=PARIS)
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert send_report_reminders_task.call() == 1
    assert kinds() == [(ReminderKind.LATE, date(2024, 7, 1))]
    assert len(mailoutbox) == 1
    assert waiting_runs().get().run_after == datetime(2024, 7, 2, 7, 0, tzinfo=PARIS)


def test_a_backend_that_cannot_defer_schedules_nothing(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert schedule_report_reminders() is None
    assert not waiting_runs().exists()


def test_the_command_sends_now_and_schedules_on_demand(action, mailoutbox, django_capture_on_commit_callbacks):
    out = StringIO()
    with time_machine.travel(datetime(2024, 7, 1, 3, 0, tzinfo=PARIS), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_report_reminders", stdout=out)
        assert not waiting_runs().exists()
        call_command("send_report_reminders", "--schedule", stdout=out)
    assert out.getvalue().splitlines() == [
        "1 relance de bilan envoyée.",
        "0 relance de bilan envoyée.",
        "Prochain envoi automatique programmé le 1 juillet 2024 à 07:00.",
    ]
    assert len(mailoutbox) == 1
    assert waiting_runs().count() == 1


def test_a_failed_run_still_enqueues_the_next_one(db, monkeypatch):
    def broken(*, today):
        raise ConnectionRefusedError("serveur de courriel injoignable")

    monkeypatch.setattr("maillage.evaluation.tasks.send_report_reminders", broken)
    with pytest.raises(ConnectionRefusedError):
        send_report_reminders_task.call()
    assert waiting_runs().count() == 1
