"""Query pieces shared by the lists of every module."""

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def count_of(rows: QuerySet, owner: str):
    """How many of `rows` belong to each row of the outer query, as a correlated COUNT: `rows` is filtered on
    `OuterRef("pk")` through its `owner` column. 0 when there are none; the page stays one SQL query."""
    counted = rows.values(owner).annotate(total=Count("*")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
