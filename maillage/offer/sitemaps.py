"""/sitemap.xml: every public page of the offer — the entry page, the open-data page, each cité with a published
offer, each published activity."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse

from maillage.offer.models import Activity
from maillage.territories.models import Cite


class EntryPagesSitemap(Sitemap):
    priority = 1.0
    changefreq = "daily"

    def items(self):
        return ["offer:home", "offer:search", "offer:opendata"]

    def location(self, item):
        return reverse(item)


class CitePagesSitemap(Sitemap):
    priority = 0.8
    changefreq = "weekly"

    def items(self):
        published = Activity.objects.published().filter(cite=OuterRef("pk"))
        return Cite.objects.filter(Exists(published)).order_by("slug").only("slug")

    def location(self, cite):
        return reverse("offer:cite", args=[cite.slug])


class ActivityPagesSitemap(Sitemap):
    priority = 0.6
    changefreq = "weekly"

    def items(self):
        return (
            Activity.objects.published().select_related("cite").only("slug", "updated_at", "cite__slug").order_by("pk")
        )

    def location(self, activity):
        return activity.get_absolute_url()

    def lastmod(self, activity):
        return activity.updated_at


SITEMAPS = {"offre": EntryPagesSitemap, "cites": CitePagesSitemap, "activites": ActivityPagesSitemap}
