"""`load_demo`: Créteil's evaluation (reports, local indicators, targets, the validated 2023 review) and its public
offer, built through the services. One test, in four checks: each load of the demo costs about 15 seconds
(test_load_demo.py checks that loading twice changes nothing)."""

import datetime

from django.db.models import Count, Q

from maillage.core.models import Event, Verb
from maillage.demo.offer_data import ACTIVITIES, BLEUETS, MONT_MESLY
from maillage.evaluation.models import ActionReport, AnnualReview, ReportStatus, ReviewStatus, Target
from maillage.governance.models import DecisionStatus
from maillage.offer.models import Activity, ActivityStatus
from maillage.programme.models import Action, ActionStatus
from maillage.territories.models import IndicatorValue, ValueKind


def check_reports(creteil):
    closed = Action.objects.filter(cite=creteil, status=ActionStatus.CLOSED)
    assert closed.count() == 25
    submitted = ActionReport.objects.filter(cite=creteil, status=ReportStatus.SUBMITTED).select_related("action__call")
    assert {report.action_id for report in submitted} == set(closed.values_list("pk", flat=True))
    for report in submitted:
        assert report.reach_lines.exists()
        assert report.submitted_at.date() <= datetime.date(report.action.call.year + 1, 6, 30)
    # Two of the 2023 actions done are being reported on; the other two are late, with nothing written.
    drafts = ActionReport.objects.filter(cite=creteil, status=ReportStatus.DRAFT, action__call__year=2023)
    assert drafts.count() == 2
    late = Action.objects.filter(cite=creteil, call__year=2023, status=ActionStatus.DONE, report__isnull=True)
    assert late.count() == 2
    # The closing of each action is an event of its holder, dated like its report.
    assert Event.objects.filter(verb=Verb.REPORT_SUBMITTED, cite=creteil).count() == 25


def check_indicators(creteil):
    local = creteil.local_indicators.all()
    assert {indicator.code for indicator in local} == {"creteil-absenteisme-colleges", "creteil-familles-cafes-parents"}
    manual = IndicatorValue.objects.filter(kind=ValueKind.MANUAL, indicator__in=local)
    assert manual.filter(school__uai="0940003T").count() == 4
    assert manual.filter(cite=creteil).count() == 4
    assert not manual.filter(origin="").exists()
    assert Target.objects.filter(cite=creteil).count() == 7


def check_review(creteil):
    review = AnnualReview.objects.get(cite=creteil, year=2023)
    assert review.status == ReviewStatus.VALIDATED
    assert review.decision.status == DecisionStatus.VALIDATED
    assert review.decision.approvals.count() == 3
    assert review.validated_at.date() == datetime.date(2024, 3, 27)
    assert review.highlights and review.outlook


def check_offer(creteil):
    activities = Activity.objects.filter(cite=creteil)
    assert activities.count() == len(ACTIVITIES) >= 30
    assert not activities.exclude(status=ActivityStatus.PUBLISHED).exists()
    for age in range(26):
        covered = Q(min_age__lte=age, max_age__gte=age)
        assert activities.filter(covered).exists(), age
    assert activities.filter(age_bands__code="parents").exists()
    assert activities.filter(qpv__code=MONT_MESLY).exists() and activities.filter(qpv__code=BLEUETS).exists()
    assert not activities.annotate(slots_count=Count("slots")).filter(slots_count=0).exists()
    nine_on_wednesday = activities.filter(min_age__lte=9, max_age__gte=9, slots__weekday=2).distinct()
    assert nine_on_wednesday.count() >= 5
    # The café des parents' running action is published from its sheet.
    assert activities.filter(action__status=ActionStatus.RUNNING).exists()


def test_load_demo_builds_the_evaluation_and_the_public_offer(demo, creteil):
    check_reports(creteil)
    check_indicators(creteil)
    check_review(creteil)
    check_offer(creteil)
