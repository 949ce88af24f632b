"""Action reports (bilans): the holder writes and submits them; the cité follows which are due and late."""

from django.urls import path

from maillage.evaluation.views import reports as views

urlpatterns = [
    path("cites/<str:anct_id>/evaluation/bilans/", views.report_list, name="report_list"),
    path("actions/<int:pk>/bilan/", views.report_detail, name="report_detail"),
    path("actions/<int:pk>/bilan/modifier/", views.report_update, name="report_update"),
    path("actions/<int:pk>/bilan/depot/", views.report_submit, name="report_submit"),
]
