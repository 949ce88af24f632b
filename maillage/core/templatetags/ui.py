"""Template helpers of our shared components (templates/components/)."""

from decimal import Decimal

from django import template
from django.forms import BoundField

register = template.Library()
NARROW_SPACE = "\u202f"
NO_BREAK_SPACE = "\u00a0"


@register.filter
def widget_kind(field: BoundField) -> str:
    """`checkbox`, `checkboxes`, `radios`, `select` or `input`: which DSFR group draws the field."""
    kind = field.widget_type
    if kind == "checkbox":
        return "checkbox"
    if kind in ("checkboxselectmultiple",):
        return "checkboxes"
    if kind == "radioselect":
        return "radios"
    if kind in ("select", "selectmultiple"):
        return "select"
    return "input"


@register.filter
def widget(field: BoundField):
    """The field's widget with its DSFR class and the ids of its hint and error messages."""
    attrs = {}
    kind = widget_kind(field)
    if kind == "select":
        attrs["class"] = "fr-select"
    elif kind == "input":
        attrs["class"] = "fr-input"
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-messages")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def page_window(page_obj, size: int = 2):
    """Page numbers around the current one, with None where pages are skipped."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=size, on_ends=1)


@register.filter
def event_value(value) -> str:
    """A before/after value of the event log as text: lists joined, empty shown as a dash."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    return "—" if value in (None, "") else str(value)


@register.filter
def euros(amount) -> str:
    """An amount in the French way: `12 500,00 €` (narrow no-break spaces between thousands); empty stays empty."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount).quantize(Decimal("0.01"))
    whole, cents = f"{abs(value):,.2f}".split(".")
    sign = "-" if value < 0 else ""
    return sign + whole.replace(",", NARROW_SPACE) + "," + cents + NO_BREAK_SPACE + "€"
