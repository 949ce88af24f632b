from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("maillage.core.urls")),
    path("", include("maillage.territories.urls")),
    path("", include("maillage.partners.urls")),
    path("", include("maillage.governance.urls")),
    path("", include("maillage.programme.urls")),
    path("", include("maillage.funding.urls")),
    path("", include("maillage.evaluation.urls")),
    path("", include("maillage.offer.urls")),
    path("api/v1/", include("maillage.api.urls")),
    path("admin/", admin.site.urls),
]
