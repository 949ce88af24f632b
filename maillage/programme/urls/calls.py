from django.urls import path

from maillage.programme.views import accounts, calls

urlpatterns = [
    # Calls for projects and their scoring grid
    path("cites/<str:anct_id>/appels-a-projets/", calls.call_list, name="call_list"),
    path("cites/<str:anct_id>/appels-a-projets/nouveau/", calls.call_create, name="call_create"),
    path("appels-a-projets/<int:pk>/", calls.call_detail, name="call_detail"),
    path("appels-a-projets/<int:pk>/modifier/", calls.call_update, name="call_update"),
    path("appels-a-projets/<int:pk>/criteres/nouveau/", calls.criterion_create, name="criterion_create"),
    path("criteres/<int:pk>/modifier/", calls.criterion_update, name="criterion_update"),
    path("criteres/<int:pk>/retirer/", calls.criterion_delete, name="criterion_delete"),
    # Public pages (no login)
    path("appels-a-projets/ouverts/", calls.public_calls, name="public_calls"),
    path("appels-a-projets/<int:pk>/public/", calls.call_public, name="call_public"),
    path("appels-a-projets/<int:pk>/demande-de-compte/", accounts.account_request, name="account_request"),
    # Account requests, answered by the coordination
    path("cites/<str:anct_id>/demandes-de-compte/", accounts.account_requests, name="account_requests"),
    path("demandes-de-compte/<int:pk>/", accounts.account_request_answer, name="account_request_answer"),
]
