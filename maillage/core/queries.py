"""Query pieces shared by the lists and dashboards of every module: correlated aggregates, so that a page
stays one SQL query per list whatever its size, and no join multiplies its rows."""

from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0")


def count_of(rows: QuerySet, owner: str, column: str = "*", distinct: bool = False):
    """How many of `rows` belong to each row of the outer query, as a correlated COUNT: `rows` is filtered on
    `OuterRef(...)` through its `owner` column. 0 when there are none."""
    counted = rows.order_by().values(owner).annotate(total=Count(column, distinct=distinct)).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def sum_of(rows: QuerySet, owner: str, field: str):
    """The sum of `field` (an amount) over the `rows` of each row of the outer query, as a correlated SUM:
    `rows` is filtered on `OuterRef(...)` through its `owner` column. 0 when there are none."""
    summed = rows.order_by().values(owner).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(summed, output_field=MONEY), Value(ZERO), output_field=MONEY)
