"""The identifiers of the reference data: UAI (our own check, DOMAIN.md) and SIRET (python-stdnum)."""

import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from maillage.core.validators import siret_error, validate_siret
from maillage.territories.models import uai_error, validate_uai


def arabic_indic(digits: str) -> str:
    """The same number written with Arabic-Indic digits (which `str.isdigit` and `\\d` accept)."""
    return "".join(chr(0x0660 + int(digit)) for digit in digits)


# ---------------------------------------------------------------------------------------------
# UAI: 7 digits and a check letter, the number modulo 23 read in the alphabet without I, O and Q.


@pytest.mark.parametrize(
    "uai",
    [
        "0940003T",  # collège Laplace, Créteil
        "0940006W",  # collège Albert Schweitzer, Créteil
        "0940535W",  # école élémentaire Albert Camus, Créteil
    ],
)
def test_real_uais_are_valid(uai):
    assert uai_error(uai) is None
    validate_uai(uai)


@pytest.mark.parametrize(("uai", "expected"), [("0940003A", "T"), ("0940006V", "W"), ("0940535X", "W")])
def test_a_wrong_check_letter_says_which_letter_is_expected(uai, expected):
    assert uai_error(uai) == f"la lettre de contrôle de l'UAI {uai} devrait être {expected}"
    with pytest.raises(ValidationError) as error:
        validate_uai(uai)
    assert error.value.code == "invalid_uai"
    assert error.value.messages == [f"La lettre de contrôle de l'UAI {uai} devrait être {expected}."]


@pytest.mark.parametrize(
    "uai",
    [
        "094003T",  # 6 digits
        "09400033T",  # 8 digits
        "0940003",  # no letter
        "0940003TT",
        "0940003t",  # lowercase
        "094000-T",
        " 0940003T",
        "",
    ],
)
def test_a_uai_not_made_of_7_digits_and_a_capital_letter_is_refused(uai):
    assert uai_error(uai) == "un UAI s'écrit avec 7 chiffres suivis d'une lettre majuscule"
    with pytest.raises(ValidationError) as error:
        validate_uai(uai)
    assert error.value.messages == ["Un UAI s'écrit avec 7 chiffres suivis d'une lettre majuscule."]


@pytest.mark.parametrize("letter", ["I", "O", "Q"])
def test_i_o_and_q_are_never_check_letters(letter):
    for number in range(23):  # every remainder modulo 23
        assert uai_error(f"{number:07d}{letter}") is not None


def test_the_23_remainders_give_the_23_letters_without_i_o_q():
    letters = [
        next(letter for letter in string.ascii_uppercase if uai_error(f"{n:07d}{letter}") is None) for n in range(23)
    ]
    assert "".join(letters) == "ABCDEFGHJKLMNPRSTUVWXYZ"


@given(st.integers(min_value=0, max_value=9_999_999))
def test_exactly_one_of_the_23_letters_completes_any_7_digit_number(number):
    digits = f"{number:07d}"
    accepted = [letter for letter in string.ascii_uppercase if uai_error(digits + letter) is None]
    assert len(accepted) == 1
    assert accepted[0] not in "IOQ"


@pytest.mark.parametrize("uai", [arabic_indic("0940003") + "T", "0940003T\n"])
def test_a_uai_is_made_of_ascii_digits_only(uai):
    assert uai_error(uai) is not None


# ---------------------------------------------------------------------------------------------
# SIRET: 14 digits, Luhn key, except La Poste's establishments (python-stdnum knows the rule).


def test_a_real_siret_from_the_annuaire_is_valid():
    assert siret_error("21940034800195") is None
    validate_siret("21940034800195")


def test_a_siret_with_a_wrong_luhn_key_is_refused():
    assert siret_error("21940034800196") == "la clé de contrôle du SIRET est fausse (vérifiez les chiffres)"
    with pytest.raises(ValidationError) as error:
        validate_siret("21940034800196")
    assert error.value.code == "invalid_siret"
    assert error.value.messages == ["La clé de contrôle du SIRET est fausse (vérifiez les chiffres)."]


@pytest.mark.parametrize("siret", ["2194003480019", "219400348001950", "219400348"])
def test_a_siret_of_another_length_is_refused(siret):
    assert siret_error(siret) == "un SIRET compte 14 chiffres"
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert error.value.messages == ["Un SIRET compte 14 chiffres."]


@pytest.mark.parametrize(
    "siret", ["2194003480019A", "21940O34800195", "2194-003480019", arabic_indic("21940034800195")]
)
def test_a_siret_with_other_characters_than_digits_is_refused(siret):
    assert siret_error(siret) == "un SIRET ne contient que des chiffres"


def test_a_siret_written_in_groups_is_read_as_its_digits():
    """python-stdnum drops spaces and dots; the importer stores the 14 digits (see test_importers)."""
    assert siret_error("219 400 348 00195") is None
    assert siret_error("219.400.348.00195") is None


def test_la_poste_establishments_are_valid_without_the_luhn_key():
    """stdnum: a SIRET starting with 356000000 (La Poste) needs a digit sum that is a multiple of 5, not
    a Luhn key. The head office, 35600000000048, is the exception to the exception: it has a Luhn key."""
    assert luhn.is_valid("35600000000048")
    assert siret_error("35600000000048") is None

    establishment = "35600000000024"  # digit sum 20
    assert not luhn.is_valid(establishment)
    assert siret_error(establishment) is None
    validate_siret(establishment)

    wrong = "35600000000025"  # digit sum 21
    assert not luhn.is_valid(wrong)
    assert siret_error(wrong) == "la clé de contrôle du SIRET est fausse (vérifiez les chiffres)"
    # Outside La Poste, a digit sum multiple of 5 does not replace the Luhn key.
    assert siret_error("21940034800190") is not None
