"""Identifiers shared by every module. The SIRET check comes from python-stdnum, which knows the
Luhn rule and La Poste's exception."""

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siret


def siret_error(value: str) -> str | None:
    """Why `value` is not a valid SIRET, or None."""
    try:
        siret.validate(value)
    except stdnum_errors.InvalidLength:
        return "un SIRET compte 14 chiffres"
    except stdnum_errors.InvalidFormat:
        return "un SIRET ne contient que des chiffres"
    except stdnum_errors.InvalidChecksum:
        return "la clé de contrôle du SIRET est fausse (vérifiez les chiffres)"
    return None


def validate_siret(value: str) -> None:
    error = siret_error(value)
    if error:
        raise ValidationError(error[0].upper() + error[1:] + ".", code="invalid_siret")
