from django.urls import path

from maillage.funding.views import dashboards as views

urlpatterns = [
    path("cites/<str:anct_id>/financements/", views.dashboard, name="dashboard"),
    path("cites/<str:anct_id>/financements/subventions/", views.grant_list, name="grant_list"),
    path("cites/<str:anct_id>/financements/subventions.xlsx", views.grant_export, name="grant_export"),
    path("cites/<str:anct_id>/financements/subventions-scdl.csv", views.scdl_export, name="scdl_export"),
]
