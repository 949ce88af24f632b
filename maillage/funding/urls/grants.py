"""Envelopes, grants, legal acts, payments and the fonds de la cité."""

from django.urls import path

from maillage.funding.views import city_fund, envelopes, grants, legal_acts

urlpatterns = [
    path("cites/<str:anct_id>/financements/enveloppes/", envelopes.envelopes, name="envelopes"),
    path("cites/<str:anct_id>/fonds-de-la-cite/", city_fund.city_fund, name="city_fund"),
    path("actions/<int:pk>/subventions/nouvelle/", grants.grant_create, name="grant_create"),
    path("subventions/<int:pk>/", grants.grant_detail, name="grant_detail"),
    path("subventions/<int:pk>/modifier/", grants.grant_update, name="grant_update"),
    path("subventions/<int:pk>/refuser/", grants.grant_refuse, name="grant_refuse"),
    path("subventions/<int:pk>/versements/nouveau/", grants.payment_create, name="payment_create"),
    path("actes-attributifs/<int:pk>/", legal_acts.legal_act_detail, name="legal_act_detail"),
    path("actes-attributifs/<int:pk>.pdf", legal_acts.legal_act_pdf, name="legal_act_pdf"),
    path("actes-attributifs/<int:pk>/signature/", legal_acts.legal_act_sign, name="legal_act_sign"),
]
