"""The funding pages, one module per use case (envelopes and grants, dashboards and exports)."""

from maillage.funding.urls import dashboards, grants

app_name = "funding"

urlpatterns = [*grants.urlpatterns, *dashboards.urlpatterns]
