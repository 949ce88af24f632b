"""Charts of the printed review (revue de projet), drawn as inline SVG.

WeasyPrint runs no JavaScript, so the DSFR chart components of the pages cannot draw in the PDF: these are
small horizontal bar charts written by hand, with their labels and values, and nothing to fetch. A masked
count ("< 5") is written as text without a bar, so the drawing never tells what the table hides.
"""

from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
LABEL_WIDTH = 250
VALUE_WIDTH = 110
BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 10
ROW_HEIGHT = 20
BAR_HEIGHT = 13
TITLE_HEIGHT = 24
LABEL_LENGTH = 42
BAR_COLOUR = "#000091"
FONT = "DejaVu Sans, sans-serif"


def french_integer(value) -> str:
    """`12500` → `12 500` (narrow no-break space between thousands)."""
    return f"{int(value):,}".replace(",", "\u202f")


def default_text(value) -> str:
    """Whole numbers with French thousands; anything else (a masked count, a decimal) as it is written."""
    if isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral_value()):
        return french_integer(value)
    return str(value).replace(".", ",")


def shortened(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1].rstrip() + "…"


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def bar_chart_svg(
    labels: Sequence[str], values: Sequence, title: str, *, value_text: Callable[[object], str] = default_text
) -> SafeString:
    """A horizontal bar chart: one row per label, its bar proportional to the largest value, the value written
    after it (`value_text` formats it, e.g. in euros). Values that are not numbers (a masked count, None) are
    written without a bar."""
    labels, values = list(labels), list(values)
    largest = max((value for value in values if is_number(value) and value > 0), default=0)
    height = TITLE_HEIGHT + ROW_HEIGHT * max(len(labels), 1) + 4
    rows = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        top = TITLE_HEIGHT + index * ROW_HEIGHT
        length = round(BAR_AREA * float(value) / float(largest)) if largest and is_number(value) and value > 0 else 0
        text = "—" if value is None else value_text(value)
        rows.append(
            (
                top + ROW_HEIGHT / 2 + 4,
                label,
                shortened(label),
                LABEL_WIDTH,
                top + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                length,
                BAR_HEIGHT,
                LABEL_WIDTH + length + 6,
                text,
            )
        )
    bars = format_html_join(
        "",
        '<g><title>{1} : {8}</title><text x="0" y="{0}">{2}</text>'
        '<rect x="{3}" y="{4}" width="{5}" height="{6}" fill="' + BAR_COLOUR + '"></rect>'
        '<text x="{7}" y="{0}">{8}</text></g>',
        rows,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" width="{width}" height="{height}" '
        'viewBox="0 0 {width} {height}" font-family="{font}" font-size="10" fill="#161616">'
        '<title>{title}</title><text x="0" y="14" font-size="11" font-weight="bold">{title}</text>{bars}</svg>',
        title=title,
        width=WIDTH,
        height=height,
        font=FONT,
        bars=bars,
    )
