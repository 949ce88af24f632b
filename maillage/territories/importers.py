"""Import of the reference open data (ANCT, INSEE, MENJ-DEPP) that `import_reference` runs.

It works in two phases so that a bad file never leaves half an import behind:
1. **read**: every file is read strictly (UTF-8, expected columns, complete lines, valid codes) and
   cross-checked (a commune's département exists, a school's commune exists…). The first problem
   stops everything with the file, line and column.
2. **write**: in one transaction, each table is brought to the state of the files: rows are created
   or updated only when they differ, so a second run changes nothing and says so.

The files and their quirks are described in shared/data/README.md.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify
from stdnum.fr import siret as stdnum_siret

from maillage.core.validators import siret_error
from maillage.territories.models import (
    Cite,
    Commune,
    Departement,
    Epci,
    Indicator,
    IndicatorValue,
    PeriodKind,
    PriorityNetwork,
    Qpv,
    Region,
    School,
    uai_error,
)
from maillage.territories.signals import cites_imported

# The largest values the database columns hold: a PositiveIntegerField, and IndicatorValue.value
# (14 digits, 2 of them decimals). Larger values are refused on reading, not left to fail on writing.
MAX_INTEGER = 2_147_483_647
MAX_DECIMAL = Decimal(10) ** 12


def name_length(model) -> int:
    """The length of a model's `name` column, so that a longer name is refused on reading."""
    return model._meta.get_field("name").max_length


class ReferenceFileError(Exception):
    """A problem in one reference file, located precisely enough for a person to fix it."""

    def __init__(self, file: str, reason: str, line: int | None = None, column: str | None = None):
        self.file, self.reason, self.line, self.column = file, reason, line, column
        super().__init__(str(self))

    def __str__(self):
        where = [f"fichier {self.file}"]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        return f"{', '.join(where)} : {self.reason}"


class Row:
    """One data line of a CSV file, with typed readers that fail with the line and column."""

    def __init__(self, file: str, line: int, values: dict[str, str]):
        self.file, self.line, self.values = file, line, values

    def error(self, column: str | None, reason: str) -> ReferenceFileError:
        return ReferenceFileError(self.file, reason, self.line, column)

    def text(self, column: str, *, required: bool = True, max_length: int = 250) -> str:
        value = self.values[column].strip()
        if required and not value:
            raise self.error(column, "valeur manquante")
        if len(value) > max_length:
            raise self.error(column, f"valeur trop longue ({len(value)} caractères, {max_length} au plus)")
        return value

    def code(self, column: str, length: int, *, required: bool = True, digits: bool = False) -> str:
        """A code kept as text (INSEE codes keep their leading zeros)."""
        value = self.text(column, required=required)
        if not value:
            return ""
        if len(value) != length or (digits and not (value.isascii() and value.isdigit())):
            kind = "chiffres" if digits else "caractères"
            raise self.error(column, f"« {value} » n'est pas un code de {length} {kind}")
        return value

    def integer(self, column: str, *, required: bool = True) -> int | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            raise self.error(column, f"« {value} » n'est pas un nombre entier") from None
        if not number.is_finite() or number != number.to_integral_value() or number < 0:
            raise self.error(column, f"« {value} » n'est pas un nombre entier positif")
        if number > MAX_INTEGER:
            raise self.error(column, f"« {value} » est un nombre trop grand")
        return int(number)

    def decimal(self, column: str, *, required: bool = True) -> Decimal | None:
        """A decimal number, with a point or a comma; `NS` (not significant) and empty read as None."""
        value = self.text(column, required=False)
        if value.upper() == "NS" or (not value and not required):
            return None
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            raise self.error(column, f"« {value} » n'est pas un nombre") from None
        if not number.is_finite():
            raise self.error(column, f"« {value} » n'est pas un nombre")
        if number.copy_abs() >= MAX_DECIMAL:
            raise self.error(column, f"« {value} » est un nombre trop grand")
        return number

    def coordinate(self, column: str, low: float, high: float) -> float | None:
        value = self.decimal(column, required=False)
        if value is None:
            return None
        if not low <= value <= high:
            raise self.error(column, f"coordonnée {value} hors des bornes [{low}, {high}]")
        return float(value)

    def siret(self, column: str) -> str:
        value = self.text(column, required=False)
        error = siret_error(value) if value else None
        if error:
            raise self.error(column, f"SIRET « {value} » invalide : {error}")
        return stdnum_siret.compact(value)

    def uai(self, column: str) -> str:
        value = self.text(column)
        error = uai_error(value)
        if error:
            raise self.error(column, f"UAI « {value} » invalide : {error}")
        return value


@dataclass(frozen=True)
class CsvFile:
    """A reference CSV file: its path under the data folder, its separator and the columns we read."""

    path: str
    delimiter: str
    columns: tuple[str, ...]

    def read(self, root: Path) -> list[Row]:
        full = root / self.path
        try:
            raw = full.read_bytes()
        except FileNotFoundError:
            raise ReferenceFileError(self.path, "fichier introuvable dans le dossier de données") from None
        text = self._decode(raw)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter, strict=True)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ReferenceFileError(self.path, "fichier vide", 1) from None
        except csv.Error as error:
            raise ReferenceFileError(self.path, f"en-tête illisible ({error})", 1) from None
        missing = [name for name in self.columns if name not in header]
        if missing:
            raise ReferenceFileError(
                self.path,
                f"colonne absente de l'en-tête (séparateur attendu : « {self.delimiter} »)",
                1,
                missing[0],
            )
        rows = []
        line = 1
        try:
            for values in reader:
                line = reader.line_num
                if not values or values == [""]:
                    continue
                if len(values) < len(header):
                    raise ReferenceFileError(
                        self.path,
                        f"ligne incomplète ou tronquée : {len(values)} valeurs au lieu de {len(header)}",
                        line,
                        header[len(values)],
                    )
                if len(values) > len(header):
                    raise ReferenceFileError(
                        self.path,
                        f"{len(values)} valeurs au lieu de {len(header)} (séparateur en trop ?)",
                        line,
                    )
                rows.append(Row(self.path, line, dict(zip(header, values, strict=True))))
        except csv.Error as error:
            raise ReferenceFileError(self.path, f"ligne mal formée ou tronquée ({error})", line + 1) from None
        if not rows:
            # A file cut after its header would otherwise remove every link it holds (sync_links).
            raise ReferenceFileError(self.path, "aucune ligne de données après l'en-tête (fichier tronqué ?)", 1)
        return rows

    def _decode(self, raw: bytes) -> str:
        try:
            # Not "utf-8-sig": its error positions do not count the BOM.
            return raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as error:
            line_start = raw.rfind(b"\n", 0, error.start) + 1
            line = raw.count(b"\n", 0, error.start) + 1
            before = raw[line_start : error.start].decode("utf-8", errors="replace")
            header = raw.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").split(self.delimiter)
            position = before.count(self.delimiter)
            column = header[position].strip() if position < len(header) else None
            raise ReferenceFileError(
                self.path,
                f"encodage invalide : l'octet 0x{raw[error.start]:02x} n'est pas de l'UTF-8 "
                "(réenregistrez le fichier en UTF-8)",
                line,
                column,
            ) from None


FILES = {
    "regions": CsvFile("cog/regions_2026.csv", ",", ("code", "nom")),
    "departements": CsvFile("cog/departements_2026.csv", ",", ("code", "region", "nom")),
    "epci": CsvFile("cog/epci_2026.csv", ",", ("code", "nom", "type")),
    "ept": CsvFile("cog/ept_membres_2026.csv", ",", ("ept_siren", "ept_nom", "code_insee")),
    "communes": CsvFile(
        "cog/communes_2026.csv",
        ",",
        ("code_insee", "nom", "departement", "codes_postaux", "population", "epci_siren", "ept_siren"),
    ),
    "qpv": CsvFile("qpv/qpv2024_liste.csv", ",", ("code_qp", "lib_qp", "insee_dep")),
    "qpv_communes": CsvFile("qpv/qpv2024_communes.csv", ",", ("code_qp", "insee_com")),
    "cites": CsvFile(
        "cites_educatives/cites_educatives_communes.csv",
        ",",
        ("id_cite", "lib_cite", "insee_com", "lot_numerotation"),
    ),
    "ecoles": CsvFile(
        "education/annuaire_education_94_ecoles_publiques.csv",
        ";",
        (
            "Identifiant_de_l_etablissement",
            "Nom_etablissement",
            "Statut_public_prive",
            "Adresse_1",
            "Code_postal",
            "Code_commune",
            "Appartenance_Education_Prioritaire",
            "nom_circonscription",
            "latitude",
            "longitude",
            "libelle_nature",
            "SIREN_SIRET",
        ),
    ),
    "colleges": CsvFile(
        "education/geoloc_colleges_dep94.csv",
        ";",
        (
            "numero_uai",
            "appellation_officielle",
            "secteur_public_prive_libe",
            "adresse_uai",
            "code_postal_uai",
            "code_commune",
            "latitude",
            "longitude",
        ),
    ),
    "dnb": CsvFile(
        "education/dnb_effectifs_colleges_2021_dep94.csv",
        ",",
        (
            "numero_college",
            "session",
            "presents",
            "admis",
            "nombre_d_admis_mention_ab",
            "admis_mention_bien",
            "admis_mention_tres_bien",
            "taux_de_reussite",
            "rep",
            "rep_plus",
        ),
    ),
    "ips_colleges": CsvFile(
        "education/fr-en-ips-colleges-ap2022.csv",
        ";",
        ("Rentrée scolaire", "Code du département", "UAI", "Effectifs", "IPS"),
    ),
    "ips_ecoles": CsvFile(
        "education/ips_ecoles_dep94_2022-2025.csv",
        ";",
        ("rentree_scolaire", "uai", "ips", "ips_departemental", "ips_national", "code_du_departement"),
    ),
}
CITES_GEOJSON = "cites_educatives/citeduc_geom_anct_2023.geojson"


# The national school indicators fed by the open data (code → definition).
SCHOOL_INDICATORS = {
    "ips_ecole": {
        "label": "Indice de position sociale (IPS) de l'école",
        "definition": "Moyenne de l'indice de position sociale des élèves de l'école (DEPP). "
        "Les références départementale et nationale sont celles publiées par la DEPP.",
        "unit": "indice",
        "direction": Indicator.Direction.NEUTRAL,
        "min_value": 0,
        "max_value": 200,
    },
    "ips_college": {
        "label": "Indice de position sociale (IPS) du collège",
        "definition": "Moyenne de l'indice de position sociale des élèves du collège (DEPP). "
        "Les références départementale et nationale sont les moyennes des collèges pondérées par "
        "leurs effectifs, calculées par Maillage à partir du même fichier.",
        "unit": "indice",
        "direction": Indicator.Direction.NEUTRAL,
        "min_value": 0,
        "max_value": 200,
    },
    "dnb_presents": {
        "label": "Candidats présents au diplôme national du brevet",
        "definition": "Élèves présents aux épreuves du DNB (session de juin de l'année scolaire).",
        "unit": "élèves",
        "direction": Indicator.Direction.NEUTRAL,
        "decimals": 0,
        "min_value": 0,
    },
    "dnb_admis": {
        "label": "Admis au diplôme national du brevet",
        "definition": "Élèves admis au DNB.",
        "unit": "élèves",
        "direction": Indicator.Direction.UP,
        "decimals": 0,
        "min_value": 0,
    },
    "dnb_admis_mention": {
        "label": "Admis au brevet avec mention",
        "definition": "Élèves admis au DNB avec une mention assez bien, bien ou très bien.",
        "unit": "élèves",
        "direction": Indicator.Direction.UP,
        "decimals": 0,
        "min_value": 0,
    },
    "dnb_taux_reussite": {
        "label": "Taux de réussite au diplôme national du brevet",
        "definition": "Admis rapportés aux présents (DEPP). La référence départementale est calculée par "
        "Maillage : total des admis sur total des présents des collèges du département.",
        "unit": "%",
        "direction": Indicator.Direction.UP,
        "min_value": 0,
        "max_value": 100,
    },
}

# Where each value comes from (the value's period is stored beside it).
IPS_COLLEGES_ORIGIN = "DEPP — IPS des collèges, rentrée 2022"
IPS_COLLEGES_REFERENCE_ORIGIN = (
    "Moyenne des collèges pondérée par leurs effectifs, calculée d'après DEPP — IPS des collèges"
)
IPS_ECOLES_ORIGIN = "DEPP — IPS des écoles du Val-de-Marne, rentrées 2022 à 2024"
DNB_ORIGIN = "DEPP — résultats du DNB par collège, session 2021"
DNB_REFERENCE_ORIGIN = "Total des admis sur total des présents, calculé d'après DEPP — résultats du DNB par collège"

# A value's subject: ("school", uai), ("departement", code) or ("national", "").
ValueKey = tuple[str, str, str, str]  # indicator code, subject kind, subject key, period


@dataclass
class ReferenceData:
    """Everything read from the files, validated and keyed by natural codes, ready to be written."""

    regions: dict[str, dict] = field(default_factory=dict)
    departements: dict[str, dict] = field(default_factory=dict)
    epcis: dict[str, dict] = field(default_factory=dict)
    communes: dict[str, dict] = field(default_factory=dict)
    qpvs: dict[str, dict] = field(default_factory=dict)
    qpv_communes: set[tuple[str, str]] = field(default_factory=set)
    cites: dict[str, dict] = field(default_factory=dict)
    cite_communes: set[tuple[str, str]] = field(default_factory=set)
    schools: dict[str, dict] = field(default_factory=dict)
    values: dict[ValueKey, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def normalise_departement(code: str) -> str:
    """Education files write `094` where the COG writes `94` (and `971` stays `971`)."""
    return code[1:] if len(code) == 3 and code.startswith("0") else code


def school_year(row: Row, column: str) -> str:
    value = row.text(column)
    start, _, end = value.partition("-")
    if not (value.isascii() and start.isdigit() and end.isdigit() and len(start) == 4 and int(end) == int(start) + 1):
        raise row.error(column, f"« {value} » n'est pas une année scolaire (attendu : 2022-2023)")
    return value


class ReferenceReader:
    """Phase 1: reads and checks every file into a `ReferenceData`."""

    def __init__(self, root: Path, progress: Callable[[str], None]):
        self.root, self.progress, self.data = root, progress, ReferenceData()
        self.read_files: dict[str, list[Row]] = {}

    def rows(self, key: str) -> list[Row]:
        """The rows of one of FILES, read once."""
        if key not in self.read_files:
            source = FILES[key]
            self.read_files[key] = source.read(self.root)
            self.progress(f"{source.path} : {len(self.read_files[key])} lignes lues")
        return self.read_files[key]

    def read(self) -> ReferenceData:
        self.read_administrative()
        self.read_qpvs()
        self.read_cites()
        self.read_schools()
        self.read_school_indicators()
        return self.data

    def read_administrative(self) -> None:
        data = self.data
        for row in self.rows("regions"):
            data.regions[row.text("code", max_length=3)] = {"name": row.text("nom", max_length=name_length(Region))}
        for row in self.rows("departements"):
            region = row.text("region")
            if region not in data.regions:
                raise row.error("region", f"région « {region} » absente de {FILES['regions'].path}")
            data.departements[row.text("code", max_length=3)] = {
                "name": row.text("nom", max_length=name_length(Departement)),
                "region": region,
            }
        kinds = {kind.value for kind in Epci.Kind}
        for row in self.rows("epci"):
            kind = row.text("type")
            if kind not in kinds:
                raise row.error("type", f"nature d'EPCI « {kind} » inconnue")
            data.epcis[row.code("code", 9, digits=True)] = {
                "name": row.text("nom", max_length=name_length(Epci)),
                "kind": kind,
            }
        for row in self.rows("ept"):
            data.epcis[row.code("ept_siren", 9, digits=True)] = {
                "name": row.text("ept_nom", max_length=name_length(Epci)),
                "kind": "EPT",
            }
        for row in self.rows("communes"):
            departement = row.text("departement")
            if departement not in data.departements:
                raise row.error("departement", f"département « {departement} » inconnu")
            epci = row.code("epci_siren", 9, required=False, digits=True)
            ept = row.code("ept_siren", 9, required=False, digits=True)
            for column, siren in (("epci_siren", epci), ("ept_siren", ept)):
                if siren and siren not in data.epcis:
                    raise row.error(column, f"EPCI ou EPT « {siren} » inconnu")
            data.communes[row.code("code_insee", 5)] = {
                "name": row.text("nom", max_length=name_length(Commune)),
                "departement": departement,
                "epci": epci or None,
                "ept": ept or None,
                "population": row.integer("population", required=False),
                "postal_codes": row.text("codes_postaux", required=False, max_length=200).replace("|", " "),
            }

    def read_qpvs(self) -> None:
        data = self.data
        for row in self.rows("qpv"):
            departement = row.text("insee_dep")
            if departement not in data.departements:
                raise row.error("insee_dep", f"département « {departement} » inconnu")
            data.qpvs[row.code("code_qp", 8)] = {
                "name": row.text("lib_qp", max_length=name_length(Qpv)),
                "departement": departement,
            }
        for row in self.rows("qpv_communes"):
            qpv, commune = row.code("code_qp", 8), row.code("insee_com", 5)
            if qpv not in data.qpvs:
                raise row.error("code_qp", f"QPV « {qpv} » absent de {FILES['qpv'].path}")
            if commune not in data.communes:
                raise row.error("insee_com", f"commune « {commune} » inconnue")
            data.qpv_communes.add((qpv, commune))
        without_commune = sorted(set(data.qpvs) - {qpv for qpv, _ in data.qpv_communes})
        if without_commune:
            raise ReferenceFileError(
                FILES["qpv_communes"].path,
                f"{len(without_commune)} QPV de {FILES['qpv'].path} n'ont aucune commune ici "
                f"({', '.join(without_commune[:5])}…) : fichier incomplet ?",
            )

    def read_cites(self) -> None:
        data = self.data
        for row in self.rows("cites"):
            anct_id, commune = row.text("id_cite", max_length=12), row.code("insee_com", 5)
            if commune not in data.communes:
                raise row.error("insee_com", f"commune « {commune} » inconnue")
            wave = row.integer("lot_numerotation")
            if wave not in Cite.Wave.values:
                raise row.error("lot_numerotation", f"vague « {wave} » inconnue (1 à 4)")
            name = row.text("lib_cite", max_length=name_length(Cite))
            cite = {
                "name": name,
                "slug": slugify(name)[:80] or anct_id,
                "wave": wave,
                "latitude": None,
                "longitude": None,
            }
            known = data.cites.setdefault(anct_id, cite)
            if (known["name"], known["wave"]) != (cite["name"], cite["wave"]):
                raise row.error("lib_cite", f"la cité {anct_id} porte deux noms ou deux vagues différents")
            data.cite_communes.add((anct_id, commune))
        self.read_cite_locations()

    def read_cite_locations(self) -> None:
        """The ANCT GeoJSON gives each cité a point (the mean of its communes' centroids)."""
        path = self.root / CITES_GEOJSON
        try:
            collection = json.loads(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            raise ReferenceFileError(CITES_GEOJSON, "fichier introuvable dans le dossier de données") from None
        except UnicodeDecodeError:
            raise ReferenceFileError(CITES_GEOJSON, "encodage invalide (UTF-8 attendu)") from None
        except json.JSONDecodeError as error:
            raise ReferenceFileError(
                CITES_GEOJSON, f"JSON invalide ({error.msg}, caractère {error.colno})", error.lineno
            ) from None
        features = collection.get("features") if isinstance(collection, dict) else None
        if not isinstance(features, list):
            raise ReferenceFileError(CITES_GEOJSON, "pas de liste « features » (FeatureCollection attendue)")
        for number, feature in enumerate(features, start=1):
            try:
                ids = [part.strip() for part in feature["properties"]["id_territoire"].split(";")]
                points = list(geometry_points(feature["geometry"]))
            except (KeyError, TypeError, ValueError, AttributeError):
                raise ReferenceFileError(
                    CITES_GEOJSON, f"entité n° {number} mal formée", column="id_territoire"
                ) from None
            for anct_id in ids:
                if anct_id in self.data.cites and points:
                    self.data.cites[anct_id]["longitude"] = round(sum(p[0] for p in points) / len(points), 6)
                    self.data.cites[anct_id]["latitude"] = round(sum(p[1] for p in points) / len(points), 6)
        self.progress(f"{CITES_GEOJSON} : {len(features)} entités lues")

    def read_schools(self) -> None:
        data = self.data
        networks = {"": PriorityNetwork.NONE, "REP": PriorityNetwork.REP, "REP+": PriorityNetwork.REP_PLUS}
        for row in self.rows("ecoles"):
            uai = row.uai("Identifiant_de_l_etablissement")
            network = row.text("Appartenance_Education_Prioritaire", required=False)
            if network not in networks:
                raise row.error("Appartenance_Education_Prioritaire", f"« {network} » : REP, REP+ ou vide attendu")
            nature = row.text("libelle_nature")
            kind = School.Kind.NURSERY if "MATERNELLE" in nature else School.Kind.PRIMARY
            data.schools[uai] = self.school(row, "Code_commune") | {
                "name": row.text("Nom_etablissement", max_length=200),
                "kind": kind,
                "sector": self.sector(row, "Statut_public_prive"),
                "priority_network": networks[network],
                "siret": row.siret("SIREN_SIRET"),
                "address": row.text("Adresse_1", required=False),
                "postal_code": row.code("Code_postal", 5, required=False, digits=True),
                "circonscription": row.text("nom_circonscription", required=False, max_length=200),
            }
        networks_2021 = {}
        for row in self.rows("dnb"):
            rep, rep_plus = row.integer("rep"), row.integer("rep_plus")
            if rep not in (0, 1) or rep_plus not in (0, 1):
                raise row.error("rep", "les colonnes rep et rep_plus valent 0 ou 1")
            networks_2021[row.uai("numero_college")] = (
                PriorityNetwork.REP_PLUS if rep_plus else PriorityNetwork.REP if rep else PriorityNetwork.NONE
            )
        for row in self.rows("colleges"):
            uai = row.uai("numero_uai")
            data.schools[uai] = self.school(row, "code_commune") | {
                "name": row.text("appellation_officielle", max_length=200),
                "kind": School.Kind.COLLEGE,
                "sector": self.sector(row, "secteur_public_prive_libe"),
                "priority_network": networks_2021.get(uai, PriorityNetwork.NONE),
                "siret": "",
                "address": row.text("adresse_uai", required=False),
                "postal_code": row.code("code_postal_uai", 5, required=False, digits=True),
                "circonscription": "",
            }
        unknown = set(networks_2021) - set(data.schools)
        if unknown:
            raise ReferenceFileError(
                FILES["dnb"].path,
                f"collèges absents de {FILES['colleges'].path} : {', '.join(sorted(unknown))}",
            )

    def school(self, row: Row, commune_column: str) -> dict:
        commune = row.code(commune_column, 5)
        if commune not in self.data.communes:
            raise row.error(commune_column, f"commune « {commune} » inconnue")
        return {
            "commune": commune,
            "latitude": row.coordinate("latitude", -90, 90),
            "longitude": row.coordinate("longitude", -180, 180),
        }

    @staticmethod
    def sector(row: Row, column: str) -> str:
        value = row.text(column).lower()
        if value == "public":
            return School.Sector.PUBLIC
        if value in ("privé", "prive"):
            return School.Sector.PRIVATE
        raise row.error(column, f"secteur « {value} » : Public ou Privé attendu")

    def read_school_indicators(self) -> None:
        self.read_college_ips()
        self.read_ecole_ips()
        self.read_dnb()

    def add_value(self, code: str, subject: tuple[str, str], period: str, value: Decimal, origin: str) -> None:
        self.data.values[(code, subject[0], subject[1], period)] = {
            "value": value.quantize(Decimal("0.01")),
            "origin": origin,
        }

    def read_college_ips(self) -> None:
        """IPS of every collège of France: values for the collèges we know, and effectif-weighted
        references for each département and for the country."""
        totals: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for row in self.rows("ips_colleges"):
            uai, year = row.uai("UAI"), school_year(row, "Rentrée scolaire")
            departement = normalise_departement(row.text("Code du département"))
            if departement not in self.data.departements:
                raise row.error("Code du département", f"département « {departement} » inconnu")
            ips, pupils = row.decimal("IPS", required=False), row.decimal("Effectifs", required=False)
            if pupils is not None and pupils < 0:
                raise row.error("Effectifs", f"effectif négatif ({pupils})")
            if ips is None:
                continue
            if uai in self.data.schools:
                self.add_value("ips_college", ("school", uai), year, ips, IPS_COLLEGES_ORIGIN)
            if pupils:
                for subject in (("departement", departement), ("national", "")):
                    totals[(subject, year)][0] += ips * pupils
                    totals[(subject, year)][1] += pupils
        for (subject, year), (weighted, pupils) in totals.items():
            self.add_value("ips_college", subject, year, weighted / pupils, IPS_COLLEGES_REFERENCE_ORIGIN)

    def read_ecole_ips(self) -> None:
        skipped = 0
        for row in self.rows("ips_ecoles"):
            uai, year = row.uai("uai"), school_year(row, "rentree_scolaire")
            departement = normalise_departement(row.text("code_du_departement"))
            if departement not in self.data.departements:
                raise row.error("code_du_departement", f"département « {departement} » inconnu")
            origin = IPS_ECOLES_ORIGIN
            for column, subject in (
                ("ips_departemental", ("departement", departement)),
                ("ips_national", ("national", "")),
            ):
                reference = row.decimal(column, required=False)
                if reference is not None:
                    self.add_value("ips_ecole", subject, year, reference, origin)
            ips = row.decimal("ips", required=False)
            if uai not in self.data.schools:
                skipped += 1
            elif ips is not None:
                self.add_value("ips_ecole", ("school", uai), year, ips, origin)
        if skipped:
            self.data.notes.append(
                f"{skipped} lignes de {FILES['ips_ecoles'].path} concernent des écoles absentes de l'annuaire "
                "des écoles publiques (écoles privées pour la plupart) : ignorées."
            )

    def read_dnb(self) -> None:
        totals: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for row in self.rows("dnb"):
            uai = row.uai("numero_college")
            session = row.integer("session")
            if not 1990 <= session <= 2100:
                raise row.error("session", f"session « {session} » : une année est attendue (2021)")
            year = f"{session - 1}-{session}"
            origin = DNB_ORIGIN
            presents, admis = row.integer("presents"), row.integer("admis")
            mentions = sum(
                row.integer(column)
                for column in ("nombre_d_admis_mention_ab", "admis_mention_bien", "admis_mention_tres_bien")
            )
            if admis > presents or mentions > admis:
                raise row.error("admis", "plus d'admis que de présents, ou plus de mentions que d'admis")
            rate = row.decimal("taux_de_reussite", required=False)
            if rate is not None and not 0 <= rate <= 100:
                raise row.error("taux_de_reussite", f"taux {rate} hors de 0 à 100")
            subject = ("school", uai)
            self.add_value("dnb_presents", subject, year, Decimal(presents), origin)
            self.add_value("dnb_admis", subject, year, Decimal(admis), origin)
            self.add_value("dnb_admis_mention", subject, year, Decimal(mentions), origin)
            if rate is not None:
                self.add_value("dnb_taux_reussite", subject, year, rate, origin)
            departement = self.data.schools[uai]["commune"]
            departement = self.data.communes[departement]["departement"]
            totals[(departement, year)][0] += admis
            totals[(departement, year)][1] += presents
        for (departement, year), (admis, presents) in totals.items():
            if presents:
                rate = admis * 100 / presents
                self.add_value("dnb_taux_reussite", ("departement", departement), year, rate, DNB_REFERENCE_ORIGIN)


def geometry_points(geometry: dict) -> Iterable[tuple[float, float]]:
    """Every (longitude, latitude) of a Point, MultiPoint or GeometryCollection of those."""
    kind = geometry["type"]
    if kind == "Point":
        longitude, latitude = geometry["coordinates"][:2]
        yield float(longitude), float(latitude)
    elif kind == "MultiPoint":
        for longitude, latitude, *_ in geometry["coordinates"]:
            yield float(longitude), float(latitude)
    elif kind == "GeometryCollection":
        for part in geometry["geometries"]:
            yield from geometry_points(part)
    else:
        raise ValueError(kind)


# ---------------------------------------------------------------------------------------------
# Phase 2: writing.


@dataclass
class Counts:
    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def upsert(label: str, model, key_fields: tuple[str, ...], records: dict[tuple, dict]) -> Counts:
    """Bring `model` to `records` ({natural key: field values}): create what is missing, update what
    differs, leave the rest (rows absent from the files are kept: other data may point at them)."""
    fields = list(next(iter(records.values())).keys()) if records else []
    existing = {
        tuple(row[name] for name in key_fields): row for row in model.objects.values("pk", *key_fields, *fields)
    }
    to_create, to_update, changed_fields = [], [], set()
    for key, values in records.items():
        current = existing.get(key)
        if current is None:
            to_create.append(model(**dict(zip(key_fields, key, strict=True)), **values))
            continue
        differing = [name for name, value in values.items() if current[name] != value]
        if differing:
            to_update.append(model(pk=current["pk"], **dict(zip(key_fields, key, strict=True)), **values))
            changed_fields.update(differing)
    model.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=500)
    return Counts(label, len(to_create), len(to_update), len(records) - len(to_create) - len(to_update))


def sync_links(label: str, relation, desired: set[tuple[int, int]], scope: set[int] | None = None) -> Counts:
    """Make a many-to-many relation hold exactly `desired` (owner id, target id) pairs, for the owners
    in `scope` (all owners when None)."""
    through = relation.through
    owner, target = relation.field.m2m_field_name() + "_id", relation.field.m2m_reverse_field_name() + "_id"
    rows = through.objects.all()
    if scope is not None:
        rows = rows.filter(**{f"{owner}__in": scope})
        desired = {pair for pair in desired if pair[0] in scope}
    existing = {(a, b): pk for pk, a, b in rows.values_list("pk", owner, target)}
    missing = desired - set(existing)
    extra = [pk for pair, pk in existing.items() if pair not in desired]
    through.objects.bulk_create([through(**{owner: a, target: b}) for a, b in missing], batch_size=1000)
    for start in range(0, len(extra), 500):
        through.objects.filter(pk__in=extra[start : start + 500]).delete()
    return Counts(label, len(missing), 0, len(desired) - len(missing), len(extra))


def ids(model, key: str) -> dict[str, int]:
    return dict(model.objects.values_list(key, "pk"))


def check_against_database(data: ReferenceData) -> None:
    """Cités are never deleted. One already imported but missing from the file means a cut file or a
    withdrawn label: both need a person, not an import that would strip the cité of its communes."""
    missing = sorted(set(Cite.objects.values_list("anct_id", flat=True)) - set(data.cites))
    if missing:
        raise ReferenceFileError(
            FILES["cites"].path,
            f"{len(missing)} cités déjà importées en sont absentes ({', '.join(missing[:5])}) : fichier incomplet ?",
        )


def write(data: ReferenceData, progress: Callable[[Counts], None]) -> list[Counts]:
    """Phase 2: write everything in one transaction, in dependency order."""
    report: list[Counts] = []

    def step(counts: Counts) -> None:
        report.append(counts)
        progress(counts)

    with transaction.atomic():
        step(upsert("Régions", Region, ("code",), {(k,): v for k, v in data.regions.items()}))
        regions = ids(Region, "code")
        step(
            upsert(
                "Départements",
                Departement,
                ("code",),
                {(k,): {"name": v["name"], "region_id": regions[v["region"]]} for k, v in data.departements.items()},
            )
        )
        departements = ids(Departement, "code")
        step(upsert("EPCI et EPT", Epci, ("siren",), {(k,): v for k, v in data.epcis.items()}))
        epcis = ids(Epci, "siren")
        step(
            upsert(
                "Communes",
                Commune,
                ("insee_code",),
                {
                    (k,): {
                        "name": v["name"],
                        "departement_id": departements[v["departement"]],
                        "epci_id": epcis.get(v["epci"]),
                        "ept_id": epcis.get(v["ept"]),
                        "population": v["population"],
                        "postal_codes": v["postal_codes"],
                    }
                    for k, v in data.communes.items()
                },
            )
        )
        communes = ids(Commune, "insee_code")
        step(
            upsert(
                "Quartiers prioritaires",
                Qpv,
                ("code",),
                {
                    (k,): {"name": v["name"], "departement_id": departements[v["departement"]]}
                    for k, v in data.qpvs.items()
                },
            )
        )
        qpvs = ids(Qpv, "code")
        step(sync_links("Communes des QPV", Qpv.communes, {(qpvs[q], communes[c]) for q, c in data.qpv_communes}))
        step(upsert("Cités éducatives", Cite, ("anct_id",), {(k,): v for k, v in data.cites.items()}))
        cites = ids(Cite, "anct_id")
        cites_imported.send(sender=Cite, cite_ids=list(cites.values()))
        step(sync_links("Communes des cités", Cite.communes, {(cites[a], communes[c]) for a, c in data.cite_communes}))
        step(
            upsert(
                "Établissements scolaires",
                School,
                ("uai",),
                {
                    (k,): {
                        **{f: x for f, x in v.items() if f != "commune"},
                        "commune_id": communes[v["commune"]],
                    }
                    for k, v in data.schools.items()
                },
            )
        )
        report.extend(write_derived_perimeters(progress))
        step(write_indicators())
        step(write_values(data, departements))
    return report


def write_derived_perimeters(progress: Callable[[Counts], None]) -> list[Counts]:
    """A cité's QPVs are those of its communes; its schools, the priority-network (REP, REP+) schools
    of its communes. Only for cités whose perimeter nobody has edited by hand."""
    derived = set(Cite.objects.filter(perimeter_edited_at__isnull=True).values_list("pk", flat=True))
    qpv_links = set(
        Cite.communes.through.objects.filter(cite_id__in=derived)
        .filter(commune__qpvs__isnull=False)
        .values_list("cite_id", "commune__qpvs")
    )
    school_links = set(
        Cite.communes.through.objects.filter(cite_id__in=derived)
        .filter(commune__schools__priority_network__in=[PriorityNetwork.REP, PriorityNetwork.REP_PLUS])
        .values_list("cite_id", "commune__schools")
    )
    results = [
        sync_links("QPV des cités (déduits des communes)", Cite.qpvs, qpv_links, derived),
        sync_links("Écoles des cités (REP et REP+ des communes)", Cite.schools, school_links, derived),
    ]
    for counts in results:
        progress(counts)
    return results


def write_indicators() -> Counts:
    records = {
        (code,): {
            "decimals": 2,
            "min_value": None,
            "max_value": None,
            **definition,
            "source": Indicator.Source.OPEN_DATA,
            "level": Indicator.Level.SCHOOL,
            "period_kind": PeriodKind.SCHOOL_YEAR,
        }
        for code, definition in SCHOOL_INDICATORS.items()
    }
    return upsert("Indicateurs (catalogue national)", Indicator, ("code",), records)


def write_values(data: ReferenceData, departements: dict[str, int]) -> Counts:
    indicators = ids(Indicator, "code")
    schools = ids(School, "uai")
    records = {}
    for (code, kind, key, period), values in data.values.items():
        subject = {
            "school_id": schools[key] if kind == "school" else None,
            "cite_id": None,
            "departement_id": departements[key] if kind == "departement" else None,
        }
        records[(indicators[code], subject["school_id"], subject["cite_id"], subject["departement_id"], period)] = (
            values
        )
    return upsert(
        "Valeurs d'indicateurs (IPS, brevet)",
        IndicatorValue,
        ("indicator_id", "school_id", "cite_id", "departement_id", "period"),
        records,
    )


def import_reference(root: Path, *, on_read: Callable[[str], None], on_write: Callable[[Counts], None]):
    """Read and check every file, then write them all in one transaction. Returns (report, notes)."""
    data = ReferenceReader(root, on_read).read()
    check_against_database(data)
    on_read("Tous les fichiers sont valides. Écriture en une seule transaction…")
    return write(data, on_write), data.notes
