"""Amounts of money as people type them and read them: euros with cents, as `Decimal`, never floats."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

MAX_AMOUNT = Decimal("9999999999.99")
AMOUNT_TEXT = re.compile(r"^\d+(\.\d{1,2})?$")
SPACES = re.compile(r"[\s\u00a0\u202f]+")

BAD_AMOUNT = "Saisissez un montant en euros, par exemple 1 500,50."
NEGATIVE_AMOUNT = "Un montant ne peut pas être négatif."
HUGE_AMOUNT = "Ce montant est trop élevé."


def parse_amount(value) -> Decimal:
    """An amount typed by a person, as `Decimal`: `1 500,50`, `1500.50`, `1.500,50`, `1 500 €`; blank is 0.
    Raises a French ValidationError for text, a negative amount or more than two decimals."""
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = SPACES.sub("", str(value or "")).removesuffix("€").removesuffix("EUR")
        if not text:
            return Decimal("0")
        if text.startswith("-"):
            raise ValidationError(NEGATIVE_AMOUNT)
        if "," in text and "." in text:  # the last separator marks the cents, the other one the thousands
            thousands = "." if text.rfind(",") > text.rfind(".") else ","
            text = text.replace(thousands, "")
        text = text.replace(",", ".")
        if not AMOUNT_TEXT.match(text):
            raise ValidationError(BAD_AMOUNT)
        try:
            amount = Decimal(text)
        except InvalidOperation as error:
            raise ValidationError(BAD_AMOUNT) from error
    if amount < 0:
        raise ValidationError(NEGATIVE_AMOUNT)
    if amount > MAX_AMOUNT:
        raise ValidationError(HUGE_AMOUNT)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(BAD_AMOUNT)
    return amount.quantize(Decimal("0.01"))


def amount_text(amount) -> str:
    """An amount as a form shows it back for editing: `1500,50`."""
    return f"{Decimal(amount):.2f}".replace(".", ",")
