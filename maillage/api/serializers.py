"""What the API shows of the reference data and of the public offer. Read only; no person anywhere."""

from rest_framework import serializers

from maillage.offer.models import Period
from maillage.offer.opendata import COLUMNS, activity_row, site_url
from maillage.territories.models import Cite, Qpv, School


def codes(slug_field: str, **kwargs):
    """A list of the related objects' codes (INSEE codes of communes, QPV codes, ANCT identifiers)."""
    return serializers.SlugRelatedField(many=True, read_only=True, slug_field=slug_field, **kwargs)


class CiteSerializer(serializers.ModelSerializer):
    wave_label = serializers.CharField(
        source="get_wave_display", help_text="Vague de labellisation, en toutes lettres."
    )
    communes = codes("insee_code", help_text="Codes INSEE des communes de la cité.")
    qpvs = codes("code", help_text="Codes des quartiers prioritaires de la cité.")

    class Meta:
        model = Cite
        fields = [
            "anct_id",
            "name",
            "slug",
            "wave",
            "wave_label",
            "label_date",
            "convention_start",
            "convention_end",
            "latitude",
            "longitude",
            "communes",
            "qpvs",
        ]


class QpvSerializer(serializers.ModelSerializer):
    departement = serializers.CharField(source="departement.code", help_text="Code du département.")
    departement_name = serializers.CharField(source="departement.name", help_text="Nom du département.")
    communes = codes("insee_code", help_text="Codes INSEE des communes du quartier.")
    cites = codes("anct_id", help_text="Identifiants ANCT des cités éducatives du quartier.")

    class Meta:
        model = Qpv
        fields = ["code", "name", "departement", "departement_name", "communes", "cites"]


class SchoolSerializer(serializers.ModelSerializer):
    commune_insee = serializers.CharField(source="commune.insee_code", help_text="Code INSEE de la commune.")
    commune_name = serializers.CharField(source="commune.name", help_text="Nom de la commune.")
    ips = serializers.FloatField(
        allow_null=True, help_text="Dernier indice de position sociale (IPS) publié par la DEPP, s'il est connu."
    )
    ips_school_year = serializers.CharField(
        source="ips_period", allow_null=True, help_text="Année scolaire de cet IPS (2023-2024)."
    )

    class Meta:
        model = School
        fields = [
            "uai",
            "name",
            "kind",
            "sector",
            "priority_network",
            "address",
            "postal_code",
            "commune_insee",
            "commune_name",
            "latitude",
            "longitude",
            "ips",
            "ips_school_year",
        ]


class VocabularySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="Libellé.")


class ActivitySerializer(serializers.Serializer):
    """An activity of the public offer: the row of the open-data files (`maillage.offer.opendata.activity_row`).

    The fields below only describe that row's types for the OpenAPI document; their descriptions are the open-data
    columns' (a field that is not a column fails here)."""

    id = serializers.IntegerField()
    cite_anct_id = serializers.CharField()
    cite_name = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    description = serializers.CharField()
    organisation = serializers.CharField()
    contact_email = serializers.CharField()
    contact_phone = serializers.CharField()
    min_age = serializers.IntegerField(allow_null=True)
    max_age = serializers.IntegerField(allow_null=True)
    audiences = VocabularySerializer(many=True)
    themes = VocabularySerializer(many=True)
    times_of_day = VocabularySerializer(many=True)
    place_name = serializers.CharField()
    address = serializers.CharField()
    commune_insee = serializers.CharField(allow_null=True)
    commune_name = serializers.CharField(allow_null=True)
    qpv_code = serializers.CharField(allow_null=True)
    qpv_name = serializers.CharField(allow_null=True)
    school_uai = serializers.CharField(allow_null=True)
    school_name = serializers.CharField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    period = serializers.ChoiceField(choices=Period.labels)
    slots = serializers.CharField()
    is_free = serializers.BooleanField()
    price = serializers.CharField()
    how_to_join = serializers.CharField()
    registration_url = serializers.CharField()
    accessibility = serializers.CharField()
    url = serializers.URLField()
    updated_at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            field.help_text = COLUMNS[name][0].upper() + COLUMNS[name][1:] + "."
        return fields

    def to_representation(self, instance):
        return activity_row(instance, site_url=site_url(self.context["request"]))
