"""The annual review (revue de projet) of a cité: its page, its comments, its validation by the troïka, its
XLSX and PDF exports; and the national consolidation of every cité's review."""

from django.urls import path

from maillage.evaluation.views import reviews as views

urlpatterns = [
    path("cites/<str:anct_id>/revues/", views.review_list, name="review_list"),
    path("cites/<str:anct_id>/revues/<int:year>/", views.review_detail, name="review_detail"),
    path("cites/<str:anct_id>/revues/<int:year>/modifier/", views.review_update, name="review_update"),
    path("cites/<str:anct_id>/revues/<int:year>/validation/", views.review_submit, name="review_submit"),
    path("cites/<str:anct_id>/revues/<int:year>/revue-de-projet.xlsx", views.review_xlsx, name="review_xlsx"),
    path("cites/<str:anct_id>/revues/<int:year>/revue-de-projet.pdf", views.review_pdf, name="review_pdf"),
    path("evaluation/national/revues-<int:year>.xlsx", views.national_reviews_xlsx, name="national_reviews_xlsx"),
]
