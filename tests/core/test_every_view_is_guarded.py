"""A net under the per-module permission tests: every page of the cité modules (partners, governance,
programme, funding, evaluation, offer) refuses an anonymous visitor and a member of another cité. A page added later
without its check fails here, even before its own permission tests are written."""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from maillage.core.models import Role
from maillage.evaluation.models import AnnualReview
from maillage.funding.models import LegalAct, LegalActKind
from maillage.governance.models import Attachment
from maillage.programme.models import AccountRequest
from tests.factories import (
    ActionFactory,
    CallFactory,
    ContactFactory,
    DecisionFactory,
    GrantFactory,
    MeetingFactory,
    ObjectiveFactory,
    OrganisationFactory,
    PartnerImportFactory,
    TaskFactory,
    source,
)
from tests.offer.factories import published_activity

GUARDED_NAMESPACES = ("partners", "governance", "programme", "funding", "evaluation", "offer")
# Pages that belong to no cité: they list the visitor's own things.
PERSONAL_PAGES = {"governance:my_tasks", "programme:my_actions"}
# Public pages of published calls, read without an account (checked in tests/programme/test_calls_public.py).
PUBLIC_PAGES = {"programme:public_calls", "programme:call_public", "programme:account_request"}
# The public offer and its open data (checked in tests/offer/test_public_pages.py and test_opendata.py).
PUBLIC_PAGES |= {
    "offer:home",
    "offer:search",
    "offer:opendata",
    "offer:opendata_all",
    "offer:cite",
    "offer:opendata_cite",
    "offer:activity",
    "offer:activity_ics",
    "offer:sitemap",
}
# Read with a signed token instead of a session (calendar applications cannot sign in).
TOKEN_PAGES = {"governance:calendar_feed"}


def guarded_patterns():
    for namespace in GUARDED_NAMESPACES:
        resolver = next(
            entry
            for entry in get_resolver().url_patterns
            if isinstance(entry, URLResolver) and entry.namespace == namespace
        )
        for pattern in resolver.url_patterns:
            assert isinstance(pattern, URLPattern)
            yield f"{namespace}:{pattern.name}", sorted(pattern.pattern.converters)


@pytest.fixture
def objects(creteil, tmp_path, settings):
    """One object of each kind, in Créteil."""
    settings.MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory(cites=[creteil])
    meeting = MeetingFactory(body__cite=creteil)
    attachment = Attachment(meeting=meeting, name="ordre-du-jour.pdf", content_type="application/pdf", size=8)
    attachment.file.save("ordre-du-jour.pdf", ContentFile(b"%PDF-1.4"), save=True)
    call = CallFactory(cite=creteil)
    grant = GrantFactory(action__call=call)
    grant.legal_act = LegalAct.objects.create(
        cite=creteil,
        organisation=grant.action.organisation,
        source=source("p147"),
        year=call.year,
        kind=LegalActKind.ARRETE,
        reference="CITE-021-TEST-001",
    )
    grant.save()
    return {
        "call": call,
        "criterion": call.criteria.first(),
        "objective": ObjectiveFactory(cite=creteil),
        "action": ActionFactory(call=call),
        "account_request": AccountRequest.objects.create(
            cite=creteil,
            call=call,
            organisation_name="Les Petits Débrouillards",
            first_name="Inès",
            last_name="Roy",
            email="ines.roy@exemple.fr",
        ),
        "grant": grant,
        "legal_act": grant.legal_act,
        "organisation": organisation,
        "other": OrganisationFactory(cites=[creteil]),
        "contact": ContactFactory(organisation=organisation),
        "import": PartnerImportFactory(cite=creteil),
        "meeting": meeting,
        "body": meeting.body,
        "decision": DecisionFactory(meeting=meeting),
        "task": TaskFactory(cite=creteil, meeting=meeting),
        "attachment": attachment,
        "review": AnnualReview.objects.create(cite=creteil, year=REVIEW_YEAR),
        "activity": published_activity(creteil),
    }


# Which object a page's `pk` names: the object its name starts with, unless listed here.
OBJECT_OF_PAGE = {
    "merge": "organisation",
    "contact_create": "organisation",
    "meeting_create": "body",
    "decision_create": "meeting",
    "task_create": "meeting",
    "attachment_add": "meeting",
    "attendance_sheet": "meeting",
    "minutes_pdf": "meeting",
    "action_create": "call",
    "criterion_create": "call",
    "account_request_answer": "account_request",
    "grant_create": "action",
    "payment_create": "grant",
    "legal_act_detail": "legal_act",
    "legal_act_pdf": "legal_act",
    "legal_act_sign": "legal_act",
    "report_detail": "action",
    "report_update": "action",
    "report_submit": "action",
    "activity_from_action": "action",
}
REVIEW_YEAR = 2023


def url_of(name: str, converters: list[str], objects, cite) -> str:
    page = name.split(":")[1]
    kwargs = {}
    if "anct_id" in converters:
        kwargs["anct_id"] = cite.anct_id
    if "pk" in converters:
        kwargs["pk"] = objects[OBJECT_OF_PAGE.get(page) or page.split("_")[0]].pk
    if "other" in converters:
        kwargs["other"] = objects["other"].pk
    if "code" in converters:
        kwargs["code"] = "reach_total"
    if "year" in converters:
        kwargs["year"] = REVIEW_YEAR
    return reverse(name, kwargs=kwargs)


PATTERNS = list(guarded_patterns())


def test_the_net_covers_every_page_of_the_cite_modules():
    assert len(PATTERNS) >= 85 + 18 + 15


@pytest.mark.parametrize(("name", "converters"), PATTERNS, ids=[name for name, _ in PATTERNS])
def test_anonymous_visitors_and_members_of_another_cite_are_refused(
    client, name, converters, objects, creteil, other_cite, user_in
):
    if name in PUBLIC_PAGES:
        return
    url = url_of(name, converters, objects, creteil)
    for method in (client.get, client.post):
        response = method(url)
        if name in TOKEN_PAGES:
            assert response.status_code == 403, (name, method)
        else:
            assert response.status_code in (302, 405), (name, method)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("core:login")), (name, method)
    if name in PERSONAL_PAGES:
        return
    client.force_login(user_in(Role.COORDINATOR.value, other_cite))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (403, 404, 405), (name, method, response.status_code)
