"""Open data of the public offer (no account): the downloads page, and the published activities of one cité or of
every cité as CSV, JSON or GeoJSON, streamed."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import OuterRef
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from maillage.core.queries import count_of
from maillage.offer.models import Activity
from maillage.offer.opendata import COLUMNS, FORMATS, LICENCE_NAME, LICENCE_URL, public_activities, site_url
from maillage.territories.models import Cite

ALL_CITES_FILE = "activites-toutes-cites"


@login_not_required
def downloads(request):
    """Every cité with a published offer and its three files, the files of all cités, the API and the licence."""
    cites = (
        Cite.objects.annotate(activity_count=count_of(Activity.objects.published().filter(cite=OuterRef("pk")), "cite"))
        .filter(activity_count__gt=0)
        .order_by("name")
    )
    return render(
        request,
        "offer/opendata.html",
        {
            "cites": cites,
            "formats": FORMATS.values(),
            "columns": COLUMNS.items(),
            "licence_name": LICENCE_NAME,
            "licence_url": LICENCE_URL,
        },
    )


def download(request, activities, name: str, fmt: str) -> StreamingHttpResponse:
    """`activities` written in `fmt` (csv, json or geojson; another extension is not found), as an attachment."""
    file_format = FORMATS.get(fmt)
    if file_format is None:
        raise Http404("Format inconnu : les fichiers existent en CSV, JSON et GeoJSON.")
    response = StreamingHttpResponse(
        file_format.write(activities, site_url=site_url(request)), content_type=file_format.content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format.extension}"'
    return response


@login_not_required
def all_activities(request, fmt):
    return download(request, public_activities(), ALL_CITES_FILE, fmt)


@login_not_required
def cite_activities(request, cite_slug, fmt):
    cite = get_object_or_404(Cite, slug=cite_slug)
    return download(request, public_activities(cite), f"activites-{cite.slug}", fmt)
