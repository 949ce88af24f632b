"""Action sheets: writing and submitting (holder), the action page and its follow-up, lists and export."""

from django.urls import path

from maillage.programme.views import actions as views

urlpatterns = [
    path("cites/<str:anct_id>/actions/", views.action_list, name="action_list"),
    path("cites/<str:anct_id>/actions.xlsx", views.action_export, name="action_export"),
    path("mes-actions/", views.my_actions, name="my_actions"),
    path("appels-a-projets/<int:pk>/nouvelle-action/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/modifier/", views.action_update, name="action_update"),
    path("actions/<int:pk>/depot/", views.action_submit, name="action_submit"),
    path("actions/<int:pk>/suivi/", views.action_follow, name="action_follow"),
]
