from django.urls import path

from maillage.programme.views import objectives

urlpatterns = [
    path("cites/<str:anct_id>/programme/", objectives.cite_programme, name="cite_programme"),
    path("cites/<str:anct_id>/programme/objectifs/", objectives.objectives, name="objectives"),
    path("cites/<str:anct_id>/programme/objectifs/nouveau/", objectives.objective_create, name="objective_create"),
    path("objectifs/<int:pk>/renommer/", objectives.objective_update, name="objective_update"),
    path("objectifs/<int:pk>/deplacer/", objectives.objective_move, name="objective_move"),
    path("objectifs/<int:pk>/en-vigueur/", objectives.objective_set_active, name="objective_set_active"),
]
