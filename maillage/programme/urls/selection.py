"""Instruction and selection: eligibility, scores, the ranking of a call, the committee's choice."""

from django.urls import path

from maillage.programme.views import selection as views

urlpatterns = [
    path("actions/<int:pk>/instruction/", views.action_instruct, name="action_instruct"),
    path("actions/<int:pk>/notation/", views.action_score, name="action_score"),
    path("appels-a-projets/<int:pk>/classement/", views.call_ranking, name="call_ranking"),
    path("appels-a-projets/<int:pk>/selection/", views.call_selection, name="call_selection"),
]
