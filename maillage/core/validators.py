"""Identifiers shared by every module. SIRET and SIREN checks come from python-stdnum, which knows the
Luhn rule and La Poste's exception; RNA numbers are checked by their pattern."""

import re

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren, siret


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


def siren_error(value: str) -> str | None:
    """Why `value` is not a valid SIREN (the 9 first digits of a SIRET), or None."""
    try:
        siren.validate(value)
    except stdnum_errors.InvalidLength:
        return "un SIREN compte 9 chiffres"
    except stdnum_errors.InvalidFormat:
        return "un SIREN ne contient que des chiffres"
    except stdnum_errors.InvalidChecksum:
        return "la clé de contrôle du SIREN est fausse (vérifiez les chiffres)"
    return None


RNA_PATTERN = re.compile(r"W\d{9}")


def rna_error(value: str) -> str | None:
    """Why `value` is not an RNA number (répertoire national des associations: W and 9 digits), or None."""
    if not RNA_PATTERN.fullmatch(value):
        return "un numéro RNA s'écrit W suivi de 9 chiffres (par exemple W942001234)"
    return None


def raise_if(error: str | None, code: str) -> None:
    """Raise the French message of an identifier check (siret_error, siren_error…) as a ValidationError."""
    if error:
        raise ValidationError(error[0].upper() + error[1:] + ".", code=code)


def validate_siret(value: str) -> None:
    raise_if(siret_error(value), "invalid_siret")


def validate_siren(value: str) -> None:
    raise_if(siren_error(value), "invalid_siren")


def validate_rna(value: str) -> None:
    raise_if(rna_error(value), "invalid_rna")
