"""Every screen of the administration opens for the administrator, with data in it: the list and the change
page of each registered model (vocabularies, programme, money…)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from maillage.funding.models import LegalAct, LegalActKind
from maillage.programme.models import AccountRequest
from tests.factories import GrantFactory, ObjectiveFactory, source

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def some_of_everything(creteil):
    grant = GrantFactory(action__call__cite=creteil)
    grant.legal_act = LegalAct.objects.create(
        cite=creteil,
        organisation=grant.action.organisation,
        source=source("p147"),
        year=grant.action.call.year,
        kind=LegalActKind.ARRETE,
        reference="CITE-021-TEST-001",
    )
    grant.save()
    ObjectiveFactory(cite=creteil)
    AccountRequest.objects.create(
        cite=creteil,
        organisation_name="Les Petits Débrouillards",
        first_name="Inès",
        last_name="Roy",
        email="ines.roy@exemple.fr",
    )


@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_the_administrator_opens_the_list_and_a_change_page(client, user_in, some_of_everything, model):
    client.force_login(user_in("admin"))
    info = (model._meta.app_label, model._meta.model_name)
    assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        assert client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk])).status_code == 200
