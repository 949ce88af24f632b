"""The public offer's pages, open without an account: the entry page, the search (all cités, or one cité's page),
an activity, its .ics file and the sitemap. Anonymous visitors are served from the public cache
(maillage.offer.cache), which the offer's changes empty (maillage.offer.signals)."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Prefetch
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from maillage.core.middleware import remember_cite
from maillage.core.queries import count_of
from maillage.offer.cache import cached_public_page, is_fragment
from maillage.offer.calendar import activity_calendar, public_contact
from maillage.offer.models import Activity
from maillage.offer.public_forms import ActivitySearchForm, EntryForm
from maillage.offer.search import PARENTS, find_place, for_listing, search_activities
from maillage.offer.sitemaps import SITEMAPS
from maillage.territories.models import Cite, Commune

ACTIVITIES_PER_PAGE = 20
MAP_LIMIT = 500  # markers on the search map: every result up to this, clustered


def cites_with_offer(cite_ids=None):
    """The cités with their number of published activities (those with an offer only, unless `cite_ids` names
    the cités to show), with their communes."""
    cites = Cite.objects.annotate(
        activity_count=count_of(Activity.objects.published().filter(cite=OuterRef("pk")), "cite_id")
    )
    cites = cites.filter(pk__in=cite_ids) if cite_ids is not None else cites.filter(activity_count__gt=0)
    return cites.prefetch_related(Prefetch("communes", queryset=Commune.objects.order_by("name"))).order_by("name")


@login_not_required
@cached_public_page
def home(request):
    """The entry page: age and place lead to the search; below, the cités of the place typed (refreshed by htmx
    as the place is typed), or every cité with a published offer."""
    form = EntryForm(request.GET or None)
    place = find_place(form.cleaned_data["lieu"]) if form.is_valid() and form.cleaned_data["lieu"] else None
    context = {
        "form": form,
        "place": place,
        "cites": cites_with_offer(place.cite_ids if place else None),
    }
    template = "offer/_public_cites.html" if is_fragment(request) else "offer/public_home.html"
    return render(request, template, context)


def map_points(activities) -> list[dict]:
    """The markers of the search map: the results that have coordinates (the activity's, else its school's), at
    most MAP_LIMIT + 1 (one more tells the page that the map does not show them all)."""
    rows = (
        activities.annotate(
            lat=Coalesce("latitude", "school__latitude"), lon=Coalesce("longitude", "school__longitude")
        )
        .filter(lat__isnull=False, lon__isnull=False)
        .values(
            "pk",
            "title",
            "slug",
            "place_name",
            "lat",
            "lon",
            cite_slug=F("cite__slug"),
            organisation_name=F("organisation__name"),
        )
    )
    return [
        {
            "id": row["pk"],
            "title": row["title"],
            "url": reverse("offer:activity", args=[row["cite_slug"], row["slug"]]),
            "place": row["place_name"],
            "organisation": row["organisation_name"],
            "lat": row["lat"],
            "lon": row["lon"],
        }
        for row in rows[: MAP_LIMIT + 1]
    ]


def search_title(filters: dict) -> str:
    """The title of the national search page, which says what was searched: « … pour 9 ans à Créteil »."""
    title = "Activités des cités éducatives"
    age, place = filters["age"], filters["place"]
    if age == PARENTS:
        title += " pour les parents"
    elif age is not None:
        title += f" pour {age} an{pluralize(age)}"
    if place:
        title += " à " + (", ".join(place.commune_names) or place.text)
    return title


def render_search(request, *, template: str, cite=None, qpvs=(), communes=(), **context):
    """The search of the offer, for all cités or for one: filters, the page of the list, the map of the results.
    A request from htmx gets the results region only."""
    form = ActivitySearchForm(request.GET or None, cite=cite, qpvs=qpvs, communes=communes)
    form.is_valid()  # a wrong filter shows its error and is left out
    filters = form.search_filters(timezone.localdate())
    place = find_place(filters["place"]) if filters["place"] else None
    if place:
        filters["place"] = place
    activities = search_activities(**filters)
    page = Paginator(for_listing(activities), ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    points = map_points(activities)
    map_is_partial = len(points) > MAP_LIMIT
    points = points[:MAP_LIMIT]
    context |= {
        "search_title": search_title(filters),
        "form": form,
        "cite": cite,
        "qpvs": qpvs,
        "communes": communes,
        "place": place,
        "place_cites": Cite.objects.filter(pk__in=place.cite_ids).order_by("name") if place else [],
        "page_obj": page,
        "points": points,
        "on_map": {point["id"] for point in points},
        "map_is_partial": map_is_partial,
        "map_limit": MAP_LIMIT,
    }
    return render(request, "offer/_public_results.html" if is_fragment(request) else template, context)


@login_not_required
@cached_public_page
def search(request):
    return render_search(request, template="offer/public_search.html")


@login_not_required
@cached_public_page
def cite(request, cite_slug):
    """A cité's page: its presentation and neighbourhoods, and the search of its offer."""
    cite = get_object_or_404(Cite, slug=cite_slug)
    if request.user.is_authenticated:
        remember_cite(request, cite)  # not for visitors: their pages are shared through the cache
    qpvs = list(cite.qpvs.order_by("name"))
    communes = list(cite.communes.order_by("name"))
    return render_search(request, template="offer/public_cite.html", cite=cite, qpvs=qpvs, communes=communes)


def published_activity_or_404(cite_slug: str, activity_slug: str) -> Activity:
    activities = Activity.objects.published().select_related("cite", "organisation", "commune", "qpv", "school")
    return get_object_or_404(
        activities.prefetch_related("slots", "themes", "age_bands", "times_of_day"),
        cite__slug=cite_slug,
        slug=activity_slug,
    )


@login_not_required
@cached_public_page
def activity(request, cite_slug, activity_slug):
    activity = published_activity_or_404(cite_slug, activity_slug)
    latitude = activity.latitude if activity.latitude is not None else getattr(activity.school, "latitude", None)
    longitude = activity.longitude if activity.longitude is not None else getattr(activity.school, "longitude", None)
    points = []
    if latitude is not None and longitude is not None:
        points = [{"lat": latitude, "lon": longitude, "name": activity.place_name or activity.title, "url": "#lieu"}]
    email, phone = public_contact(activity)
    return render(
        request,
        "offer/public_activity.html",
        {
            "activity": activity,
            "cite": activity.cite,
            "email": email,
            "phone": phone,
            "map_points": points,
        },
    )


@login_not_required
@cached_public_page
def activity_ics(request, cite_slug, activity_slug):
    """The activity's sessions for the family's agenda (a download)."""
    activity = published_activity_or_404(cite_slug, activity_slug)
    page_url = request.build_absolute_uri(activity.get_absolute_url())
    content = activity_calendar(activity, today=timezone.localdate(), page_url=page_url)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{activity.slug}.ics"'
    return response


@login_not_required
@cached_public_page
def sitemap(request):
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS)
