"""The public offer: public pages (no account: /offre/…, the sitemap), open-data downloads, and the pages where
holders write their activities and the coordinator moderates them (signed in)."""

from django.urls import path

from maillage.offer.views import manage, opendata, public

app_name = "offer"

urlpatterns = [
    # Public pages (no account).
    path("sitemap.xml", public.sitemap, name="sitemap"),
    path("offre/", public.home, name="home"),
    path("offre/activites/", public.search, name="search"),
    path("offre/donnees/", opendata.downloads, name="opendata"),
    path("offre/donnees/activites.<str:fmt>", opendata.all_activities, name="opendata_all"),
    path("offre/<slug:cite_slug>/", public.cite, name="cite"),
    path("offre/<slug:cite_slug>/activites.<str:fmt>", opendata.cite_activities, name="opendata_cite"),
    path("offre/<slug:cite_slug>/<slug:activity_slug>/", public.activity, name="activity"),
    path("offre/<slug:cite_slug>/<slug:activity_slug>.ics", public.activity_ics, name="activity_ics"),
    # Writing and moderating (signed in).
    path("cites/<str:anct_id>/offre/", manage.activity_list, name="activity_list"),
    path("cites/<str:anct_id>/offre/nouvelle/", manage.activity_create, name="activity_create"),
    path("actions/<int:pk>/offre/", manage.activity_from_action, name="activity_from_action"),
    path("offre-gestion/<int:pk>/", manage.activity_detail, name="activity_detail"),
    path("offre-gestion/<int:pk>/modifier/", manage.activity_update, name="activity_update"),
    path("offre-gestion/<int:pk>/moderation/", manage.activity_moderate, name="activity_moderate"),
]
