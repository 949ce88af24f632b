"""The indicator catalogue of a cité (national and local indicators), its targets and the values entered by hand."""

from django.urls import path

from maillage.evaluation.views import indicators as views

urlpatterns = [
    path("cites/<str:anct_id>/evaluation/indicateurs/", views.indicator_list, name="indicator_list"),
    path("cites/<str:anct_id>/evaluation/indicateurs/nouveau/", views.indicator_create, name="indicator_create"),
    path("cites/<str:anct_id>/evaluation/indicateurs/<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path(
        "cites/<str:anct_id>/evaluation/indicateurs/<slug:code>/modifier/",
        views.indicator_update,
        name="indicator_update",
    ),
]
