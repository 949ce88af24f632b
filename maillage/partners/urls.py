from django.urls import path

from maillage.partners.views import directory, imports

app_name = "partners"

urlpatterns = [
    path("cites/<str:anct_id>/partenaires/", directory.directory, name="directory"),
    path("cites/<str:anct_id>/partenaires/nouvelle/", directory.organisation_create, name="organisation_create"),
    path("partenaires/<int:pk>/", directory.organisation_detail, name="organisation_detail"),
    path("partenaires/<int:pk>/modifier/", directory.organisation_update, name="organisation_update"),
    path("partenaires/<int:pk>/ajouter-a-la-cite/", directory.organisation_join_cite, name="organisation_join_cite"),
    path("partenaires/<int:pk>/contacts/nouveau/", directory.contact_create, name="contact_create"),
    path("partenaires/contacts/<int:pk>/modifier/", directory.contact_update, name="contact_update"),
    path("partenaires/contacts/<int:pk>/supprimer/", directory.contact_delete, name="contact_delete"),
    path("cites/<str:anct_id>/partenaires/import/", imports.import_upload, name="import_upload"),
    path("partenaires/imports/<int:pk>/colonnes/", imports.import_mapping, name="import_mapping"),
    path("partenaires/imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("partenaires/imports/<int:pk>/confirmer/", imports.import_confirm, name="import_confirm"),
    path("cites/<str:anct_id>/partenaires/doublons/", imports.duplicates, name="duplicates"),
    path("partenaires/fusion/<int:pk>/<int:other>/", imports.merge, name="merge"),
]
