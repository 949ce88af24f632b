"""The read-only public API, version 1: cités, QPVs, schools and the public offer. No account, no person.

Every view is open to everyone: the site's `LoginRequiredMiddleware` lets through only the view functions marked
`login_not_required`, so each view class marks the function its `as_view()` builds (`PublicView`). Each list runs a
fixed number of queries: the page, its count, and one per prefetched relation."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import APIRootView
from rest_framework.viewsets import ReadOnlyModelViewSet

from maillage.api import filters, serializers
from maillage.offer.models import Weekday
from maillage.offer.opendata import public_activities
from maillage.territories.models import Cite, Commune, PriorityNetwork, Qpv, School


class PublicView:
    """Mixin for a DRF view class: its views need no sign-in."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class PublicViewSet(PublicView, ReadOnlyModelViewSet):
    pagination_class = Pagination


class PublicRootView(PublicView, APIRootView):
    """L'API de Maillage : les cités éducatives, les quartiers prioritaires, les établissements scolaires et l'offre
    publique d'activités, en lecture seule."""


class SchemaView(PublicView, SpectacularAPIView):
    """The OpenAPI 3 description of the API: YAML, or JSON with ?format=json."""


def query(name: str, description: str, kind=OpenApiTypes.STR, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **kwargs)


CITE_PARAMETER = query("cite", "Cité éducative : identifiant ANCT (cite-021) ou adresse publique (creteil).")
COMMUNE_PARAMETER = query("commune", "Code INSEE de la commune (94028).")
DEPARTEMENT_PARAMETER = query("departement", "Code du département (94, 2A, 971).")


@extend_schema_view(
    list=extend_schema(
        summary="Les cités éducatives",
        description="Les cités éducatives labellisées, par ordre alphabétique, avec leurs communes et leurs quartiers.",
        parameters=[
            DEPARTEMENT_PARAMETER,
            query("region", "Code INSEE de la région (11 pour l'Île-de-France)."),
            query("wave", "Vague de labellisation.", OpenApiTypes.INT, enum=Cite.Wave.values),
            query("search", "Une partie du nom de la cité."),
        ],
    ),
    retrieve=extend_schema(summary="Une cité éducative", description="Une cité éducative, par son identifiant ANCT."),
)
class CiteViewSet(PublicViewSet):
    queryset = Cite.objects.prefetch_related(
        Prefetch("communes", queryset=Commune.objects.order_by("insee_code")),
        Prefetch("qpvs", queryset=Qpv.objects.order_by("code")),
    ).order_by("name", "pk")
    serializer_class = serializers.CiteSerializer
    filterset_class = filters.CiteFilter
    lookup_field = "anct_id"
    lookup_value_regex = r"[\w-]+"


@extend_schema_view(
    list=extend_schema(
        summary="Les quartiers prioritaires de la politique de la ville (QPV)",
        description="Les quartiers prioritaires (géographie 2024), avec leurs communes et leurs cités éducatives.",
        parameters=[
            DEPARTEMENT_PARAMETER,
            COMMUNE_PARAMETER,
            query("cite", "Les quartiers d'une cité éducative : identifiant ANCT ou adresse publique."),
        ],
    ),
    retrieve=extend_schema(
        summary="Un quartier prioritaire", description="Un quartier prioritaire, par son code (QN09405M)."
    ),
)
class QpvViewSet(PublicViewSet):
    queryset = (
        Qpv.objects.select_related("departement")
        .prefetch_related(
            Prefetch("communes", queryset=Commune.objects.order_by("insee_code")),
            Prefetch("cites", queryset=Cite.objects.order_by("anct_id")),
        )
        .order_by("name", "pk")
    )
    serializer_class = serializers.QpvSerializer
    filterset_class = filters.QpvFilter
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9]+"


@extend_schema_view(
    list=extend_schema(
        summary="Les établissements scolaires",
        description="Les écoles et collèges, avec leur éducation prioritaire et leur dernier IPS connu.",
        parameters=[
            COMMUNE_PARAMETER,
            DEPARTEMENT_PARAMETER,
            query(
                "priority_network",
                "Éducation prioritaire : REP+, REP, ou none (hors éducation prioritaire).",
                enum=[PriorityNetwork.REP_PLUS, PriorityNetwork.REP, filters.NO_PRIORITY_NETWORK],
            ),
            query("kind", "Type d'établissement.", enum=School.Kind.values),
            query("cite", "Les établissements d'une cité éducative : identifiant ANCT ou adresse publique."),
        ],
    ),
    retrieve=extend_schema(summary="Un établissement scolaire", description="Un établissement scolaire, par son UAI."),
)
class SchoolViewSet(PublicViewSet):
    queryset = School.objects.select_related("commune").with_latest_ips().order_by("name", "pk")
    serializer_class = serializers.SchoolSerializer
    filterset_class = filters.SchoolFilter
    lookup_field = "uai"
    lookup_value_regex = r"[0-9A-Za-z]+"


@extend_schema_view(
    list=extend_schema(
        summary="L'offre publique",
        description="Les activités publiées par les cités éducatives : les mêmes données que les fichiers ouverts "
        "(/offre/donnees/). Une activité retirée ou pas encore publiée n'y figure pas.",
        parameters=[
            CITE_PARAMETER,
            query(
                "age",
                "Âge de l'enfant ou du jeune, en années : les activités qui l'accueillent (sans celles réservées "
                "aux parents ou aux professionnels).",
                {"type": "integer", "minimum": 0, "maximum": filters.MAX_AGE},
            ),
            query("theme", "Code de la thématique (accompagnement-scolaire, sport, culture…)."),
            query(
                "time_of_day", "Code du temps de l'enfant (scolaire, periscolaire, extrascolaire, vacances, familial)."
            ),
            query("commune", "Code INSEE de la commune où l'activité a lieu, ou de son établissement scolaire."),
            query("qpv", "Code du quartier prioritaire (QN09405M)."),
            query("free", "true : les activités gratuites ; false : les payantes.", OpenApiTypes.BOOL),
            query(
                "weekday",
                "Jour d'un créneau : " + ", ".join(f"{day.value} = {day.label}" for day in Weekday) + ".",
                OpenApiTypes.INT,
                enum=Weekday.values,
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="Une activité publiée",
        description="Une activité publiée, par son identifiant.",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    ),
)
class ActivityViewSet(PublicViewSet):
    queryset = public_activities()
    serializer_class = serializers.ActivitySerializer
    filterset_class = filters.ActivityFilter
    lookup_field = "id"
    lookup_value_regex = r"[0-9]+"
