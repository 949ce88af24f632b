"""The evaluation dashboard of a cité (and its XLSX export), and the national comparison of every cité."""

from django.urls import path

from maillage.evaluation.views import dashboards as views

urlpatterns = [
    path("cites/<str:anct_id>/evaluation/", views.dashboard, name="dashboard"),
    path("cites/<str:anct_id>/evaluation/tableau-de-bord.xlsx", views.dashboard_export, name="dashboard_export"),
    path("evaluation/national/", views.national, name="national"),
]
