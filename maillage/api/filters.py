"""The filters of the API's lists (django-filter). Many-to-many filters go through a subquery on the link table,
so that no join repeats a row and no DISTINCT is needed; the OpenAPI description of each filter is in views.py."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from maillage.offer.models import Activity, Weekday
from maillage.offer.search import search_activities
from maillage.territories.models import Cite, PriorityNetwork, Qpv, School

NO_PRIORITY_NETWORK = "none"
MAX_AGE = 120


def cite_named(value: str) -> Q:
    """A cité given by its ANCT identifier (cite-021) or its public slug (creteil)."""
    return Q(anct_id=value) | Q(slug=value)


def linked_to_cite(link_table, value: str):
    """The ids on the other side of a cité's many-to-many `link_table` (communes, QPVs, schools) for the cité
    named `value`."""
    return link_table.objects.filter(cite__in=Cite.objects.filter(cite_named(value)))


class AgeField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=MAX_AGE, **kwargs)


class AgeFilter(filters.NumberFilter):
    field_class = AgeField


class CiteFilter(filters.FilterSet):
    departement = filters.CharFilter(method="in_departement")
    region = filters.CharFilter(method="in_region")
    wave = filters.TypedChoiceFilter(choices=Cite.Wave.choices, coerce=int)
    search = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Cite
        fields = ["departement", "region", "wave", "search"]

    def in_departement(self, queryset, name, value):
        links = Cite.communes.through.objects.filter(commune__departement__code=value)
        return queryset.filter(pk__in=links.values("cite_id"))

    def in_region(self, queryset, name, value):
        links = Cite.communes.through.objects.filter(commune__departement__region__code=value)
        return queryset.filter(pk__in=links.values("cite_id"))


class QpvFilter(filters.FilterSet):
    departement = filters.CharFilter(field_name="departement__code")
    commune = filters.CharFilter(method="in_commune")
    cite = filters.CharFilter(method="in_cite")

    class Meta:
        model = Qpv
        fields = ["departement", "commune", "cite"]

    def in_commune(self, queryset, name, value):
        links = Qpv.communes.through.objects.filter(commune__insee_code=value)
        return queryset.filter(pk__in=links.values("qpv_id"))

    def in_cite(self, queryset, name, value):
        return queryset.filter(pk__in=linked_to_cite(Cite.qpvs.through, value).values("qpv_id"))


class SchoolFilter(filters.FilterSet):
    commune = filters.CharFilter(field_name="commune__insee_code")
    departement = filters.CharFilter(field_name="commune__departement__code")
    priority_network = filters.ChoiceFilter(
        choices=[
            (PriorityNetwork.REP_PLUS, PriorityNetwork.REP_PLUS.label),
            (PriorityNetwork.REP, PriorityNetwork.REP.label),
            (NO_PRIORITY_NETWORK, PriorityNetwork.NONE.label),
        ],
        method="in_priority_network",
    )
    kind = filters.ChoiceFilter(choices=School.Kind.choices)
    cite = filters.CharFilter(method="in_cite")

    class Meta:
        model = School
        fields = ["commune", "departement", "priority_network", "kind", "cite"]

    def in_priority_network(self, queryset, name, value):
        return queryset.filter(priority_network="" if value == NO_PRIORITY_NETWORK else value)

    def in_cite(self, queryset, name, value):
        return queryset.filter(pk__in=linked_to_cite(Cite.schools.through, value).values("school_id"))


class ActivityFilter(filters.FilterSet):
    """The filters of the public search page (`maillage.offer.search.search_activities`, so that the API and the
    pages find the same activities), plus the cité and free or paid. The fields only read and check the parameters:
    `filter_queryset` applies them together."""

    cite = filters.CharFilter()
    age = AgeFilter()
    theme = filters.CharFilter()
    time_of_day = filters.CharFilter()
    commune = filters.CharFilter()
    qpv = filters.CharFilter()
    free = filters.BooleanFilter()
    weekday = extend_schema_field(OpenApiTypes.INT)(filters.TypedChoiceFilter(choices=Weekday.choices, coerce=int))

    class Meta:
        model = Activity
        fields = ["cite", "age", "theme", "time_of_day", "commune", "qpv", "free", "weekday"]

    def filter_queryset(self, queryset):
        given = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")}
        if "cite" in given:
            queryset = queryset.filter(cite__in=Cite.objects.filter(cite_named(given.pop("cite"))))
        if "free" in given:
            queryset = queryset.filter(is_free=given.pop("free"))
        if not given:
            return queryset
        searched = search_activities(
            age=given.get("age"),
            themes=[given["theme"]] if "theme" in given else (),
            times_of_day=[given["time_of_day"]] if "time_of_day" in given else (),
            commune=given.get("commune"),
            qpv=given.get("qpv"),
            weekday=given.get("weekday"),
            today=timezone.localdate(),
        )
        return queryset.filter(pk__in=searched.values("pk"))
