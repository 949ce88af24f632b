"""Shapes territory data for the pages: map points and the tables (and chart series) of a school."""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from maillage.territories.models import IndicatorValue, School


def cite_map_points(schools) -> list[dict]:
    """The schools that have coordinates, as the map script reads them (json_script)."""
    return [
        {
            "name": school.name,
            "uai": school.uai,
            "lat": school.latitude,
            "lon": school.longitude,
            "network": school.priority_network,
            "url": reverse("territories:school_detail", args=[school.uai]),
        }
        for school in schools
        if school.latitude is not None and school.longitude is not None
    ]


@dataclass
class Series:
    """Values of one indicator for the school and its references, period by period."""

    label: str
    unit: str
    origin: str = ""
    school: dict[str, Decimal] = field(default_factory=dict)
    departement: dict[str, Decimal] = field(default_factory=dict)
    national: dict[str, Decimal] = field(default_factory=dict)

    @property
    def periods(self) -> list[str]:
        return sorted(set(self.school) | set(self.departement) | set(self.national))

    @property
    def rows(self) -> list[tuple[str, Decimal | None, Decimal | None, Decimal | None]]:
        return [(p, self.school.get(p), self.departement.get(p), self.national.get(p)) for p in self.periods]

    def chart(self, school_name: str, departement_name: str) -> dict | None:
        """Attributes of a DSFR line chart (two periods at least), or None."""
        periods = self.periods
        if len(periods) < 2:
            return None
        series = [(school_name, self.school), (departement_name, self.departement), ("France", self.national)]
        series = [(name, values) for name, values in series if values]
        return {
            "x": json.dumps([periods] * len(series)),
            "y": json.dumps([[float(values[p]) if p in values else None for p in periods] for _, values in series]),
            "name": json.dumps([name for name, _ in series]),
        }


def school_indicator_tables(school: School, values: list[IndicatorValue]) -> dict:
    """IPS over time against the département and France, and the brevet results (collèges)."""
    series: dict[str, Series] = {}
    for value in values:
        indicator = value.indicator
        current = series.setdefault(indicator.code, Series(indicator.label, indicator.unit))
        if value.school_id:
            current.school[value.period] = value.value
            current.origin = value.origin
        elif value.departement_id:
            current.departement[value.period] = value.value
        else:
            current.national[value.period] = value.value
    ips = series.get("ips_college" if school.kind == School.Kind.COLLEGE else "ips_ecole")
    brevet_periods = sorted(series["dnb_presents"].school) if "dnb_presents" in series else []

    def school_value(code: str, period: str):
        return series[code].school.get(period) if code in series else None

    brevet = [
        {
            "period": period,
            "presents": school_value("dnb_presents", period),
            "admis": school_value("dnb_admis", period),
            "mentions": school_value("dnb_admis_mention", period),
            "rate": school_value("dnb_taux_reussite", period),
            "departement_rate": series["dnb_taux_reussite"].departement.get(period)
            if "dnb_taux_reussite" in series
            else None,
            "origin": series["dnb_presents"].origin,
        }
        for period in brevet_periods
    ]
    departement = school.commune.departement.name
    return {
        "ips": ips if ips and ips.school else None,
        "ips_chart": ips.chart(school.name, departement) if ips and ips.school else None,
        "brevet": brevet,
    }
