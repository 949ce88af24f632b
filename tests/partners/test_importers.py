"""The partner import: reading files, the column mapping, the checks of each line, the preview, and the
all-or-nothing writing. Ends with the acceptance test of issue 3: a 500-line file (CSV and XLSX) with 20
bad lines and 30 duplicates, imported by the coordinator through the pages."""

import os
import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.core.models import Event, Role, Theme, Verb
from maillage.partners import importers
from maillage.partners.importers import ImportFileError, Table, analyse, read_table
from maillage.partners.models import (
    Contact,
    ImportMapping,
    ImportOutcome,
    ImportStatus,
    Organisation,
    OrganisationKind,
    PartnerImport,
)
from maillage.territories.models import Commune
from tests.factories import ContactFactory, OrganisationFactory, partner_file, siret_for

HEADERS = [
    "Nom",
    "Type",
    "SIRET",
    "RNA",
    "Adresse",
    "Code postal",
    "Commune",
    "Code INSEE",
    "E-mail",
    "Thématiques",
    "Contact prénom",
    "Contact nom",
    "Contact e-mail",
]


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):
    """Tasks run inside the request; uploaded files go to a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path


def line(name="", kind="Association", siret="", rna="", commune="Créteil", email="", themes="", contact=("", "", "")):
    """One line of a file with the HEADERS columns."""
    return [name, kind, siret, rna, "1 place Salvador Allende", "94000", commune, "", email, themes, *contact]


def mapping_for(headers):
    return importers.guess_mapping(headers)


def preview_of(cite, rows, headers=HEADERS):
    entries = analyse(
        Table(headers, [(number, cells) for number, cells in enumerate(rows, start=2)]), mapping_for(headers), cite.pk
    )
    return {entry["line"]: entry for entry in entries}


def imported(cite, rows, *, actor=None, headers=HEADERS, kind="csv"):
    """An import of `rows` taken through upload, mapping and analysis (the tasks run at once)."""
    data = partner_file(headers, rows, kind=kind)
    table = read_table(f"partenaires.{kind}", data, limit=importers.SAMPLE_SIZE)
    upload = SimpleUploadedFile(f"partenaires.{kind}", data)
    partner_import = importers.start_import(actor=actor, cite=cite, upload=upload, table=table)
    importers.map_columns(actor=actor, partner_import=partner_import, mapping=mapping_for(headers))
    partner_import.refresh_from_db()
    return partner_import


def directory_counts():
    return Organisation.objects.count(), Contact.objects.count(), Event.objects.count()


# --- Reading ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ";"), ("utf-8-sig", ";"), ("utf-8", ","), ("cp1252", ";"), ("cp1252", ",")],
)
def test_csv_files_in_every_accepted_encoding_and_separator_read_the_same(encoding, delimiter):
    rows = [["Maison de l'Enfance", "Service municipal"], ["", ""], ["Théâtre « Le Forum », Créteil", "Association"]]
    table = read_table("annuaire.csv", partner_file(["Nom", "Type"], rows, encoding=encoding, delimiter=delimiter))
    assert table.headers == ["Nom", "Type"]
    assert table.rows == [(2, rows[0]), (4, rows[2])]  # the empty line 3 is skipped, numbers are kept


def test_xlsx_cells_are_read_as_text_without_spreadsheet_artefacts():
    rows = [["Collège Laplace", "Collège", 12345678901234, 1000, None, True]]
    table = read_table("annuaire.XLSX", partner_file(["Nom", "Type", "SIRET", "CP", "", "Actif"], rows, kind="xlsx"))
    assert table.headers == ["Nom", "Type", "SIRET", "CP", "Colonne E", "Actif"]
    assert table.rows == [(2, ["Collège Laplace", "Collège", "12345678901234", "1000", "", "oui"])]


def test_reading_a_sample_stops_early():
    rows = [[f"Structure {n}", "Association"] for n in range(50)]
    for kind in ("csv", "xlsx"):
        table = read_table(f"a.{kind}", partner_file(["Nom", "Type"], rows, kind=kind), limit=3)
        assert [number for number, _ in table.rows] == [2, 3, 4]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("annuaire.xls", b"Nom;Type\r\n", "ni un CSV (.csv) ni un classeur Excel"),
        (
            "annuaire.csv",
            b"\x89PNG\r\n\x1a\n" + bytes(200),
            "pas un fichier texte CSV (son contenu est celui d'un fichier PNG)",
        ),
        ("annuaire.csv", "Nom;Type\r\nA;B\r\n".encode("utf-16"), "encodé en UTF-16"),
        ("annuaire.xlsx", b"Nom;Type\r\nA;B\r\n", "porte l'extension .xlsx mais ce n'est pas un classeur Excel"),
        ("annuaire.csv", b"Nom\r\nLa Ludotheque\r\n", "n'a qu'une colonne"),
        ("annuaire.csv", b"", "Le fichier est vide"),
        ("annuaire.csv", b";;;\r\nA;B;;\r\n", "La première ligne du fichier doit donner le nom des colonnes"),
    ],
)
def test_unreadable_files_are_refused_with_a_french_reason(name, data, message):
    with pytest.raises(ImportFileError, match=re.escape(message)):
        read_table(name, data)


def test_a_zip_that_is_not_a_workbook_and_a_truncated_workbook_are_refused():
    workbook = partner_file(["Nom", "Type"], [["A", "Association"]] * 30, kind="xlsx")
    with pytest.raises(ImportFileError, match="illisible ou abîmé"):
        read_table("annuaire.xlsx", workbook[: len(workbook) // 2])
    with pytest.raises(ImportFileError, match="pas un fichier texte CSV"):
        read_table("annuaire.csv", workbook)


# --- Column mapping --------------------------------------------------------------------------------------


def test_usual_headers_are_recognised_whatever_their_accents_and_case():
    headers = [
        "RAISON SOCIALE",
        "Catégorie",
        "N° SIRET",
        "code postal",
        "Ville",
        "Courriel",
        "Prénom",
        "Nom du contact",
    ]
    assert importers.guess_mapping(headers) == {
        "name": 0,
        "kind": 1,
        "siret": 2,
        "postcode": 3,
        "commune": 4,
        "email": 5,
        "contact_first_name": 6,
        "contact_last_name": 7,
    }


def test_the_remembered_mapping_of_the_cite_comes_first(creteil, user_in):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    headers = ["Structure porteuse", "Statut juridique", "Nom"]
    assert importers.guess_mapping(headers) == {"name": 2}  # the guess alone gets it wrong
    first = uploaded(creteil, headers, coordinator)
    importers.map_columns(
        actor=coordinator, partner_import=first, mapping={"name": 0, "kind": 1, "contact_last_name": 2}
    )
    assert ImportMapping.objects.get(cite=creteil).columns == {
        "Structure porteuse": "name",
        "Statut juridique": "kind",
        "Nom": "contact_last_name",
    }
    again = uploaded(creteil, ["Nom", "Statut juridique", "Structure porteuse", "SIRET"], coordinator)
    assert importers.remembered_mapping(again) == {"contact_last_name": 0, "kind": 1, "name": 2, "siret": 3}


def uploaded(cite, headers, actor):
    return importers.start_import(
        actor=actor, cite=cite, upload=SimpleUploadedFile("b.csv", b"x"), table=Table(headers, [])
    )


# --- Checks of each line ---------------------------------------------------------------------------------


def test_each_bad_value_is_named_with_its_column_and_reason(creteil):
    good_siret = siret_for(4200001)
    preview = preview_of(
        creteil,
        [
            line("", siret=good_siret[:-1] + str((int(good_siret[-1]) + 1) % 10)),
            line("Club", kind="Fondation lunaire", rna="W12"),
            line("Club 2", commune="Atlantide", email="pas-une-adresse"),
            line("X" * 256, themes="Culture; Astronomie"),
            line("Club 3", contact=("", "Martin", "martin@club.fr")),
            line("!!!", siret="1234"),
        ],
    )
    assert {entry["outcome"] for entry in preview.values()} == {ImportOutcome.REJECTED}
    assert preview[2]["reasons"] == [
        "Colonne « Nom » : le nom de la structure est obligatoire.",
        f"Colonne « SIRET » : « {good_siret[:-1]}{(int(good_siret[-1]) + 1) % 10} » : "
        "la clé de contrôle du SIRET est fausse (vérifiez les chiffres).",
    ]
    assert preview[3]["reasons"][0].startswith("Colonne « Type » : type « Fondation lunaire » inconnu ; les types")
    assert preview[3]["reasons"][1] == (
        "Colonne « RNA » : « W12 » : un numéro RNA s'écrit W suivi de 9 chiffres (par exemple W942001234)."
    )
    assert preview[4]["reasons"] == [
        "Colonne « Commune » : commune « Atlantide » inconnue (vérifiez l'orthographe ou donnez le code INSEE).",
        "Colonne « E-mail » : « pas-une-adresse » n'est pas une adresse e-mail valide.",
    ]
    assert preview[5]["reasons"][0] == "Colonne « Nom » : 256 caractères, 255 au plus."
    assert preview[5]["reasons"][1].startswith("Colonne « Thématiques » : thématique « Astronomie » inconnue")
    assert preview[6]["reasons"] == [
        "Colonne « Contact prénom » : le prénom du contact est obligatoire dès qu'une colonne du contact est remplie."
    ]
    assert preview[7]["reasons"] == [
        "Colonne « Nom » : le nom doit contenir au moins une lettre ou un chiffre.",
        "Colonne « SIRET » : « 1234 » : un SIRET compte 14 chiffres.",
    ]


def test_kinds_communes_and_themes_are_matched_without_accents_or_case(creteil):
    headers = ["Nom", "Type", "Commune", "Code postal", "Code INSEE", "Thématiques"]
    rows = [
        ["A", "COLLEGE", "creteil", "", "", "culture , SANTE ET BIEN-ETRE"],
        ["B", "service municipal", "", "", "94028", "Parentalité;parentalite"],
        ["C", "caf", "Saint-Denis", "93200", "", ""],
        ["D", "Établissement public territorial", "Saint Denis", "", "", ""],
        ["E", "bailleur social", "", "", "1004", ""],
    ]
    preview = preview_of(creteil, rows, headers)
    themes = dict(Theme.objects.values_list("code", "pk"))
    assert preview[2]["values"]["kind"] == OrganisationKind.COLLEGE
    assert preview[2]["values"]["commune"] == Commune.objects.get(insee_code="94028").pk
    assert preview[2]["themes"] == [themes["culture"], themes["sante-bien-etre"]]
    assert preview[3]["values"]["kind"] == OrganisationKind.CITY_SERVICE
    assert preview[3]["themes"] == [themes["parentalite"]]
    assert preview[4]["values"]["kind"] == OrganisationKind.CAF
    assert preview[4]["values"]["commune"] == Commune.objects.get(insee_code="93066").pk
    assert preview[5]["reasons"] == [
        "Colonne « Commune » : plusieurs communes s'appellent « Saint Denis » : donnez le code postal ou INSEE."
    ]
    assert preview[6]["values"]["commune"] == Commune.objects.get(insee_code="01004").pk  # leading zero restored


def test_phone_numbers_are_checked_as_in_the_directory_forms(creteil):
    headers = ["Nom", "Type", "Téléphone", "Contact prénom", "Contact nom", "Téléphone du contact"]
    preview = preview_of(
        creteil,
        [
            ["A", "Association", "01 43 99 12 34", "Ana", "Lopez", "+33 6 12 34 56 78"],
            ["B", "caf", "12", "", "", "appeler"],
        ],
        headers,
    )
    assert (preview[2]["values"]["phone"], preview[2]["contact"]["phone"]) == ("01 43 99 12 34", "+33 6 12 34 56 78")
    assert preview[3]["reasons"] == [
        "Colonne « Téléphone » : « 12 » : un numéro français compte 10 chiffres et commence par 0 "
        "(par exemple 01 43 99 12 34).",
        "Colonne « Contact prénom » : le prénom du contact est obligatoire dès qu'une colonne du contact est remplie.",
        "Colonne « Contact nom » : le nom du contact est obligatoire dès qu'une colonne du contact est remplie.",
        "Colonne « Téléphone du contact » : « appeler » : un numéro de téléphone ne contient que des chiffres, "
        "des espaces, des points et un + au début.",
    ]


# --- Duplicates --------------------------------------------------------------------------------------------


def test_lines_matching_the_directory_update_it_without_overwriting(creteil, other_cite):
    culture = Theme.objects.get(code="culture")
    by_siret = OrganisationFactory(name="Mission locale", siret=siret_for(4200002), cites=[other_cite], email="")
    by_rna = OrganisationFactory(name="Club de football", rna="W941000001", address="3 rue du Stade", cites=[creteil])
    by_name = OrganisationFactory(name="Les Petits Débrouillards", cites=[creteil])
    ContactFactory(organisation=by_rna, first_name="Inès", last_name="Diallo", email="ines@club.fr")
    preview = preview_of(
        creteil,
        [
            line("Mission Locale des Bords de Marne", siret=by_siret.siret, email="accueil@ml.fr", themes="Culture"),
            line("Club de foot", rna="W941000001", contact=("Ines", "Diallo", "INES@club.fr")),
            line("LES PETITS DEBROUILLARDS", contact=("Paul", "Martin", "")),
        ],
    )
    assert [preview[n]["outcome"] for n in (2, 3, 4)] == [ImportOutcome.UPDATED] * 3
    assert [preview[n]["organisation"]["id"] for n in (2, 3, 4)] == [by_siret.pk, by_rna.pk, by_name.pk]
    assert preview[2]["notes"] == [
        "Structure déjà dans l'annuaire (même SIRET).",
        "Ajoutée à l'annuaire de la cité.",
        "Champs complétés : adresse, code postal, e-mail de la structure.",
        "Différence non reprise — Nom de la structure : fichier « Mission Locale des Bords de Marne », "
        "annuaire « Mission locale ».",
        f"Thématiques ajoutées : {culture.label}.",
    ]
    assert (
        "Différence non reprise — Adresse : fichier « 1 place Salvador Allende », annuaire « 3 rue du Stade »."
        in (preview[3]["notes"])
    )
    assert "Contact déjà connu : Ines Diallo." in preview[3]["notes"]
    assert preview[4]["notes"][:2] == [
        "Structure déjà dans l'annuaire (même nom et même commune).",
        "Déjà dans l'annuaire de la cité.",
    ]
    assert "Contact ajouté : Paul Martin." in preview[4]["notes"]


def test_a_line_repeating_an_earlier_line_is_a_duplicate_in_the_file(creteil):
    existing = OrganisationFactory(name="Médiathèque", siret=siret_for(4200003), cites=[creteil])
    preview = preview_of(
        creteil,
        [
            line("Ludothèque", rna="W941000002", contact=("Ana", "Lopez", "ana@ludo.fr")),
            line("Médiathèque Nelson Mandela", siret=existing.siret),
            line("ludotheque", contact=("Ana", "Lopez", "ana@ludo.fr")),  # same name and commune as line 2
            line("Ludothèque de Créteil", rna="W941000002", contact=("Marc", "Petit", "")),
            line("MEDIATHEQUE", contact=("Zoé", "Roux", "zoe@mediatheque.fr")),  # same organisation as line 3
        ],
    )
    assert preview[2]["outcome"] == ImportOutcome.CREATED
    assert preview[3]["outcome"] == ImportOutcome.UPDATED
    assert (preview[4]["outcome"], preview[4]["first_line"]) == (ImportOutcome.DUPLICATE_IN_FILE, 2)
    assert preview[4]["notes"] == [
        "Doublon de la ligne 2 (même nom et même commune) : la structure n'est pas importée une seconde fois.",
        "Contact déjà connu : Ana Lopez.",
    ]
    assert (preview[5]["outcome"], preview[5]["first_line"]) == (ImportOutcome.DUPLICATE_IN_FILE, 2)
    assert "Contact ajouté à la structure de la ligne 2 : Marc Petit." in preview[5]["notes"]
    assert (preview[6]["outcome"], preview[6]["first_line"]) == (ImportOutcome.DUPLICATE_IN_FILE, 3)


def test_a_siret_and_an_rna_of_two_different_organisations_reject_the_line(creteil):
    OrganisationFactory(name="A", siret=siret_for(4200004))
    OrganisationFactory(name="B", rna="W941000003")
    OrganisationFactory(name="Doublon", cites=[creteil])
    OrganisationFactory(name="DOUBLON", cites=[creteil])
    preview = preview_of(creteil, [line("C", siret=siret_for(4200004), rna="W941000003"), line("doublon")])
    assert preview[2]["reasons"] == [
        "Le SIRET et le numéro RNA désignent deux structures différentes de l'annuaire : « A » et « B »."
    ]
    assert preview[3]["reasons"][0].startswith("2 structures de l'annuaire portent ce nom dans cette commune")


# --- Writing -----------------------------------------------------------------------------------------------


def test_confirming_writes_the_preview_and_records_one_event(creteil, other_cite, user_in):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    shared = OrganisationFactory(name="Mission locale", siret=siret_for(4200005), cites=[other_cite])
    partner_import = imported(
        creteil,
        [
            line("Ludothèque", themes="Culture; Sport", contact=("Ana", "Lopez", "ana@ludo.fr")),
            line("Mission locale de Créteil", siret=shared.siret, email="ml@exemple.fr", contact=("Léa", "Blanc", "")),
            line("LUDOTHEQUE", contact=("Marc", "Petit", "marc@ludo.fr")),
            line("", kind=""),
        ],
        actor=coordinator,
    )
    assert partner_import.status == ImportStatus.PREVIEWED
    assert partner_import.counts == {"created": 1, "updated": 1, "duplicate_in_file": 1, "rejected": 1}
    stored = partner_import.file.path
    importers.confirm_import(actor=coordinator, partner_import=partner_import)
    partner_import.refresh_from_db()
    assert partner_import.status == ImportStatus.DONE
    assert not partner_import.file and not os.path.exists(stored)  # the uploaded file is not kept
    assert partner_import.result == {"created": 1, "updated": 1, "contacts": 3, "duplicate_in_file": 1, "rejected": 1}
    ludotheque = Organisation.objects.get(name="Ludothèque")
    assert list(ludotheque.cites.all()) == [creteil]
    assert sorted(ludotheque.themes.values_list("code", flat=True)) == ["culture", "sport"]
    assert sorted(ludotheque.contacts.values_list("last_name", flat=True)) == ["Lopez", "Petit"]
    shared.refresh_from_db()
    assert (shared.name, shared.email, shared.postcode) == ("Mission locale", "ml@exemple.fr", "94000")
    assert set(shared.cites.all()) == {creteil, other_cite}
    event = Event.objects.get(verb=Verb.PARTNERS_IMPORTED)
    assert (event.cite, event.actor, event.after["created"]) == (creteil, coordinator, 1)
    assert event.summary == (
        "Import de « partenaires.csv » : 1 structure créée, 1 mise à jour, 3 contacts ajoutés ; "
        "1 doublon du fichier et 1 ligne rejetée laissés de côté"
    )


def test_a_siret_added_between_preview_and_confirmation_cancels_everything(creteil, user_in):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    rows = [line(f"Structure n°{n}", siret=siret_for(4300000 + n), contact=("Ana", f"Nom{n}", "")) for n in range(10)]
    partner_import = imported(creteil, rows, actor=coordinator)
    assert partner_import.counts["created"] == 10
    before = directory_counts()
    OrganisationFactory(name="Ajoutée entre-temps", siret=siret_for(4300007))  # line 9 of the file
    before = (before[0] + 1, *before[1:])
    importers.confirm_import(actor=coordinator, partner_import=partner_import)
    partner_import.refresh_from_db()
    assert partner_import.status == ImportStatus.FAILED
    assert partner_import.error == (
        "Ligne 9 : la structure « Ajoutée entre-temps » a été ajoutée à l'annuaire depuis l'aperçu. "
        "Rien n'a été importé : relancez l'analyse du fichier pour mettre l'aperçu à jour."
    )
    assert directory_counts() == before  # lines 2 to 8 were written, then rolled back
    assert not Organisation.objects.filter(name="Structure n°0").exists()


def test_an_organisation_merged_away_after_the_preview_cancels_everything(creteil, user_in):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    target = OrganisationFactory(name="Club de football", rna="W941000004", cites=[creteil])
    partner_import = imported(creteil, [line("Nouveau club"), line("Club", rna="W941000004")], actor=coordinator)
    target.delete()
    importers.confirm_import(actor=coordinator, partner_import=partner_import)
    partner_import.refresh_from_db()
    assert partner_import.status == ImportStatus.FAILED
    assert partner_import.error.startswith("Ligne 3 : la structure « Club de football » a été modifiée, fusionnée ou")
    assert not Organisation.objects.filter(name="Nouveau club").exists()


def test_a_confirmed_import_cannot_be_confirmed_twice(creteil, user_in):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    partner_import = imported(creteil, [line("Ludothèque")], actor=coordinator)
    importers.confirm_import(actor=coordinator, partner_import=partner_import)
    with pytest.raises(importers.PartnerImportError, match="n'attend pas de confirmation"):
        importers.confirm_import(actor=coordinator, partner_import=partner_import)
    assert Organisation.objects.filter(name="Ludothèque").count() == 1


# --- Acceptance: 500 lines, 20 bad, 30 duplicates -----------------------------------------------------------


@dataclass
class Expected:
    """What the preview must say about one line."""

    outcome: str
    reason: str = ""  # a part of the reason of a rejected line
    first_line: int | None = None
    organisation: Organisation | None = None


COMMUNES = [
    ("Créteil", "94028", "94000"),
    ("Champigny-sur-Marne", "94017", "94500"),
    ("Ivry-sur-Seine", "94041", "94200"),
]
KIND_SPELLINGS = ["Association", "association", "SERVICE MUNICIPAL", "College", "école", "Bailleur social", "caf"]


def new_row(n):
    """A line for a new organisation: varied kinds, identifiers, communes (by name or INSEE code), themes."""
    commune, insee, postcode = COMMUNES[n % 3]
    by_code = n % 3 == 2
    return [
        f"Association numéro {n} {'du quartier' if n % 2 else 'des familles'}",
        KIND_SPELLINGS[n % len(KIND_SPELLINGS)],
        siret_for(6000000 + n) if n % 2 == 0 else "",
        f"W946{n:06d}" if n % 4 == 1 else "",
        f"{n} avenue du Général de Gaulle",
        postcode,
        "" if by_code else (commune.upper() if n % 5 == 0 else commune),
        insee if by_code else "",
        f"contact{n}@structure.fr",
        ["", "Culture; Sport", "parentalite", "Numérique, Santé et bien-être"][n % 4],
        "Camille",
        f"Durand{n}",
        f"camille{n}@structure.fr",
    ]


NAME, KIND, SIRET, RNA, COMMUNE, INSEE, EMAIL, CONTACT = 0, 1, 2, 3, 6, 7, 8, slice(10, 13)
BAD_VALUES = [  # (column, header, value, the start of the reason)
    (SIRET, "SIRET", siret_for(7000001)[:-1] + str((int(siret_for(7000001)[-1]) + 3) % 10), "« "),
    (RNA, "RNA", "W94-12", "« W94-12 » : un numéro RNA s'écrit W suivi de 9 chiffres"),
    (COMMUNE, "Commune", "Ville Imaginaire", "commune « Ville Imaginaire » inconnue"),
    (NAME, "Nom", "", "le nom de la structure est obligatoire"),
    (KIND, "Type", "Fondation", "type « Fondation » inconnu"),
    (EMAIL, "E-mail", "contact@@exemple", "« contact@@exemple » n'est pas une adresse e-mail valide"),
    (NAME, "Nom", "N" * 300, "300 caractères, 255 au plus"),
]


def acceptance_file(creteil, other_cite):
    """500 lines: 450 new organisations, 20 bad lines (every 25th line from the 5th), 12 duplicates of the
    directory (4 by SIRET, 4 by RNA, 4 by name and commune) and 18 duplicates of earlier lines."""
    existing = [
        *(
            OrganisationFactory(name=f"Centre social n°{n}", siret=siret_for(5000000 + n), cites=[other_cite])
            for n in range(4)
        ),
        *(OrganisationFactory(name=f"Club sportif n°{n}", rna=f"W94500000{n}", cites=[creteil]) for n in range(4)),
        *(
            OrganisationFactory(name=f"Théâtre de l'Éveil n°{n}", cites=[creteil] if n % 2 else [other_cite])
            for n in range(4)
        ),
    ]
    for club in existing[4:8]:
        ContactFactory(organisation=club, first_name="Déjà", last_name="Connu", email="deja@connu.fr")
    rows, expected, created = [], {}, []
    for index in range(500):
        number = index + 2  # the header is line 1
        if index % 25 == 3:
            row = new_row(10_000 + index)
            column, header, value, reason = BAD_VALUES[index // 25 % len(BAD_VALUES)]
            row[column], row[INSEE] = value, ""
            if column == SIRET:
                reason = f"« {value} » : la clé de contrôle du SIRET est fausse"
            expected[number] = Expected(ImportOutcome.REJECTED, f"Colonne « {header} » : {reason}")
        elif index % 25 == 7 and index // 25 < 12:
            row, expected[number] = duplicate_of_existing(existing[index // 25], index)
        elif index % 25 == 15 and index // 25 < 18:
            row, expected[number] = duplicate_of_line(index // 25, created)
        else:
            row = new_row(len(created))
            created.append((number, row))
            expected[number] = Expected(ImportOutcome.CREATED)
        rows.append(row)
    return rows, expected


def duplicate_of_existing(organisation, index):
    """A line for an organisation of the directory; names matched on name and commune differ in accents and
    case. Each brings a new contact."""
    name = organisation.name
    if not (organisation.siret or organisation.rna):
        name = name.upper().replace("É", "E").replace("Â", "A")
    row = [name, "Association", organisation.siret, organisation.rna, "", "94000", "Créteil", "", "", ""]
    row += ["Nouveau", f"Contact{index}", f"nouveau{index}@exemple.fr"]
    return row, Expected(ImportOutcome.UPDATED, organisation=organisation)


def duplicate_of_line(count, created):
    """A line repeating an earlier one: by SIRET (another name), by RNA (another name) or by name in other
    case and accents (no identifier). Every other one brings a new contact."""
    rule = count % 3
    candidates = [(number, row) for number, row in created if (row[SIRET], row[RNA], True)[rule]]
    source_line, source = candidates[count * 5 % len(candidates)]
    row = list(source)
    if rule == 0:
        row[NAME], row[RNA] = row[NAME] + " (antenne)", ""
    elif rule == 1:
        row[NAME], row[SIRET] = f"Autre nom {count}", ""
    else:
        row[NAME], row[SIRET], row[RNA] = row[NAME].upper().replace("É", "E"), "", ""
    if count % 2:
        row[CONTACT] = ["Autre", f"Personne{count}", f"autre{count}@structure.fr"]
    return row, Expected(ImportOutcome.DUPLICATE_IN_FILE, first_line=source_line)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_acceptance_500_lines_with_20_bad_and_30_duplicates(client, creteil, other_cite, user_in, kind):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    client.force_login(coordinator)
    rows, expected = acceptance_file(creteil, other_cite)
    outcomes = [e.outcome for e in expected.values()]
    assert (len(rows), outcomes.count("rejected"), outcomes.count("updated") + outcomes.count("duplicate_in_file")) == (
        500,
        20,
        30,
    )
    organisations_before = Organisation.objects.count()
    in_cite_before = Organisation.objects.in_cites([creteil.pk]).count()
    contacts_before = Contact.objects.count()
    before = directory_counts()

    upload = SimpleUploadedFile(f"partenaires-creteil.{kind}", partner_file(HEADERS, rows, kind=kind))
    response = client.post(reverse("partners:import_upload", args=[creteil.anct_id]), {"file": upload})
    partner_import = PartnerImport.objects.get(cite=creteil)
    assert response.status_code == 302 and response["Location"] == reverse(
        "partners:import_mapping", args=[partner_import.pk]
    )
    form = client.get(response["Location"]).context["form"]
    mapping = {name: field.initial for name, field in form.fields.items()}
    assert mapping["name"] == "0" and mapping["contact_email"] == "12"  # every column recognised from its header
    response = client.post(reverse("partners:import_mapping", args=[partner_import.pk]), mapping)
    assert response.status_code == 302
    partner_import.refresh_from_db()
    assert partner_import.status == ImportStatus.PREVIEWED
    assert directory_counts() == before  # nothing written before the confirmation

    # The preview names each bad line and each duplicate.
    preview = {entry["line"]: entry for entry in partner_import.preview}
    assert len(preview) == 500
    for number, expectation in expected.items():
        entry = preview[number]
        assert entry["outcome"] == expectation.outcome, (number, entry)
        if expectation.reason:
            assert any(reason.startswith(expectation.reason) for reason in entry["reasons"]), (number, entry)
        if expectation.first_line:
            assert entry["first_line"] == expectation.first_line, (number, entry)
        if expectation.organisation:
            assert entry["organisation"]["id"] == expectation.organisation.pk, (number, entry)
    assert partner_import.counts == {"created": 450, "updated": 12, "duplicate_in_file": 18, "rejected": 20}
    page = client.get(reverse("partners:import_detail", args=[partner_import.pk]), {"outcome": "rejected"})
    assert page.context["page_obj"].paginator.count == 20
    first_bad = min(number for number, e in expected.items() if e.outcome == "rejected")
    assert f'<th scope="row">{first_bad}</th>' in page.text
    assert expected[first_bad].reason in page.text.replace("&#x27;", "'").replace("&quot;", '"')
    page = client.get(reverse("partners:import_detail", args=[partner_import.pk]), {"outcome": "duplicate_in_file"})
    assert page.context["page_obj"].paginator.count == 18
    assert "doublon de la ligne" in page.text

    # Confirmation: exactly the good, deduplicated lines.
    response = client.post(reverse("partners:import_confirm", args=[partner_import.pk]))
    assert response.status_code == 302
    partner_import.refresh_from_db()
    assert partner_import.status == ImportStatus.DONE, partner_import.error
    assert Organisation.objects.count() == organisations_before + 450
    linked = 2 + 4  # the duplicates by name of other_cite's organisations (2) and by SIRET (4) join Créteil
    assert Organisation.objects.in_cites([creteil.pk]).count() == in_cite_before + 450 + linked
    assert Contact.objects.count() == contacts_before + 450 + 12 + 9
    assert Event.objects.filter(verb=Verb.PARTNERS_IMPORTED, cite=creteil).count() == 1
    assert partner_import.result == {
        "created": 450,
        "updated": 12,
        "contacts": 471,
        "duplicate_in_file": 18,
        "rejected": 20,
    }

    # Spot checks.
    first = Organisation.objects.get(name="Association numéro 0 des familles")
    assert (first.kind, first.siret, first.commune.insee_code, first.email) == (
        OrganisationKind.ASSOCIATION,
        siret_for(6000000),
        "94028",
        "contact0@structure.fr",
    )
    third = Organisation.objects.get(name="Association numéro 2 des familles")
    assert third.commune.insee_code == "94041"  # by its INSEE code
    assert sorted(third.themes.values_list("code", flat=True)) == ["parentalite"]
    theatre = Organisation.objects.get(name="Théâtre de l'Éveil n°0")
    assert set(theatre.cites.all()) == {creteil, other_cite}
    assert theatre.contacts.filter(first_name="Nouveau").count() == 1
    club = Organisation.objects.get(name="Club sportif n°0")
    assert club.contacts.count() == 2
    assert not Organisation.objects.filter(name__contains="(antenne)").exists()
    assert not Organisation.objects.filter(name__startswith="Autre nom").exists()
    assert not Organisation.objects.filter(name__startswith="NNNN").exists()
    assert Contact.objects.filter(first_name="Autre").count() == 9  # new contacts of in-file duplicates
