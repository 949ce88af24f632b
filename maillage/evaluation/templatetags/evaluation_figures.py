"""Template filters of the evaluation figures: `{% load evaluation_figures %}{{ count|masked }}`, and
`{{ value|figure:indicator }}` (or `figure:"%"`) to write a value in its unit."""

from django import template
from django.template.defaultfilters import floatformat

from maillage.core.templatetags.ui import euros
from maillage.evaluation.figures import mask

register = template.Library()

DECIMALS = {"%": 1, "€": 2, "indice": 1, "heures": 1}
"""How many decimals a value shows when it is written with a bare unit rather than its indicator."""


@register.filter
def masked(count):
    """A count of people as shown: from 1 to 4 it becomes "< 5" (maillage.evaluation.figures.mask); a whole
    number is written with its thousands separated (2 312)."""
    if isinstance(count, str):  # already masked
        return count
    shown = mask(count)
    return floatformat(shown, "0g") if isinstance(shown, int) and not isinstance(shown, bool) else shown


@register.filter
def figure(value, unit_or_indicator) -> str:
    """A value in the French way, in its unit: `—` when there is none, a masked value as it is (`< 5`), euros
    with cents, a share with ` %`, other numbers with the indicator's decimals and thousands separated."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    unit = getattr(unit_or_indicator, "unit", unit_or_indicator)
    if unit == "€":
        return euros(value)
    decimals = getattr(unit_or_indicator, "decimals", DECIMALS.get(unit, 0))
    number = floatformat(value, f"{decimals}g")
    return f"{number}\u00a0%" if unit == "%" else number
