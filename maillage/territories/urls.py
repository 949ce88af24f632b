from django.urls import path

from maillage.territories import views

app_name = "territories"

urlpatterns = [
    path("cites/", views.cite_list, name="cite_list"),
    path("cites/changer/", views.switch_cite, name="switch_cite"),
    path("cites/<str:anct_id>/", views.cite_detail, name="cite_detail"),
    path("cites/<str:anct_id>/perimetre/", views.cite_perimeter, name="cite_perimeter"),
    path("etablissements/<str:uai>/", views.school_detail, name="school_detail"),
]
