"""Import of partner organisations and their contacts from a CSV or XLSX file.

Every import previews, validates every line, then writes in one transaction (ARCHITECTURE.md):

1. **upload** (`start_import`): the file is checked by extension, size and content (`read_table` reads its
   header and first lines) and stored under MEDIA_ROOT/imports/partners/;
2. **mapping** (`map_columns`): the coordinator says which column holds which field. The mapping is
   remembered per cité (`ImportMapping`) and guessed from the headers the first time (`guess_mapping`);
3. **analysis** (`run_analysis`, a background task): every line is read, validated and matched against the
   directory and the earlier lines of the file. The preview says for each line whether it creates an
   organisation, updates an existing one, repeats an earlier line, or is rejected, and why. Nothing is
   written to the directory;
4. **confirmation** (`confirm_import`, then `run_apply`, a background task): each line is checked again
   against the directory as it is now, and everything is written in one transaction with one
   PARTNERS_IMPORTED event. Any problem cancels the whole import.

Duplicates of an existing organisation are found on SIRET, RNA, then normalised name + commune
(`name_key`: accents, case and punctuation do not count).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

import filetype
import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl.utils import get_column_letter

from maillage.core.events import record_event
from maillage.core.models import Theme, Verb
from maillage.core.validators import rna_error, siren_error, siret_error
from maillage.partners.models import (
    Contact,
    ImportMapping,
    ImportOutcome,
    ImportStatus,
    Organisation,
    OrganisationKind,
    PartnerImport,
    name_key,
)
from maillage.partners.services import compact, phone_error
from maillage.territories.models import Commune

MAX_ROWS = 20_000
MAX_COLUMNS = 200
SAMPLE_SIZE = 3
CHUNK_SIZE = 200  # lines analysed between two progress reports (and per batch of directory look-ups)
MAX_DESCRIPTION = 10_000


class PartnerImportError(Exception):
    """A problem the person who imports can fix; the message is in French and says what to do."""


class ImportFileError(PartnerImportError):
    """The file cannot be read as a table."""


class ImportConflictError(PartnerImportError):
    """The directory changed between the preview and the confirmation: nothing was written."""


# --- Reading ------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A file read as a table: its headers, then its non-empty data lines with their line number (the
    header is line 1, as a spreadsheet shows it)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMATS_HELP = "Enregistrez le tableau au format « CSV UTF-8 » ou « Classeur Excel (.xlsx) »."


def read_table(file_name: str, data: bytes, *, limit: int | None = None) -> Table:
    """Read a CSV (UTF-8, UTF-8 with BOM or Windows-1252; `;` or `,`) or XLSX file. With `limit`, stop after
    that many data lines (the upload reads the header and a sample only). Raises ImportFileError."""
    extension = file_name.lower().rsplit(".", 1)[-1] if "." in file_name else ""
    if extension == "xlsx":
        guessed = filetype.guess(data)
        if guessed is None or guessed.extension != "xlsx":
            raise ImportFileError(
                f"Le fichier « {file_name} » porte l'extension .xlsx mais ce n'est pas un classeur Excel. "
                + FORMATS_HELP
            )
        lines = xlsx_lines(data, limit)
    elif extension == "csv":
        lines = csv_lines(file_name, data, limit)
    else:
        raise ImportFileError(
            f"Le fichier « {file_name} » n'est ni un CSV (.csv) ni un classeur Excel (.xlsx). "
            "Un classeur .xls ou .ods s'enregistre en .xlsx depuis le tableur."
        )
    return table_from_lines(lines, limit)


def decode_text(file_name: str, data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252; never binary content."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(f"Le fichier « {file_name} » est encodé en UTF-16. {FORMATS_HELP}")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not CONTROL_CHARACTERS.search(text):
            return text
        break
    guessed = filetype.guess(data)
    what = f" (son contenu est celui d'un fichier {guessed.extension.upper()})" if guessed else ""
    raise ImportFileError(f"Le fichier « {file_name} » n'est pas un fichier texte CSV{what}. {FORMATS_HELP}")


def csv_lines(file_name: str, data: bytes, limit: int | None) -> list[list[str]]:
    text = decode_text(file_name, data)
    if not text.strip():
        raise ImportFileError("Le fichier est vide.")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    semicolons, commas = first_line.count(";"), first_line.count(",")
    if not semicolons and not commas:
        raise ImportFileError(
            f"Le fichier « {file_name} » n'a qu'une colonne : les colonnes d'un CSV sont séparées par « ; » ou « , »."
        )
    delimiter = ";" if semicolons >= commas else ","
    lines = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            lines.append(cells)
            if too_many_lines(lines, limit):
                break
    except csv.Error as error:
        raise ImportFileError(
            f"Le fichier « {file_name} » est un CSV mal formé à la ligne {len(lines) + 1} ({error}). {FORMATS_HELP}"
        ) from error
    return lines


def xlsx_lines(data: bytes, limit: int | None) -> list[list[object]]:
    """The lines of the first sheet, streamed (openpyxl's read-only mode)."""
    unreadable = "Le classeur Excel est illisible ou abîmé : ouvrez-le dans le tableur et enregistrez-le de nouveau."
    lines = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged zip or XML raises many kinds of errors inside openpyxl
        raise ImportFileError(unreadable) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError("Le classeur Excel ne contient aucune feuille de calcul.")
        for cells in workbook.worksheets[0].iter_rows(values_only=True):
            lines.append(list(cells[: MAX_COLUMNS + 1]))
            if too_many_lines(lines, limit):
                break
    except ImportFileError:
        raise
    except Exception as error:  # same as above, while reading the sheet
        raise ImportFileError(unreadable) from error
    finally:
        workbook.close()
    return lines


def too_many_lines(lines: list, limit: int | None) -> bool:
    """Stop reading: enough lines for the sample, or more than the import accepts."""
    if limit is not None:
        return len(lines) > limit
    if len(lines) > MAX_ROWS + 1:
        raise ImportFileError(f"Le fichier compte plus de {MAX_ROWS:,} lignes : découpez-le en plusieurs fichiers.")
    return False


def table_from_lines(lines: list[list[object]], limit: int | None) -> Table:
    if not lines:
        raise ImportFileError("Le fichier est vide.")
    headers = [cell_text(cell) for cell in lines[0]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ImportFileError("La première ligne du fichier doit donner le nom des colonnes ; elle est vide.")
    if len(headers) > MAX_COLUMNS:
        raise ImportFileError(f"Le fichier compte plus de {MAX_COLUMNS} colonnes : retirez celles qui sont inutiles.")
    headers = [header or f"Colonne {get_column_letter(index + 1)}" for index, header in enumerate(headers)]
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        values = [cell_text(cell) for cell in cells[: len(headers)]]
        if any(values):
            rows.append((number, values + [""] * (len(headers) - len(values))))
    return Table(headers, rows[:limit] if limit is not None else rows)


def cell_text(value: object) -> str:
    """A cell as text: numbers without a useless `.0`, dates in ISO form, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return CONTROL_CHARACTERS.sub("", str(value)).strip()


# --- Target fields and the column mapping ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A field the file can fill, with the header names (as `name_key`s) that suggest it."""

    name: str
    label: str
    group: str
    synonyms: tuple[str, ...] = ()
    help_text: str = ""


ORGANISATION, ADDRESS, CONTACT = "La structure", "Son adresse", "Un contact de la structure (facultatif)"
TARGETS = (
    Target(
        "name",
        "Nom de la structure",
        ORGANISATION,
        ("nom", "nom de la structure", "raison sociale", "denomination", "structure", "organisme", "organisation"),
    ),
    Target(
        "kind",
        "Type de structure",
        ORGANISATION,
        ("type", "type de structure", "categorie", "nature", "statut"),
        "Association, Service municipal, Collège… (sans tenir compte des accents ni des majuscules).",
    ),
    Target("siret", "SIRET", ORGANISATION, ("siret", "n siret", "ndeg siret", "no siret", "numero siret")),
    Target("siren", "SIREN", ORGANISATION, ("siren", "n siren", "ndeg siren", "no siren", "numero siren")),
    Target("rna", "Numéro RNA", ORGANISATION, ("rna", "n rna", "ndeg rna", "no rna", "numero rna")),
    Target(
        "themes",
        "Thématiques",
        ORGANISATION,
        ("themes", "theme", "thematiques", "thematique"),
        "Les libellés des thématiques, séparés par « ; » ou « , ».",
    ),
    Target("description", "Présentation", ORGANISATION, ("description", "presentation", "activites", "objet")),
    Target("website", "Site internet", ORGANISATION, ("site", "site internet", "site web", "url", "web")),
    Target("email", "E-mail de la structure", ORGANISATION, ("e mail", "email", "courriel", "mail", "adresse e mail")),
    Target("phone", "Téléphone de la structure", ORGANISATION, ("telephone", "tel", "telephone de la structure")),
    Target("address", "Adresse", ADDRESS, ("adresse", "adresse postale", "rue", "voie")),
    Target("postcode", "Code postal", ADDRESS, ("code postal", "cp")),
    Target(
        "commune_code",
        "Code INSEE de la commune",
        ADDRESS,
        ("code insee", "insee", "code commune", "code insee commune"),
        "5 caractères, par exemple 94028. Sinon, le nom de la commune (avec le code postal si besoin) suffit.",
    ),
    Target("commune", "Commune", ADDRESS, ("commune", "ville", "localite", "nom de la commune")),
    Target(
        "contact_first_name",
        "Prénom du contact",
        CONTACT,
        ("contact prenom", "prenom du contact", "prenom contact", "prenom"),
    ),
    Target("contact_last_name", "Nom du contact", CONTACT, ("contact nom", "nom du contact", "nom contact")),
    Target(
        "contact_job_title",
        "Fonction du contact",
        CONTACT,
        ("contact fonction", "fonction du contact", "fonction contact", "fonction"),
    ),
    Target(
        "contact_email",
        "E-mail du contact",
        CONTACT,
        ("contact e mail", "contact email", "e mail du contact", "email du contact", "contact courriel"),
    ),
    Target(
        "contact_phone",
        "Téléphone du contact",
        CONTACT,
        ("contact telephone", "telephone du contact", "contact tel", "tel du contact"),
    ),
)
TARGETS_BY_NAME = {target.name: target for target in TARGETS}
REQUIRED_TARGETS = ("name", "kind")
CONTACT_FIELDS = {
    "contact_first_name": "first_name",
    "contact_last_name": "last_name",
    "contact_job_title": "job_title",
    "contact_email": "email",
    "contact_phone": "phone",
}


def guess_mapping(headers: list[str], remembered: dict[str, str] | None = None) -> dict[str, int]:
    """Target field → column index: first the cité's remembered mapping (by header), then the header names."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        target = (remembered or {}).get(header)
        if target in TARGETS_BY_NAME and target not in mapping:
            mapping[target] = index
    used = set(mapping.values())
    for index, header in enumerate(headers):
        if index in used:
            continue
        key = name_key(header)
        for target in TARGETS:
            if target.name not in mapping and key in target.synonyms:
                mapping[target.name] = index
                break
    return mapping


# --- Validation of one line -----------------------------------------------------------------------------

KIND_ALIASES = {
    "ept": OrganisationKind.EPCI,
    "epci": OrganisationKind.EPCI,
    "etablissement public territorial": OrganisationKind.EPCI,
    "intercommunalite": OrganisationKind.EPCI,
    "caf": OrganisationKind.CAF,
    "caisse d allocations familiales": OrganisationKind.CAF,
    "mairie": OrganisationKind.CITY_SERVICE,
    "ville": OrganisationKind.CITY_SERVICE,
    "service de l etat": OrganisationKind.STATE_SERVICE,
    "etat": OrganisationKind.STATE_SERVICE,
    "conseil departemental": OrganisationKind.DEPARTEMENT,
    "conseil regional": OrganisationKind.REGION,
    "bailleur": OrganisationKind.SOCIAL_LANDLORD,
    "societe": OrganisationKind.COMPANY,
}
KINDS = {
    **{name_key(kind.label): kind.value for kind in OrganisationKind},
    **{name_key(kind.value): kind.value for kind in OrganisationKind},
    **KIND_ALIASES,
}
ORGANISATION_FIELDS = (
    "name",
    "kind",
    "siret",
    "siren",
    "rna",
    "address",
    "postcode",
    "commune",
    "website",
    "email",
    "phone",
    "description",
)
FIELD_LABELS = {
    **{target.name: target.label for target in TARGETS},
    "commune": "Commune",
}
validate_email = EmailValidator()
validate_url = URLValidator(schemes=["http", "https"])


def max_length(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


@dataclass(frozen=True)
class CommuneRef:
    pk: int
    insee_code: str
    name: str
    postal_codes: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.insee_code})"


class Vocabularies:
    """What the lines are checked against, read once per analysis: every commune, every theme."""

    def __init__(self):
        self.communes_by_code: dict[str, CommuneRef] = {}
        self.communes_by_name: dict[str, list[CommuneRef]] = {}
        for pk, code, name, postal_codes in Commune.objects.values_list("pk", "insee_code", "name", "postal_codes"):
            commune = CommuneRef(pk, code, name, frozenset(re.split(r"[\s;,|]+", postal_codes)) - {""})
            self.communes_by_code[code] = commune
            self.communes_by_name.setdefault(name_key(name), []).append(commune)
        self.communes_by_pk = {commune.pk: commune for commune in self.communes_by_code.values()}
        self.themes: dict[str, int] = {}
        self.theme_labels: dict[int, str] = {}
        for pk, code, label in Theme.objects.values_list("pk", "code", "label"):
            self.themes[name_key(label)] = self.themes[name_key(code)] = pk
            self.theme_labels[pk] = label


@dataclass
class ParsedRow:
    """One data line, validated: the organisation's values, its themes and its contact, or the reasons why
    the line is refused."""

    line: int
    name: str
    values: dict = field(default_factory=dict)
    themes: list[int] = field(default_factory=list)
    contact: dict | None = None
    reasons: list[str] = field(default_factory=list)


class RowReader:
    """Reads the mapped cells of a line and checks them the way the models do, with French reasons that
    name the file's column."""

    def __init__(self, headers: list[str], mapping: dict[str, int], vocabularies: Vocabularies):
        self.headers, self.mapping, self.vocabularies = headers, mapping, vocabularies

    def read(self, line: int, cells: list[str]) -> ParsedRow:
        self.cells = cells
        row = self.row = ParsedRow(line=line, name=self.cell("name"))
        values = row.values
        values["name"] = self.text("name", Organisation, required="le nom de la structure est obligatoire")
        if values["name"] and not name_key(values["name"]):
            self.refuse("name", "le nom doit contenir au moins une lettre ou un chiffre")
        values["kind"] = self.kind()
        values["siret"] = self.identifier("siret", siret_error)
        values["siren"] = self.identifier("siren", siren_error)
        if values["siret"] and values["siren"] and values["siret"][:9] != values["siren"]:
            self.refuse("siren", "le SIREN ne correspond pas aux 9 premiers chiffres du SIRET")
        values["rna"] = self.identifier("rna", rna_error)
        values["address"] = self.text("address", Organisation)
        values["postcode"] = self.postcode()
        values["commune"] = self.commune(values["postcode"])
        values["website"] = self.website()
        values["email"] = self.email("email", Organisation)
        values["phone"] = self.phone("phone", Organisation)
        values["description"] = self.text("description", limit=MAX_DESCRIPTION)
        row.themes = self.themes()
        row.contact = self.contact()
        return row

    # Cells and reasons.
    def cell(self, target: str) -> str:
        index = self.mapping.get(target)
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def refuse(self, target: str, reason: str) -> None:
        index = self.mapping.get(target)
        column = self.headers[index] if index is not None else FIELD_LABELS[target]
        self.row.reasons.append(f"Colonne « {column} » : {reason}.")

    def text(self, target: str, model=None, *, required: str = "", limit: int | None = None) -> str:
        value = self.cell(target)
        if not value and required:
            self.refuse(target, required)
        return self.text_limit(target, value, limit or max_length(model, CONTACT_FIELDS.get(target, target)))

    # Fields.
    def kind(self) -> str:
        value = self.cell("kind")
        if not value:
            self.refuse("kind", "le type de structure est obligatoire")
            return ""
        kind = KINDS.get(name_key(value))
        if kind is None:
            labels = ", ".join(choice.label for choice in OrganisationKind)
            self.refuse("kind", f"type « {value[:60]} » inconnu ; les types possibles sont : {labels}")
            return ""
        return kind

    def identifier(self, target: str, error_of: Callable[[str], str | None]) -> str:
        value = compact(self.cell(target))
        if value and (error := error_of(value)):
            self.refuse(target, f"« {value[:30]} » : {error}")
            return ""
        return value

    def postcode(self) -> str:
        value = self.cell("postcode").replace(" ", "")
        if value.isdigit() and len(value) == 4:
            value = "0" + value  # a spreadsheet drops the leading zero of 01000…
        if value and not re.fullmatch(r"[0-9]{5}", value):
            self.refuse("postcode", f"« {value[:20]} » : un code postal compte 5 chiffres")
            return ""
        return value

    def commune(self, postcode: str) -> int | None:
        """By INSEE code, else by name (the postcode tells apart communes of the same name)."""
        code, name = self.cell("commune_code").replace(" ", "").upper(), self.cell("commune")
        if code:
            if code.isdigit() and len(code) < 5:
                code = code.zfill(5)
            commune = self.vocabularies.communes_by_code.get(code)
            if commune is None:
                self.refuse("commune_code", f"aucune commune n'a le code INSEE « {code[:20]} »")
                return None
            return commune.pk
        if not name:
            return None
        candidates = self.vocabularies.communes_by_name.get(name_key(name), [])
        if len(candidates) > 1 and postcode:
            candidates = [commune for commune in candidates if postcode in commune.postal_codes] or candidates
        if not candidates:
            self.refuse("commune", f"commune « {name[:60]} » inconnue (vérifiez l'orthographe ou donnez le code INSEE)")
            return None
        if len(candidates) > 1:
            self.refuse("commune", f"plusieurs communes s'appellent « {name[:60]} » : donnez le code postal ou INSEE")
            return None
        return candidates[0].pk

    def website(self) -> str:
        value = self.cell("website")
        if not value:
            return ""
        if "://" not in value:
            value = "https://" + value
        try:
            validate_url(value)
        except ValidationError:
            self.refuse("website", f"« {value[:60]} » n'est pas une adresse de site internet")
            return ""
        return self.text_limit("website", value, max_length(Organisation, "website"))

    def email(self, target: str, model) -> str:
        value = self.cell(target)
        if not value:
            return ""
        try:
            validate_email(value)
        except ValidationError:
            self.refuse(target, f"« {value[:60]} » n'est pas une adresse e-mail valide")
            return ""
        return self.text_limit(target, value, max_length(model, "email"))

    def phone(self, target: str, model) -> str:
        """A phone number as the directory's forms accept it (services.phone_error)."""
        value = self.text(target, model)
        if error := phone_error(value):
            self.refuse(target, f"« {value} » : {error[0].lower()}{error[1:].rstrip('.')}")
            return ""
        return value

    def text_limit(self, target: str, value: str, limit: int) -> str:
        if len(value) > limit:
            self.refuse(target, f"{len(value)} caractères, {limit} au plus")
            return ""
        return value

    def themes(self) -> list[int]:
        themes = []
        for label in re.split(r"[;,]", self.cell("themes")):
            if not label.strip():
                continue
            theme = self.vocabularies.themes.get(name_key(label))
            if theme is None:
                known = ", ".join(self.vocabularies.theme_labels.values())
                self.refuse("themes", f"thématique « {label.strip()[:60]} » inconnue ; les thématiques sont : {known}")
            elif theme not in themes:
                themes.append(theme)
        return themes

    def contact(self) -> dict | None:
        if not any(self.cell(target) for target in CONTACT_FIELDS):
            return None
        required = "obligatoire dès qu'une colonne du contact est remplie"
        return {
            "first_name": self.text("contact_first_name", Contact, required=f"le prénom du contact est {required}"),
            "last_name": self.text("contact_last_name", Contact, required=f"le nom du contact est {required}"),
            "job_title": self.text("contact_job_title", Contact),
            "email": self.email("contact_email", Contact),
            "phone": self.phone("contact_phone", Contact),
        }


# --- Matching: the directory and the earlier lines ------------------------------------------------------


def identity_keys(values: dict) -> list[tuple]:
    """What identifies an organisation, strongest first: SIRET, RNA, then name and commune."""
    keys = []
    if values.get("siret"):
        keys.append(("siret", values["siret"]))
    if values.get("rna"):
        keys.append(("rna", values["rna"]))
    keys.append(("name", name_key(values["name"]), values.get("commune")))
    return keys


MATCH_REASONS = {"siret": "même SIRET", "rna": "même numéro RNA", "name": "même nom et même commune"}


def contact_key(contact: dict) -> tuple[str, str]:
    return contact["email"].lower(), name_key(f"{contact['first_name']} {contact['last_name']}")


class ContactBook:
    """The contacts of one organisation, as the import compares them: same e-mail, or same first and last
    name when one of the two has no e-mail."""

    def __init__(self, contacts: Iterable[dict] = ()):
        self.emails: set[str] = set()
        self.names: set[str] = set()
        self.names_without_email: set[str] = set()
        for contact in contacts:
            self.add(contact)

    def knows(self, contact: dict) -> bool:
        email, name = contact_key(contact)
        if email:
            return email in self.emails or name in self.names_without_email
        return name in self.names

    def add(self, contact: dict) -> None:
        email, name = contact_key(contact)
        self.names.add(name)
        if email:
            self.emails.add(email)
        else:
            self.names_without_email.add(name)


@dataclass
class ExistingOrganisation:
    """An organisation of the directory as the analysis sees it."""

    pk: int
    values: dict
    in_cite: bool
    theme_ids: set[int]
    contacts: ContactBook

    @property
    def name(self) -> str:
        return self.values["name"]


def existing_matches(rows: list[ParsedRow], cite_id: int) -> dict[tuple, list[ExistingOrganisation]]:
    """The organisations of the directory that share an identity key with one of `rows`, by key (4 queries)."""
    sirets = {row.values["siret"] for row in rows if row.values["siret"]}
    rnas = {row.values["rna"] for row in rows if row.values["rna"]}
    names = {name_key(row.values["name"]) for row in rows}
    condition = Q(siret__in=sirets) | Q(rna__in=rnas) | Q(name_key__in=names)
    organisations = {
        values["pk"]: values
        for values in Organisation.objects.filter(condition).values("pk", "name_key", *ORGANISATION_FIELDS)
    }
    theme_links = Organisation.themes.through.objects.filter(organisation_id__in=organisations)
    themes: dict[int, set[int]] = {}
    for organisation_id, theme_id in theme_links.values_list("organisation_id", "theme_id"):
        themes.setdefault(organisation_id, set()).add(theme_id)
    in_cite = set(
        Organisation.cites.through.objects.filter(organisation_id__in=organisations, cite_id=cite_id).values_list(
            "organisation_id", flat=True
        )
    )
    contacts: dict[int, list[dict]] = {}
    for contact in Contact.objects.filter(organisation_id__in=organisations).values(
        "organisation_id", "first_name", "last_name", "email"
    ):
        contacts.setdefault(contact["organisation_id"], []).append(contact)
    by_key: dict[tuple, list[ExistingOrganisation]] = {}
    for pk, values in organisations.items():
        existing = ExistingOrganisation(
            pk=pk,
            values={name: values[name] or "" for name in ORGANISATION_FIELDS} | {"commune": values["commune"]},
            in_cite=pk in in_cite,
            theme_ids=themes.get(pk, set()),
            contacts=ContactBook(contacts.get(pk, [])),
        )
        for key in identity_keys(existing.values):
            by_key.setdefault(key, []).append(existing)
    return by_key


def find_existing(values: dict, by_key: dict[tuple, list]) -> tuple:
    """(organisation, why it matches, why the line cannot be matched). `by_key` holds ExistingOrganisation
    objects (analysis) or Organisation objects (writing): anything with a `pk` and a `name`."""
    keys = identity_keys(values)
    strong = {}
    for key in keys[:-1]:
        for existing in by_key.get(key, []):
            strong.setdefault(existing.pk, (existing, MATCH_REASONS[key[0]]))
    if len(strong) > 1:
        names = " et ".join(f"« {existing.name} »" for existing, _ in strong.values())
        return None, "", f"le SIRET et le numéro RNA désignent deux structures différentes de l'annuaire : {names}"
    if strong:
        existing, reason = next(iter(strong.values()))
        return existing, reason, ""
    by_name = by_key.get(keys[-1], [])
    if len(by_name) > 1:
        problem = f"{len(by_name)} structures de l'annuaire portent ce nom dans cette commune : fusionnez-les d'abord"
        return None, "", problem + " (écran des doublons)"
    if by_name:
        return by_name[0], MATCH_REASONS["name"], ""
    return None, "", ""


def display(field_name: str, value, vocabularies: Vocabularies) -> str:
    if field_name == "commune":
        commune = vocabularies.communes_by_pk.get(value)
        return commune.label if commune else ""
    if field_name == "kind":
        return OrganisationKind(value).label if value in OrganisationKind.values else str(value)
    return str(value)


def same_value(field_name: str, ours, theirs) -> bool:
    if field_name in ("email", "website"):
        return str(ours).lower().rstrip("/") == str(theirs).lower().rstrip("/")
    if field_name == "name":
        return name_key(ours) == name_key(theirs)
    return ours == theirs


def fill_and_differences(values: dict, existing: dict) -> tuple[dict, list[str]]:
    """The empty fields of `existing` the line fills, and the fields where both hold different values
    (never overwritten). A SIRET is not filled in when its SIREN differs from the organisation's."""
    fill, differences = {}, []
    for name in ORGANISATION_FIELDS:
        ours, theirs = values.get(name), existing.get(name)
        if ours in ("", None):
            continue
        if theirs in ("", None):
            fill[name] = ours
        elif not same_value(name, ours, theirs):
            differences.append(name)
    if "siret" in fill and existing.get("siren") and fill["siret"][:9] != existing["siren"]:
        del fill["siret"]
        differences.append("siret")
    return fill, differences


class Planner:
    """Decides, line after line in file order, what the import does with each valid line."""

    def __init__(self, cite_id: int, vocabularies: Vocabularies):
        self.cite_id, self.vocabularies = cite_id, vocabularies
        self.first_line_by_key: dict[tuple, int] = {}
        self.contacts_by_line: dict[int, ContactBook] = {}

    def plan(self, rows: list[ParsedRow]) -> list[dict]:
        valid = [row for row in rows if not row.reasons]
        by_key = existing_matches(valid, self.cite_id) if valid else {}
        return [self.entry(row, by_key) for row in rows]

    def entry(self, row: ParsedRow, by_key: dict) -> dict:
        entry = {"line": row.line, "name": row.name[:255], "outcome": ImportOutcome.REJECTED.value, "notes": []}
        if row.reasons:
            return entry | {"reasons": row.reasons}
        values = row.values
        entry |= {
            "values": values,
            "themes": row.themes,
            "contact": row.contact,
            "commune": display("commune", values["commune"], self.vocabularies),
        }
        existing, match_reason, conflict = find_existing(values, by_key)
        if conflict:
            return entry | {"reasons": [f"{conflict[0].upper()}{conflict[1:]}."]}
        keys = identity_keys(values) + ([("organisation", existing.pk)] if existing else [])
        earlier = [(self.first_line_by_key[key], key) for key in keys if key in self.first_line_by_key]
        if earlier:
            first_line, key = min(earlier)
            for own_key in keys:
                self.first_line_by_key.setdefault(own_key, first_line)
            return self.duplicate_in_file(entry, row, first_line, key)
        for key in keys:
            self.first_line_by_key[key] = row.line
        if existing:
            return self.update(entry, row, existing, match_reason)
        self.contacts_by_line[row.line] = ContactBook()
        entry |= {"outcome": ImportOutcome.CREATED.value}
        self.plan_contact(entry, row.line)
        return entry

    def update(self, entry: dict, row: ParsedRow, existing: ExistingOrganisation, match_reason: str) -> dict:
        fill, differences = fill_and_differences(row.values, existing.values)
        notes = [f"Structure déjà dans l'annuaire ({match_reason})."]
        notes.append("Déjà dans l'annuaire de la cité." if existing.in_cite else "Ajoutée à l'annuaire de la cité.")
        if fill:
            notes.append("Champs complétés : " + ", ".join(FIELD_LABELS[name].lower() for name in fill) + ".")
        for name in differences:
            ours = display(name, row.values[name], self.vocabularies)
            theirs = display(name, existing.values[name], self.vocabularies)
            notes.append(f"Différence non reprise — {FIELD_LABELS[name]} : fichier « {ours} », annuaire « {theirs} ».")
        new_themes = [theme for theme in row.themes if theme not in existing.theme_ids]
        if new_themes:
            labels = ", ".join(self.vocabularies.theme_labels[theme] for theme in new_themes)
            notes.append(f"Thématiques ajoutées : {labels}.")
        self.contacts_by_line[row.line] = existing.contacts
        entry |= {
            "outcome": ImportOutcome.UPDATED.value,
            "organisation": {"id": existing.pk, "name": existing.values["name"]},
            "match": match_reason,
            "notes": notes,
        }
        self.plan_contact(entry, row.line)
        return entry

    def duplicate_in_file(self, entry: dict, row: ParsedRow, first_line: int, key: tuple) -> dict:
        why = "même structure de l'annuaire" if key[0] == "organisation" else MATCH_REASONS[key[0]]
        entry |= {
            "outcome": ImportOutcome.DUPLICATE_IN_FILE.value,
            "first_line": first_line,
            "notes": [f"Doublon de la ligne {first_line} ({why}) : la structure n'est pas importée une seconde fois."],
        }
        self.plan_contact(entry, first_line)
        return entry

    def plan_contact(self, entry: dict, target_line: int) -> None:
        contact = entry.get("contact")
        if not contact:
            return
        book = self.contacts_by_line[target_line]
        name = f"{contact['first_name']} {contact['last_name']}"
        if book.knows(contact):
            entry["contact_new"] = False
            entry["notes"].append(f"Contact déjà connu : {name}.")
        else:
            book.add(contact)
            entry["contact_new"] = True
            where = f" à la structure de la ligne {target_line}" if target_line != entry["line"] else ""
            entry["notes"].append(f"Contact ajouté{where} : {name}.")


def analyse(
    table: Table,
    mapping: dict[str, int],
    cite_id: int,
    *,
    vocabularies: Vocabularies | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """The preview: one entry per data line (line, outcome, reasons, notes…). Reads the directory only."""
    check_mapping(mapping, len(table.headers))
    vocabularies = vocabularies or Vocabularies()
    reader = RowReader(table.headers, mapping, vocabularies)
    planner = Planner(cite_id, vocabularies)
    entries: list[dict] = []
    total = len(table.rows)
    for start in range(0, total, CHUNK_SIZE):
        chunk = [reader.read(line, cells) for line, cells in table.rows[start : start + CHUNK_SIZE]]
        entries.extend(planner.plan(chunk))
        if progress:
            progress(len(entries), total)
    return entries


def check_mapping(mapping: dict[str, int], column_count: int) -> None:
    missing = [TARGETS_BY_NAME[name].label for name in REQUIRED_TARGETS if name not in mapping]
    if missing:
        raise PartnerImportError("Choisissez la colonne de : " + ", ".join(missing) + ".")
    unknown = set(mapping) - set(TARGETS_BY_NAME)
    if unknown or any(not 0 <= index < column_count for index in mapping.values()):
        raise PartnerImportError("L'association des colonnes ne correspond pas au fichier : refaites-la.")


def count_outcomes(entries: list[dict]) -> dict[str, int]:
    counts = Counter(entry["outcome"] for entry in entries)
    return {outcome.value: counts.get(outcome.value, 0) for outcome in ImportOutcome}


# --- Writing the confirmed preview ----------------------------------------------------------------------


class Writer:
    """Writes the lines of a confirmed preview, checking each again against the directory as it is now."""

    def __init__(self, partner_import: PartnerImport):
        self.cite = partner_import.cite
        self.organisation_by_line: dict[int, Organisation] = {}
        self.counts = Counter()

    def write(self, entry: dict) -> None:
        outcome = entry["outcome"]
        if outcome == ImportOutcome.REJECTED:
            self.counts["rejected"] += 1
            return
        if outcome == ImportOutcome.DUPLICATE_IN_FILE:
            self.counts["duplicate_in_file"] += 1
            organisation = self.organisation_by_line[entry["first_line"]]
        else:
            organisation = self.create(entry) if outcome == ImportOutcome.CREATED else self.update(entry)
            self.organisation_by_line[entry["line"]] = organisation
        contact = entry.get("contact")
        if contact and entry.get("contact_new"):
            known = Contact.objects.filter(organisation=organisation).values("first_name", "last_name", "email")
            if ContactBook(known).knows(contact):
                raise self.conflict(entry, "son contact a été ajouté à la structure depuis l'aperçu")
            Contact.objects.create(organisation=organisation, **contact)
            self.counts["contacts"] += 1

    def matches(self, values: dict) -> list[Organisation]:
        condition = Q(name_key=name_key(values["name"]), commune_id=values["commune"])
        if values["siret"]:
            condition |= Q(siret=values["siret"])
        if values["rna"]:
            condition |= Q(rna=values["rna"])
        return list(Organisation.objects.filter(condition))

    def create(self, entry: dict) -> Organisation:
        values = entry["values"]
        existing = self.matches(values)
        if existing:
            raise self.conflict(
                entry, f"la structure « {existing[0].name} » a été ajoutée à l'annuaire depuis l'aperçu"
            )
        organisation = Organisation.objects.create(**organisation_values(values))
        organisation.cites.add(self.cite)
        organisation.themes.add(*entry["themes"])
        self.counts["created"] += 1
        return organisation

    def update(self, entry: dict) -> Organisation:
        planned = entry["organisation"]
        matches = self.matches(entry["values"])
        by_pk = {organisation.pk: organisation for organisation in matches}
        organisation = by_pk.get(planned["id"])
        if organisation is None:
            raise self.conflict(entry, f"la structure « {planned['name']} » a été modifiée, fusionnée ou supprimée")
        by_key = {}
        for match in matches:
            for key in identity_keys(current_values(match)):
                by_key.setdefault(key, []).append(match)
        found, _, problem = find_existing(entry["values"], by_key)
        if problem or found != organisation:
            raise self.conflict(entry, f"la structure « {planned['name']} » ne correspond plus à cette ligne")
        fill, _ = fill_and_differences(entry["values"], current_values(organisation))
        if fill:
            for name, value in organisation_values(fill).items():
                setattr(organisation, name, value)
            organisation.save(update_fields=list(organisation_values(fill)))
        organisation.cites.add(self.cite)
        organisation.themes.add(*entry["themes"])
        self.counts["updated"] += 1
        return organisation

    def conflict(self, entry: dict, reason: str) -> ImportConflictError:
        return ImportConflictError(
            f"Ligne {entry['line']} : {reason}. Rien n'a été importé : relancez l'analyse du fichier "
            "pour mettre l'aperçu à jour."
        )


def current_values(organisation: Organisation) -> dict:
    """An organisation's values as a line holds them (the commune by id)."""
    values = {name: getattr(organisation, name) for name in ORGANISATION_FIELDS if name != "commune"}
    return values | {"commune": organisation.commune_id}


def organisation_values(values: dict) -> dict:
    """Model field names for the values of a line (the commune is stored by id)."""
    result = {name: value for name, value in values.items() if name in ORGANISATION_FIELDS and name != "commune"}
    if "commune" in values:
        result["commune_id"] = values["commune"]
    return result


def write_preview(partner_import: PartnerImport, *, actor) -> dict[str, int]:
    """Write the confirmed preview in one transaction, with one PARTNERS_IMPORTED event on the cité.

    Any line whose situation changed since the preview (a SIRET added by someone else meanwhile, an
    organisation merged away…) cancels the whole import with an ImportConflictError.
    """
    writer = Writer(partner_import)
    try:
        with transaction.atomic():
            for entry in partner_import.preview:
                writer.write(entry)
            result = {
                "created": writer.counts["created"],
                "updated": writer.counts["updated"],
                "contacts": writer.counts["contacts"],
                "duplicate_in_file": writer.counts["duplicate_in_file"],
                "rejected": writer.counts["rejected"],
            }
            record_event(
                actor=actor,
                verb=Verb.PARTNERS_IMPORTED,
                obj=partner_import.cite,
                summary=f"Import de « {partner_import.file_name} » : {result_summary(result)}",
                after=result,
            )
    except DatabaseError as error:
        raise ImportConflictError(
            "L'annuaire a changé pendant l'import et une ligne ne peut plus être écrite : rien n'a été importé. "
            "Relancez l'analyse du fichier."
        ) from error
    return result


def plural(count: int, singular: str, plural: str) -> str:
    """French agreement: 0 and 1 take the singular."""
    return f"{count} {singular if count <= 1 else plural}"


def result_summary(result: dict[str, int]) -> str:
    """What an import wrote, in a sentence."""
    return (
        f"{plural(result['created'], 'structure créée', 'structures créées')}, "
        f"{plural(result['updated'], 'mise à jour', 'mises à jour')}, "
        f"{plural(result['contacts'], 'contact ajouté', 'contacts ajoutés')} ; "
        f"{plural(result['duplicate_in_file'], 'doublon du fichier', 'doublons du fichier')} et "
        f"{plural(result['rejected'], 'ligne rejetée', 'lignes rejetées')} laissés de côté"
    )


# --- Use cases: upload, mapping, confirmation; the work of the background tasks -------------------------


def start_import(*, actor, cite, upload, table: Table) -> PartnerImport:
    """Store an uploaded file (already read by the upload form) and its header for the mapping step."""
    return PartnerImport.objects.create(
        cite=cite,
        created_by=actor,
        file=upload,
        file_name=upload.name[:255],
        headers=table.headers,
        sample_rows=[cells for _, cells in table.rows[:SAMPLE_SIZE]],
    )


def remembered_mapping(partner_import: PartnerImport) -> dict[str, int]:
    """The mapping to show: this import's own, else the cité's last one, else a guess from the headers."""
    if partner_import.mapping:
        return partner_import.mapping
    remembered = ImportMapping.objects.filter(cite=partner_import.cite_id).values_list("columns", flat=True).first()
    return guess_mapping(partner_import.headers, remembered)


def map_columns(*, actor, partner_import: PartnerImport, mapping: dict[str, int]) -> None:
    """Save the mapping (remembered for the cité's next import) and start the analysis in the background."""
    from maillage.partners.tasks import analyse_partner_import

    check_mapping(mapping, len(partner_import.headers))
    with transaction.atomic():
        partner_import.mapping = mapping
        partner_import.status = ImportStatus.MAPPED  # waiting for the worker
        partner_import.preview, partner_import.counts, partner_import.error = [], {}, ""
        partner_import.processed_rows = partner_import.total_rows = 0
        partner_import.save()
        ImportMapping.objects.update_or_create(
            cite=partner_import.cite,
            defaults={
                "columns": {partner_import.headers[index]: name for name, index in mapping.items()},
                "updated_by": actor,
            },
        )
    analyse_partner_import.enqueue(partner_import.pk)


def confirm_import(*, actor, partner_import: PartnerImport) -> None:
    """The coordinator confirms the preview: the lines are written in the background."""
    from maillage.partners.tasks import apply_partner_import

    updated = PartnerImport.objects.filter(pk=partner_import.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.IMPORTING, processed_rows=0, updated_at=timezone.now()
    )
    if not updated:
        raise PartnerImportError("Cet import n'attend pas de confirmation : il a déjà été confirmé ou relancé.")
    partner_import.status = ImportStatus.IMPORTING
    apply_partner_import.enqueue(partner_import.pk, actor.pk)


def report_progress(partner_import: PartnerImport, processed: int, total: int) -> None:
    """Progress is written at once (outside any transaction) so that the page polling it sees it."""
    PartnerImport.objects.filter(pk=partner_import.pk).update(processed_rows=processed, total_rows=total)


def fail(partner_import: PartnerImport, message: str) -> None:
    partner_import.status = ImportStatus.FAILED
    partner_import.error = message
    partner_import.finished_at = timezone.now()
    partner_import.save(update_fields=["status", "error", "finished_at", "updated_at"])


def stored_data(partner_import: PartnerImport) -> bytes:
    try:
        with partner_import.file.open("rb") as stored:
            return stored.read()
    except OSError as error:
        raise ImportFileError("Le fichier déposé est introuvable : déposez-le de nouveau.") from error


UNEXPECTED = "Une erreur inattendue a interrompu le traitement : rien n'a été importé. Réessayez ou prévenez l'équipe."


def run_analysis(import_id: int) -> dict[str, int]:
    """The analysis task: read the whole file, validate and match every line, store the preview."""
    partner_import = PartnerImport.objects.select_related("cite").get(pk=import_id)
    if partner_import.status != ImportStatus.MAPPED:
        return {}
    partner_import.status = ImportStatus.ANALYSING
    partner_import.save(update_fields=["status", "updated_at"])
    try:
        table = read_table(partner_import.file_name, stored_data(partner_import))
        report_progress(partner_import, 0, len(table.rows))
        entries = analyse(
            table,
            partner_import.mapping,
            partner_import.cite_id,
            progress=lambda done, total: report_progress(partner_import, done, total),
        )
    except PartnerImportError as error:
        fail(partner_import, str(error))
        return {}
    except Exception:
        fail(partner_import, UNEXPECTED)
        raise
    partner_import.preview = entries
    partner_import.counts = count_outcomes(entries)
    partner_import.processed_rows = partner_import.total_rows = len(entries)
    partner_import.status = ImportStatus.PREVIEWED
    partner_import.save(
        update_fields=["preview", "counts", "processed_rows", "total_rows", "status", "updated_at"],
    )
    return partner_import.counts


def run_apply(import_id: int, actor_id: int | None) -> dict[str, int]:
    """The apply task: write the confirmed preview (all or nothing).

    Progress is not reported line by line while writing: every line is written inside ONE transaction,
    and a progress write would either be invisible to the page until the commit (inside the transaction)
    or wait for the transaction's lock (from another connection: SQLite has a single writer). The page
    therefore shows "import en cours" until the result, which is written right after the commit.
    """
    from maillage.core.models import User

    partner_import = PartnerImport.objects.select_related("cite").get(pk=import_id)
    if partner_import.status != ImportStatus.IMPORTING:
        return {}
    actor = User.objects.filter(pk=actor_id).first()
    try:
        result = write_preview(partner_import, actor=actor)
    except PartnerImportError as error:
        fail(partner_import, str(error))
        return {}
    except Exception:
        fail(partner_import, UNEXPECTED)
        raise
    partner_import.result = result
    partner_import.status = ImportStatus.DONE
    partner_import.processed_rows = partner_import.total_rows
    partner_import.finished_at = timezone.now()
    # The file held people's contact details; once written to the directory it is no longer needed.
    partner_import.file.delete(save=False)
    partner_import.save(
        update_fields=["result", "status", "processed_rows", "finished_at", "file", "updated_at"],
    )
    return result


def upload_error(upload) -> str | None:
    """Why an uploaded file is refused before it is read (its size), or None."""
    if upload.size > settings.UPLOAD_MAX_SIZE:
        limit = settings.UPLOAD_MAX_SIZE / (1024 * 1024)
        return f"Le fichier pèse {upload.size / (1024 * 1024):.1f} Mo : {limit:.0f} Mo au plus."
    if not upload.size:
        return "Le fichier est vide."
    return None
