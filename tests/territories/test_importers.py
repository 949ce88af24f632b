"""The reference-data importer (`import_reference`) on the real open data and on damaged copies of it.

A damaged copy is the whole ../shared/data tree copied into the test's tmp_path, with one file broken as
bytes (so that the annuaire keeps its UTF-8 BOM and CRLF ends). Every failure must name the file, the
line and the column, and write nothing. To show that nothing is written, each damaged copy also carries
a valid change in the first file written (a région renamed), which must not reach the database.
"""

import csv
import functools
import io
import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, event, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from maillage.core.models import Event, Verb
from maillage.territories.importers import FILES, CsvFile, ReferenceFileError, Row, import_reference, school_year
from maillage.territories.models import (
    Cite,
    Commune,
    Departement,
    Epci,
    IndicatorValue,
    Qpv,
    Region,
    School,
    uai_error,
)

DATA = Path(settings.REFERENCE_DATA_DIR)
ANNUAIRE = "education/annuaire_education_94_ecoles_publiques.csv"
COLLEGES = "education/geoloc_colleges_dep94.csv"
COMMUNES = "cog/communes_2026.csv"
CITES = "cites_educatives/cites_educatives_communes.csv"
CITES_GEOJSON = "cites_educatives/citeduc_geom_anct_2023.geojson"
DEPARTEMENTS = "cog/departements_2026.csv"
EPCI = "cog/epci_2026.csv"
DNB = "education/dnb_effectifs_colleges_2021_dep94.csv"
IPS_COLLEGES = "education/fr-en-ips-colleges-ap2022.csv"
IPS_ECOLES = "education/ips_ecoles_dep94_2022-2025.csv"
QPV_COMMUNES = "qpv/qpv2024_communes.csv"
QPV_LIST = "qpv/qpv2024_liste.csv"
REGIONS = "cog/regions_2026.csv"
DELIMITERS = {ANNUAIRE: ";", COLLEGES: ";", IPS_COLLEGES: ";", IPS_ECOLES: ";"}  # the others use ","

REGION_CODE, REGION_NAME = "11", "Île-de-France"


class DataFile:
    """One CSV file of a data copy, edited as bytes: what is not edited (BOM, CRLF ends) stays identical.
    Lines are numbered from 1 as in a text editor; the header is line 1. Lines with quoted fields are
    not handled (none of the lines edited here has any)."""

    def __init__(self, root: Path, path: str):
        self.path, self.full = path, root / path
        self.delimiter = DELIMITERS.get(path, ",").encode()
        self.lines = self.full.read_bytes().split(b"\n")

    @property
    def header(self) -> list[str]:
        return self.lines[0].decode("utf-8-sig").rstrip("\r").split(self.delimiter.decode())

    def fields(self, number: int) -> list[bytes]:
        line = self.lines[number - 1].rstrip(b"\r")
        assert b'"' not in line, "this helper does not split quoted fields"
        return line.split(self.delimiter)

    def value(self, number: int, column: str) -> str:
        return self.fields(number)[self.header.index(column)].decode()

    def set_fields(self, number: int, fields: list[bytes]) -> None:
        end = b"\r" if self.lines[number - 1].endswith(b"\r") else b""
        self.lines[number - 1] = self.delimiter.join(fields) + end

    def set_value(self, number: int, column: str, value: str) -> None:
        fields = self.fields(number)
        fields[self.header.index(column)] = value.encode()
        self.set_fields(number, fields)

    def find(self, column: str, value: str) -> int:
        """The number of the first data line whose `column` holds `value`."""
        index, wanted = self.header.index(column), value.encode()
        for number, line in enumerate(self.lines[1:], start=2):
            values = line.rstrip(b"\r").split(self.delimiter)
            if len(values) > index and values[index] == wanted:
                return number
        raise LookupError(f"{value} not in {column} of {self.path}")

    @property
    def last_line(self) -> int:
        """The number of the last non-empty line (the files end with a line break)."""
        return max(number for number, line in enumerate(self.lines, start=1) if line.strip())

    def save(self) -> None:
        self.full.write_bytes(b"\n".join(self.lines))


def csv_records(path: str) -> list[dict[str, str]]:
    """The data records of a real file, read with the csv module (to cross-check line numbers)."""
    text = (DATA / path).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=DELIMITERS.get(path, ",")))


COUNTED = (Region, Departement, Epci, Commune, Qpv, Cite, School, IndicatorValue, Event)
LINKS = (Qpv.communes, Cite.communes, Cite.qpvs, Cite.schools)


def database_state() -> dict[str, object]:
    """The row count of every table the import writes, and a few values of Créteil."""
    state: dict[str, object] = {model.__name__: model.objects.count() for model in COUNTED}
    state |= {relation.through.__name__: relation.through.objects.count() for relation in LINKS}
    state["région 11"] = Region.objects.get(code=REGION_CODE).name
    state["commune 94028"] = Commune.objects.values_list("name", "population", "departement__code").get(
        insee_code="94028"
    )
    state["cité 021"] = Cite.objects.values_list("name", "wave", "latitude").get(anct_id="cite-021")
    state["QPV de Créteil"] = sorted(Qpv.objects.filter(communes__insee_code="94028").values_list("code", flat=True))
    state["collège Laplace"] = School.objects.values_list("name", "siret", "priority_network").get(uai="0940003T")
    state["IPS Laplace"] = IndicatorValue.objects.get(school__uai="0940003T", indicator__code="ips_college").value
    return state


def run_import(root: Path) -> str:
    output = io.StringIO()
    call_command("import_reference", data=root, stdout=output)
    return output.getvalue()


def import_fails(root: Path) -> str:
    """Run the command on `root`, expect a failure that writes nothing; return the error message."""
    before = database_state()
    with pytest.raises(CommandError) as failure:
        run_import(root)
    assert database_state() == before
    assert Region.objects.get(code=REGION_CODE).name == REGION_NAME
    message = str(failure.value)
    assert message.startswith("Import interrompu, rien n'a été écrit. Erreur dans le fichier ")
    return message


def located(path: str, line: int, column: str) -> str:
    """The start of an error message (`ReferenceFileError.__str__`)."""
    return f"fichier {path}, ligne {line}, colonne « {column} » : "


REPORT_LINE = re.compile(
    r"^  ✓ (?P<label>.+?) : (?P<created>\d[\d\s]*) ajouts, (?P<updated>\d[\d\s]*) mises à jour, "
    r"\d[\d\s]* sans changement(?:, (?P<deleted>\d[\d\s]*) retraits)?$"
)


def reported_changes(output: str) -> dict[str, tuple[int, int, int]]:
    """{table: (created, updated, deleted)} for every table whose line reports a change."""

    def number(text: str | None) -> int:
        return int(re.sub(r"\s", "", text or "0"))

    lines = [match for line in output.splitlines() if (match := REPORT_LINE.match(line))]
    assert len(lines) == 13, output  # one line per table or relation written
    counts = {m["label"]: (number(m["created"]), number(m["updated"]), number(m["deleted"])) for m in lines}
    return {label: values for label, values in counts.items() if any(values)}


@pytest.fixture
def data_copy(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    return root


@pytest.fixture
def damaged_copy(reference_data, data_copy) -> Path:
    """A copy of the data that carries a valid change in the first file written (a région renamed):
    the test then damages a later file, and the renaming must not reach the database."""
    regions = DataFile(data_copy, REGIONS)
    line = regions.find("code", REGION_CODE)
    assert regions.value(line, "nom") == REGION_NAME
    regions.set_value(line, "nom", "Région parisienne")
    regions.save()
    return data_copy


# ---------------------------------------------------------------------------------------------
# The real data, and correct changes to it.


def test_a_second_import_of_the_real_data_changes_nothing(reference_data):
    before = database_state()
    output = run_import(settings.REFERENCE_DATA_DIR)
    assert "Aucun changement : les données de référence sont déjà à jour" in output
    assert reported_changes(output) == {}
    assert database_state() == before


def test_the_change_carried_by_every_damaged_copy_is_imported_when_nothing_is_damaged(damaged_copy):
    """The control change of `damaged_copy` is a real change: its absence after a failure means something."""
    output = run_import(damaged_copy)

    assert reported_changes(output) == {"Régions": (0, 1, 0)}
    assert Region.objects.get(code=REGION_CODE).name == "Région parisienne"


def test_an_import_of_a_modified_copy_updates_exactly_what_changed(reference_data, data_copy):
    communes = DataFile(data_copy, COMMUNES)
    line = communes.find("code_insee", "94028")
    assert communes.value(line, "nom") == "Créteil"
    communes.set_value(line, "nom", "Créteil-sur-Marne")
    communes.save()
    before = database_state()
    earlier_events = list(Event.objects.values_list("pk", flat=True))

    output = run_import(data_copy)

    assert reported_changes(output) == {"Communes": (0, 1, 0)}
    assert "Import terminé" in output
    assert database_state() == before | {
        "commune 94028": ("Créteil-sur-Marne", *before["commune 94028"][1:]),
        "Event": before["Event"] + 1,
    }
    event = Event.objects.exclude(pk__in=earlier_events).get(verb=Verb.REFERENCE_IMPORTED)
    assert event.after["Communes"] == [0, 1, 0]
    # The files are now those of the database: a new run changes nothing.
    assert "Aucun changement" in run_import(data_copy)


def test_a_siret_written_with_spaces_is_stored_as_its_14_digits(reference_data, data_copy):
    annuaire = DataFile(data_copy, ANNUAIRE)
    line = annuaire.find("Identifiant_de_l_etablissement", "0940262Z")
    siret = annuaire.value(line, "SIREN_SIRET")
    assert re.fullmatch(r"\d{14}", siret)
    annuaire.set_value(line, "SIREN_SIRET", f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}")
    annuaire.save()

    output = run_import(data_copy)

    assert "Aucun changement" in output
    assert School.objects.get(uai="0940262Z").siret == siret


# ---------------------------------------------------------------------------------------------
# Damaged copies: the failure names the file, the line and the column, and nothing is written.


@pytest.mark.parametrize(
    ("path", "column"),
    [
        (QPV_LIST, "code_qp"),
        (COMMUNES, "population"),
        (ANNUAIRE, "Identifiant_de_l_etablissement"),  # the first column, right after the BOM
    ],
)
def test_a_column_missing_from_the_header_is_named_on_line_1(damaged_copy, path, column):
    file = DataFile(damaged_copy, path)
    assert column in file.header
    file.lines[0] = file.lines[0].replace(column.encode(), f"{column}_2024".encode())
    file.save()

    message = import_fails(damaged_copy)

    assert located(path, 1, column) + "colonne absente de l'en-tête" in message


def test_a_file_saved_with_another_separator_names_the_expected_one(damaged_copy):
    path = damaged_copy / QPV_LIST
    path.write_bytes(path.read_bytes().replace(b",", b";"))

    message = import_fails(damaged_copy)

    assert located(QPV_LIST, 1, "code_qp") + "colonne absente de l'en-tête (séparateur attendu : « , »)" in message


@pytest.mark.parametrize(("path", "column"), [(ANNUAIRE, "Identifiant_de_l_etablissement"), (COLLEGES, "numero_uai")])
def test_a_wrong_uai_check_letter_is_reported_at_its_line_and_column(damaged_copy, path, column):
    file = DataFile(damaged_copy, path)
    line = 11  # the 10th establishment of the file
    uai = file.value(line, column)
    assert csv_records(path)[9][column] == uai
    assert uai_error(uai) is None
    wrong = uai[:7] + ("A" if uai[7] != "A" else "B")
    file.set_value(line, column, wrong)
    file.save()

    message = import_fails(damaged_copy)

    assert located(path, line, column) + f"UAI « {wrong} » invalide" in message
    assert f"devrait être {uai[7]}" in message


@pytest.mark.parametrize(
    ("path", "key_column", "key", "column", "byte"),
    [
        pytest.param(COMMUNES, None, None, "nom", 0xE9, id="the-whole-communes-file"),  # L'Abergement-Clémenciat
        pytest.param(COMMUNES, "code_insee", "94028", "nom", 0xE9, id="only-the-line-of-creteil"),
        pytest.param(
            ANNUAIRE,
            "Identifiant_de_l_etablissement",
            "0940262Z",
            "Nom_etablissement",
            0xE9,
            id="one-school-after-a-bom",
        ),
        pytest.param(CITES, "id_cite", "cite-021", "lib_cite", 0xE9, id="one-cite"),
    ],
)
def test_a_line_saved_in_windows_1252_is_reported_at_its_first_invalid_byte(
    damaged_copy, path, key_column, key, column, byte
):
    file = DataFile(damaged_copy, path)
    numbers = range(2, len(file.lines) + 1) if key is None else [file.find(key_column, key)]
    for number in numbers:
        file.lines[number - 1] = file.lines[number - 1].decode().encode("cp1252")
    file.save()
    line = next(number for number in numbers if not file.lines[number - 1].isascii())

    message = import_fails(damaged_copy)

    assert located(path, line, column) + f"encodage invalide : l'octet 0x{byte:02x} n'est pas de l'UTF-8" in message
    assert "réenregistrez le fichier en UTF-8" in message


def test_a_last_line_cut_in_the_middle_names_the_first_missing_column(damaged_copy):
    file = DataFile(damaged_copy, QPV_COMMUNES)
    line = file.last_line
    values = file.fields(line)
    kept = b",".join([values[0], values[1][:3]])  # a download cut in the middle of lib_qp
    file.lines = [*file.lines[: line - 1], kept]
    file.save()

    message = import_fails(damaged_copy)

    assert located(QPV_COMMUNES, line, "insee_com") + "ligne incomplète ou tronquée : 2 valeurs au lieu de 6" in message


@pytest.mark.parametrize(
    ("path", "key_column", "key"),
    [(ANNUAIRE, "Identifiant_de_l_etablissement", "0940535W"), (COMMUNES, "code_insee", "94028")],
)
def test_a_line_missing_its_last_fields_names_the_first_missing_column(damaged_copy, path, key_column, key):
    file = DataFile(damaged_copy, path)
    line = file.find(key_column, key)
    file.set_fields(line, file.fields(line)[:5])
    file.save()

    message = import_fails(damaged_copy)

    expected = f"ligne incomplète ou tronquée : 5 valeurs au lieu de {len(file.header)}"
    assert located(path, line, file.header[5]) + expected in message


@pytest.mark.parametrize(
    ("path", "key_column", "key", "column", "value", "reason"),
    [
        (DEPARTEMENTS, "code", "94", "region", "99", f"région « 99 » absente de {REGIONS}"),
        (COMMUNES, "code_insee", "94028", "departement", "99", "département « 99 » inconnu"),
        (COMMUNES, "code_insee", "94028", "epci_siren", "200000000", "EPCI ou EPT « 200000000 » inconnu"),
        (QPV_LIST, "code_qp", "QN09405M", "insee_dep", "99", "département « 99 » inconnu"),
        (QPV_COMMUNES, "code_qp", "QN09405M", "insee_com", "94999", "commune « 94999 » inconnue"),
        (QPV_COMMUNES, "code_qp", "QN09405M", "code_qp", "QN09499M", f"QPV « QN09499M » absent de {QPV_LIST}"),
        (CITES, "id_cite", "cite-021", "insee_com", "94999", "commune « 94999 » inconnue"),
        (ANNUAIRE, "Identifiant_de_l_etablissement", "0940535W", "Code_commune", "94999", "commune « 94999 » inconnue"),
    ],
)
def test_a_reference_to_an_unknown_code_is_reported_at_its_line(
    damaged_copy, path, key_column, key, column, value, reason
):
    real_codes = {record["code"] for record in csv_records(DEPARTEMENTS)} | {
        record["code_insee"] for record in csv_records(COMMUNES)
    }
    assert value not in real_codes
    file = DataFile(damaged_copy, path)
    line = file.find(key_column, key)
    file.set_value(line, column, value)
    file.save()

    message = import_fails(damaged_copy)

    assert located(path, line, column) + reason in message


@pytest.mark.parametrize(
    ("path", "key_column", "key", "column", "value", "reason"),
    [
        (ANNUAIRE, "Identifiant_de_l_etablissement", "0940535W", "SIREN_SIRET", "21940028000016", "la clé de contrôle"),
        (
            ANNUAIRE,
            "Identifiant_de_l_etablissement",
            "0940535W",
            "Appartenance_Education_Prioritaire",
            "REP++",
            "REP, REP+ ou vide attendu",
        ),
        (
            ANNUAIRE,
            "Identifiant_de_l_etablissement",
            "0940535W",
            "latitude",
            "148,79",
            "coordonnée 148.79 hors des bornes [-90, 90]",
        ),
        (
            ANNUAIRE,
            "Identifiant_de_l_etablissement",
            "0940535W",
            "Code_postal",
            "94O00",
            "« 94O00 » n'est pas un code de 5 chiffres",
        ),
        (COLLEGES, "numero_uai", "0940003T", "secteur_public_prive_libe", "Associatif", "Public ou Privé attendu"),
        (CITES, "id_cite", "cite-021", "lot_numerotation", "5", "vague « 5 » inconnue"),
        # Numbers that must be refused on reading, not crash the import or the database write.
        (COMMUNES, "code_insee", "94028", "population", "-93397", "n'est pas un nombre entier positif"),
        (COMMUNES, "code_insee", "94028", "population", "Infinity", "n'est pas un nombre entier positif"),
        (COMMUNES, "code_insee", "94028", "population", "9e30", "trop grand"),
        (CITES, "id_cite", "cite-021", "lot_numerotation", "sNaN", "n'est pas un nombre entier positif"),
        (IPS_COLLEGES, "UAI", "0940003T", "IPS", "1e30", "trop grand"),
        (IPS_ECOLES, "uai", "0940535W", "rentree_scolaire", "2022-202³", "n'est pas une année scolaire"),
        (IPS_ECOLES, "uai", "0940535W", "rentree_scolaire", "2022-2024", "n'est pas une année scolaire"),
        (IPS_COLLEGES, "UAI", "0940003T", "Effectifs", "-307", "effectif négatif"),
    ],
)
def test_a_bad_value_is_reported_at_its_line_and_column(damaged_copy, path, key_column, key, column, value, reason):
    file = DataFile(damaged_copy, path)
    line = file.find(key_column, key)
    file.set_value(line, column, value)
    file.save()

    message = import_fails(damaged_copy)

    assert located(path, line, column) in message
    assert reason in message


@pytest.mark.parametrize(
    ("path", "key_column", "key", "column", "model"),
    [
        (REGIONS, "code", "24", "nom", Region),
        (DEPARTEMENTS, "code", "94", "nom", Departement),
        (EPCI, "code", "200054781", "nom", Epci),
        (COMMUNES, "code_insee", "94028", "nom", Commune),
        (QPV_LIST, "code_qp", "QN09405M", "lib_qp", Qpv),
        (CITES, "id_cite", "cite-021", "lib_cite", Cite),
    ],
)
def test_a_name_longer_than_its_database_column_is_refused_on_reading(
    damaged_copy, path, key_column, key, column, model
):
    """SQLite stores such a name whole; PostgreSQL cuts it silently on update (bulk_update casts to the
    column's type) and fails on insert, in the middle of the write. It must be refused on reading."""
    limit = model._meta.get_field("name").max_length
    file = DataFile(damaged_copy, path)
    line = file.find(key_column, key)
    file.set_value(line, column, "x" * (limit + 1))
    file.save()

    message = import_fails(damaged_copy)

    assert located(path, line, column) + f"valeur trop longue ({limit + 1} caractères, {limit} au plus)" in message


@pytest.mark.parametrize(
    ("path", "content"),
    [(QPV_COMMUNES, b""), (ANNUAIRE, b"\xef\xbb\xbf")],
    ids=["empty", "a-bom-alone"],
)
def test_an_empty_file_is_refused(damaged_copy, path, content):
    (damaged_copy / path).write_bytes(content)

    message = import_fails(damaged_copy)

    assert f"fichier {path}, ligne 1 : fichier vide" in message


@pytest.mark.parametrize("path", [QPV_COMMUNES, CITES])
def test_a_file_cut_after_its_header_is_refused_instead_of_removing_every_link(damaged_copy, path):
    """Such a file used to import: every link between a QPV (or a cité) and its communes was removed,
    and with them the QPVs and schools the cités derive from their communes."""
    file = DataFile(damaged_copy, path)
    file.lines = [file.lines[0], b""]
    file.save()

    message = import_fails(damaged_copy)

    assert f"fichier {path}, ligne 1 : aucune ligne de données après l'en-tête" in message


def test_a_brevet_session_that_is_not_a_year_is_refused(damaged_copy):
    path = damaged_copy / DNB
    content = path.read_bytes()
    line = content[: content.index(b"0940003T,2021,")].count(b"\n") + 1
    path.write_bytes(content.replace(b"0940003T,2021,", b"0940003T,20210,"))

    message = import_fails(damaged_copy)

    assert located(DNB, line, "session") in message
    assert "une année est attendue" in message


def test_a_qpv_list_whose_communes_file_was_cut_at_a_line_boundary_is_refused(damaged_copy):
    """Without this check, the QPVs of the lost lines would silently lose their communes."""
    file = DataFile(damaged_copy, QPV_COMMUNES)
    file.lines = [*file.lines[:-200], b""]
    file.save()

    message = import_fails(damaged_copy)

    assert f"fichier {QPV_COMMUNES} : " in message
    assert "n'ont aucune commune ici" in message


def test_a_cites_file_that_lost_cites_already_imported_is_refused(damaged_copy):
    file = DataFile(damaged_copy, CITES)
    file.lines = [line for line in file.lines if not line.startswith(b"cite-208,")]
    file.save()

    message = import_fails(damaged_copy)

    assert f"fichier {CITES} : 1 cités déjà importées en sont absentes (cite-208)" in message


def test_a_missing_file_is_named(damaged_copy):
    (damaged_copy / QPV_COMMUNES).unlink()

    message = import_fails(damaged_copy)

    assert f"fichier {QPV_COMMUNES} : fichier introuvable dans le dossier de données" in message


def test_a_missing_data_folder_is_named(reference_data, tmp_path):
    with pytest.raises(CommandError, match="Dossier de données introuvable"):
        run_import(tmp_path / "absent")


def test_a_truncated_geojson_is_reported_at_its_line(damaged_copy):
    path = damaged_copy / CITES_GEOJSON
    lines = path.read_bytes().split(b"\n")
    number = next(n for n, line in enumerate(lines, start=1) if b'"id_territoire": "cite-047"' in line)
    cut = lines[number - 1].index(b"cite-047")
    path.write_bytes(b"\n".join([*lines[: number - 1], lines[number - 1][:cut]]))  # inside a string

    message = import_fails(damaged_copy)

    assert f"fichier {CITES_GEOJSON}, ligne {number} : JSON invalide" in message


# ---------------------------------------------------------------------------------------------
# The quirks of the real files that must be accepted.


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("74,3", Decimal("74.3")),
        ("74.3", Decimal("74.3")),
        (" 95,5 ", Decimal("95.5")),
        ("-0,25", Decimal("-0.25")),
        ("110", Decimal("110")),
        ("NS", None),
        ("ns", None),
    ],
)
def test_the_decimal_reader_accepts_a_decimal_comma_and_ns(raw, expected):
    assert Row(IPS_ECOLES, 12, {"ips": raw}).decimal("ips") == expected


def test_an_empty_decimal_is_none_only_when_optional():
    row = Row(IPS_ECOLES, 12, {"ips": " "})
    assert row.decimal("ips", required=False) is None
    with pytest.raises(ReferenceFileError) as error:
        row.decimal("ips")
    assert str(error.value).startswith(located(IPS_ECOLES, 12, "ips"))


@pytest.mark.parametrize("raw", ["74,3,1", "74.3.1", "7 4", "abc", "NaN", "Infinity", "-inf", "12 %", "1e30"])
def test_the_decimal_reader_refuses_what_is_not_a_number(raw):
    with pytest.raises(ReferenceFileError) as error:
        Row(IPS_ECOLES, 12, {"ips": raw}).decimal("ips")
    assert str(error.value).startswith(located(IPS_ECOLES, 12, "ips") + f"« {raw.strip()} »")


def test_the_real_files_hold_decimal_commas_and_ns_values(reference_data):
    laplace = next(row for row in FILES["dnb"].read(DATA) if row.values["numero_college"] == "0940003T")
    assert laplace.values["taux_de_reussite"] == "95,5"
    assert laplace.decimal("taux_de_reussite") == Decimal("95.5")
    assert IndicatorValue.objects.get(school__uai="0940003T", indicator__code="dnb_taux_reussite").value == Decimal(
        "95.50"
    )

    not_significant = [row for row in FILES["ips_ecoles"].read(DATA) if row.values["ips"] == "NS"]
    assert not_significant
    parmentier = next(row for row in not_significant if row.values["uai"] == "0940238Y")
    assert parmentier.decimal("ips") is None
    values = IndicatorValue.objects.filter(indicator__code="ips_ecole", period=parmentier.values["rentree_scolaire"])
    assert not values.filter(school__uai="0940238Y").exists()
    assert values.filter(school__uai="0940535W").exists()


# ---------------------------------------------------------------------------------------------
# Properties: whatever the damage, the importer gives its result or a located error, never a crash.

TRICKY_VALUES = [
    "",
    " ",
    "NS",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e30",
    "1e999999999",
    "-1",
    "0,5",
    "2022-202³",
    "٩٤٠٢٨",
    "²",
    '"',
    '"a"b',
    "\x00",
    "\r",
    "\n",
    ";",
    ",",
    "x" * 300,
    "\ufeff",
    "0940003T",
    "94028",
    "QN09405M",
    "cite-021",
]


@dataclass(frozen=True)
class Damage:
    """A real file damaged in a few ways. Its repr lists the damages, not the 100 kB of bytes."""

    steps: tuple[str, ...]
    content: bytes = field(repr=False)


@st.composite
def damaged(draw, source: CsvFile) -> Damage:
    """The real `source` file damaged in one to three random ways (or replaced by random text or bytes)."""
    steps, content = [], real_bytes(source.path)
    for _ in range(draw(st.integers(1, 3))):
        step, content = damage_once(draw, content, source)
        steps.append(step)
    return Damage(tuple(steps), content)


def damage_once(draw, content: bytes, source: CsvFile) -> tuple[str, bytes]:
    """One random damage: (what it did, the damaged bytes)."""
    delimiter = source.delimiter.encode()
    kind = draw(st.sampled_from(["bytes", "value", "line", "delimiter", "line ends", "encoding", "replaced"]))
    lines = content.split(b"\n")
    number = draw(st.integers(1, len(lines)))
    if kind == "bytes":
        start = draw(st.integers(0, len(content)))
        end = draw(st.integers(start, min(start + 300, len(content))))
        inserted = draw(st.binary(max_size=8))
        if draw(st.booleans()):
            end, inserted = len(content), b""  # truncated
        return f"bytes {start}-{end} replaced by {inserted!r}", content[:start] + inserted + content[end:]
    if kind == "value":
        # A column the importer reads (or any column), on one line, gets a tricky or random value.
        header = lines[0].decode("utf-8-sig", errors="replace").rstrip("\r").split(source.delimiter)
        read = [index for index, name in enumerate(header) if name in source.columns]
        fields = lines[number - 1].rstrip(b"\r").split(delimiter)
        index = draw(st.sampled_from(read) if read and draw(st.booleans()) else st.integers(0, len(fields) - 1))
        value = draw(st.one_of(st.sampled_from(TRICKY_VALUES), st.text(max_size=20)))
        fields[min(index, len(fields) - 1)] = value.encode()
        lines[number - 1] = delimiter.join(fields) + (b"\r" if lines[number - 1].endswith(b"\r") else b"")
        return f"line {number}, field {index} = {value!r}", b"\n".join(lines)
    if kind == "line":
        operation = draw(st.sampled_from(["dropped", "repeated", "emptied", "joined to the next"]))
        if operation == "dropped":
            del lines[number - 1]
        elif operation == "repeated":
            lines.insert(number - 1, lines[number - 1])
        elif operation == "emptied":
            lines[number - 1] = b""
        else:
            lines[number - 1 : number + 1] = [b"".join(lines[number - 1 : number + 1])]
        return f"line {number} {operation}", b"\n".join(lines)
    if kind == "delimiter":
        other = draw(st.sampled_from([b";", b",", b"\t", b"|", b" "]))
        return f"separator {other!r}", content.replace(delimiter, other)
    if kind == "line ends":
        end = draw(st.sampled_from([b"\r\n", b"\r", b"\n\n"]))
        return f"line ends {end!r}", content.replace(b"\n", end)
    if kind == "encoding":
        encoding = draw(st.sampled_from(["cp1252", "latin-1", "utf-16", "utf-8-sig"]))
        return f"encoded in {encoding}", content.decode("utf-8", errors="replace").encode(encoding, errors="replace")
    replacement = draw(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
    return f"replaced by {replacement!r}", replacement


@functools.cache
def real_bytes(path: str) -> bytes:
    return (DATA / path).read_bytes()


PROPERTY_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "database": None,
    "print_blob": True,
}


@pytest.mark.parametrize("key", ["qpv_communes", "ecoles", "dnb"])
@hypothesis_settings(max_examples=60, **PROPERTY_SETTINGS)
@given(data=st.data())
def test_reading_a_damaged_file_gives_rows_or_a_located_error(tmp_path, key, data):
    """`CsvFile.read` on a damaged real file: rows with every expected column, or an error whose line
    exists in the file."""
    source = FILES[key]
    damage = data.draw(damaged(source))
    target = tmp_path / source.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(damage.content)
    lines = len(re.split(rb"\r\n|\r|\n", damage.content))
    try:
        rows = source.read(tmp_path)
    except ReferenceFileError as error:
        note(str(error))
        event("refusé")
        assert error.file == source.path
        assert str(error).startswith(f"fichier {source.path}")
        assert error.line is None or 1 <= error.line <= lines
    else:
        event("lu")
        assert all(set(source.columns) <= set(row.values) and 1 < row.line <= lines for row in rows)


READERS = {
    "text": lambda row: row.text("valeur"),
    "code": lambda row: row.code("valeur", 5, digits=True),
    "integer": lambda row: row.integer("valeur", required=False),
    "decimal": lambda row: row.decimal("valeur", required=False),
    "coordinate": lambda row: row.coordinate("valeur", -90, 90),
    "siret": lambda row: row.siret("valeur"),
    "uai": lambda row: row.uai("valeur"),
    "school year": lambda row: school_year(row, "valeur"),
}
# What a value must satisfy to be written safely: the limits of the database columns (a
# PositiveIntegerField; IndicatorValue.value has 14 digits, 2 of them decimals).
VALID_RESULTS = {
    "text": lambda value: len(value) <= 250,
    "code": lambda value: re.fullmatch(r"[0-9]{5}", value),
    "integer": lambda value: value is None or 0 <= value <= 2_147_483_647,
    "decimal": lambda value: value is None or (value.is_finite() and abs(value) < 10**12),
    "coordinate": lambda value: value is None or -90 <= value <= 90,
    "siret": lambda value: value == "" or re.fullmatch(r"[0-9]{14}", value),
    "uai": lambda value: uai_error(value) is None,
    "school year": lambda value: re.fullmatch(r"[0-9]{4}-[0-9]{4}", value),
}


@hypothesis_settings(max_examples=300, **PROPERTY_SETTINGS)
@given(
    value=st.one_of(
        st.sampled_from(TRICKY_VALUES),
        st.text(max_size=30),
        st.from_regex(r"-?[0-9]{1,20}([.,][0-9]{0,4})?([eE][+-]?[0-9]{1,10})?", fullmatch=True),
    )
)
def test_typed_readers_give_a_valid_value_or_a_located_error(value):
    """Every typed reader of a cell gives a value the database can hold, or an error at that cell.
    (This is where `Infinity`, `sNaN`, `1e30` or `2022-202³` crashed the import before.)"""
    row = Row(COMMUNES, 7, {"valeur": value})
    for name, read in READERS.items():
        try:
            result = read(row)
        except ReferenceFileError as error:
            assert (error.file, error.line, error.column) == (COMMUNES, 7, "valeur"), name
        else:
            assert VALID_RESULTS[name](result), (name, result)


@pytest.fixture(scope="module")
def small_copy(tmp_path_factory) -> Path:
    """A copy of the real data whose communes file keeps only the communes the other files name (about
    2,000 of 34,969), so that a whole import takes a fraction of a second. Made once for the module."""
    root = tmp_path_factory.mktemp("small") / "data"
    shutil.copytree(DATA, root)
    named = set()
    for path, column in (
        (QPV_COMMUNES, "insee_com"),
        (CITES, "insee_com"),
        (ANNUAIRE, "Code_commune"),
        (COLLEGES, "code_commune"),
    ):
        named |= {record[column] for record in csv_records(path)}
    communes = DataFile(root, COMMUNES)
    communes.lines = [
        communes.lines[0],
        *(line for line in communes.lines[1:-1] if line.split(b",")[0].decode() in named),
        b"",
    ]
    communes.save()
    return root


def test_the_small_copy_holds_the_imported_data(reference_data, small_copy):
    assert len((small_copy / COMMUNES).read_bytes().split(b"\n")) < 3_000
    assert "Aucun changement" in run_import(small_copy)


def ignore(_message) -> None:
    pass


@pytest.mark.parametrize("key", ["qpv_communes", "cites", "dnb"])
@hypothesis_settings(max_examples=30, **PROPERTY_SETTINGS)
@given(data=st.data())
def test_an_import_with_a_damaged_file_succeeds_or_writes_nothing(reference_data, small_copy, key, data):
    """The whole import with one damaged file: it succeeds, or fails with an error in that file and
    leaves the database as it was. The file is restored after each example."""
    source = FILES[key]
    damage = data.draw(damaged(source))
    before = database_state()
    (small_copy / source.path).write_bytes(damage.content)
    try:
        import_reference(small_copy, on_read=ignore, on_write=ignore)
    except ReferenceFileError as error:
        note(str(error))
        event("refusé")
        assert error.file == source.path
        assert database_state() == before
    else:
        event("importé")
    finally:
        (small_copy / source.path).write_bytes(real_bytes(source.path))
