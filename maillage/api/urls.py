"""The read-only public API, version 1 (mounted at /api/v1/): its root, its lists and their items, and its OpenAPI 3
description (YAML, or JSON with ?format=json)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from maillage.api import views

app_name = "api"


class Router(DefaultRouter):
    include_format_suffixes = False
    APIRootView = views.PublicRootView


router = Router()
router.register("cites", views.CiteViewSet, basename="cite")
router.register("qpvs", views.QpvViewSet, basename="qpv")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("activities", views.ActivityViewSet, basename="activity")

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    *router.urls,
]
