"""Property-based tests (hypothesis) of the partner import: whatever the file, reading and analysing it
raise nothing but our own French errors and write nothing; and writing a preview is all or nothing."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from maillage.core.models import Event
from maillage.partners.importers import (
    TARGETS,
    ImportConflictError,
    ImportFileError,
    PartnerImportError,
    Table,
    Vocabularies,
    analyse,
    read_table,
    write_preview,
)
from maillage.partners.models import Contact, ImportOutcome, Organisation, PartnerImport
from tests.factories import OrganisationFactory, partner_file, siret_for

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Cells: any text, and values that look like what the import expects (kinds, communes, identifiers…).
PLAUSIBLE = [
    "Association",
    "collège",
    "Service municipal",
    "Créteil",
    "Saint-Denis",
    "94028",
    "94000",
    siret_for(1234567),
    "12345678901234",
    "W941234567",
    "W12",
    "Culture; Sport",
    "contact@exemple.fr",
    "pas@@mail",
    "https://exemple.fr",
    "Ana",
    "",
    " ",
    "1e20",
    "N" * 300,
]
CONTROLS = "".join(chr(code) for code in [*range(32), 127] if chr(code) not in "\t\n\r")
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=CONTROLS), max_size=40)
cells = st.one_of(text, st.sampled_from(PLAUSIBLE))  # separators, quotes and line breaks included
kinds = st.sampled_from(["Association", "collège", "CAF", "service municipal", "Fondation", ""])
headers = st.lists(
    st.one_of(text, st.sampled_from(["Nom", "Type", "SIRET", "Commune", "E-mail"])), min_size=1, max_size=10
)


def rows_of(cell):
    """Lines whose first two cells often make a valid name and kind, so that analysis goes beyond rejections."""
    return st.builds(lambda name, kind, rest: [name, kind, *rest], cell, kinds, st.lists(cell, max_size=8))


@pytest.fixture
def vocabularies(reference_data):
    """Read once per test, not once per example."""
    return Vocabularies()


def directory_state():
    return Organisation.objects.count(), Contact.objects.count(), Event.objects.count()


def read_and_analyse(file_name, data, draw, cite, vocabularies):
    """Reading refuses the file with a French reason, or gives a table that is then analysed."""
    try:
        table = read_table(file_name, data)
    except ImportFileError as error:
        assert str(error)
        event(f"file refused: {str(error)[:50]}")
        return
    check_analysis(table, random_mapping(draw.draw, len(table.headers)), cite, vocabularies)


def check_analysis(table, mapping, cite, vocabularies):
    """Analysing never raises anything but our own errors, gives one entry per line, writes nothing."""
    before = directory_state()
    try:
        entries = analyse(table, mapping, cite.pk, vocabularies=vocabularies)
    except PartnerImportError as error:
        assert str(error)
        event("mapping refused")
    else:
        event(f"analysed, outcomes: {sorted({entry['outcome'] for entry in entries})}")
        assert [entry["line"] for entry in entries] == [number for number, _ in table.rows]
        assert {entry["outcome"] for entry in entries} <= set(ImportOutcome.values)
        for entry in entries:
            assert (entry["outcome"] == ImportOutcome.REJECTED) == bool(entry.get("reasons"))
    assert directory_state() == before


def random_mapping(draw, columns: int) -> dict[str, int]:
    """Any fields on any columns; often the name and kind on the first two."""
    names = [target.name for target in TARGETS]
    mapping = {
        name: draw(st.integers(0, columns - 1))
        for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=4))
    }
    if draw(st.booleans()):
        mapping |= {"name": 0, "kind": min(1, columns - 1)}
    return mapping


@EXAMPLES
@given(data=st.binary(max_size=3000), extension=st.sampled_from(["csv", "xlsx", "CSV", "txt", "xls", ""]))
def test_random_bytes_are_refused_or_read(db, data, extension):
    try:
        table = read_table(f"annuaire.{extension}", data)
    except ImportFileError as error:
        assert str(error)
    else:
        assert table.headers and all(isinstance(header, str) for header in table.headers)
        assert all(len(cells) == len(table.headers) for _, cells in table.rows)


@EXAMPLES
@given(
    draw=st.data(),
    header=headers,
    rows=st.lists(st.one_of(rows_of(cells), st.lists(cells, max_size=10)), max_size=15),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-8", "utf-16"]),
    delimiter=st.sampled_from([";", ",", ";", ",", "\t"]),
    quote=st.booleans(),
)
def test_random_csv_files_never_crash_nor_write(creteil, vocabularies, draw, header, rows, encoding, delimiter, quote):
    """Cells of any text (quotes, separators and line breaks inside), rows of any length, any encoding."""
    if quote:
        text = partner_file(header, rows, delimiter=delimiter).decode()
    else:
        text = "\n".join(delimiter.join(line) for line in [header, *rows])
    data = text.encode(encoding, errors="replace")
    read_and_analyse("annuaire.csv", data, draw, creteil, vocabularies)


@EXAMPLES
@given(
    draw=st.data(),
    header=headers,
    rows=st.lists(rows_of(st.one_of(cells, st.integers(), st.floats(), st.none())), max_size=10),
    damage=st.sampled_from(["none", "truncate", "flip"]),
)
def test_random_and_damaged_workbooks_never_crash_nor_write(creteil, vocabularies, draw, header, rows, damage):
    data = partner_file(header, rows, kind="xlsx")
    if damage == "truncate":
        data = data[: draw.draw(st.integers(0, len(data) - 1))]
    elif damage == "flip":
        position = draw.draw(st.integers(0, len(data) - 1))
        data = data[:position] + bytes([data[position] ^ draw.draw(st.integers(1, 255))]) + data[position + 1 :]
    read_and_analyse("annuaire.xlsx", data, draw, creteil, vocabularies)


@EXAMPLES
@given(draw=st.data(), count=st.integers(1, 12), rule=st.sampled_from(["siret", "rna", "name", None]))
def test_writing_a_preview_is_all_or_nothing(creteil, vocabularies, draw, count, rule):
    """Someone adds, between the preview and the confirmation, an organisation one line now duplicates:
    nothing of the file is written, not even the lines before it. Without it, every line is written."""
    header = ["Nom", "Type", "SIRET", "RNA", "Commune", "Contact prénom", "Contact nom"]
    lines = [
        [f"Structure {n}", "Association", siret_for(3000000 + n), f"W93{n:07d}", "Créteil", "Ana", f"Nom{n}"]
        for n in range(count)
    ]
    table = Table(header, [(number, cells) for number, cells in enumerate(lines, start=2)])
    mapping = {
        "name": 0,
        "kind": 1,
        "siret": 2,
        "rna": 3,
        "commune": 4,
        "contact_first_name": 5,
        "contact_last_name": 6,
    }
    with transaction.atomic():
        entries = analyse(table, mapping, creteil.pk, vocabularies=vocabularies)
        assert [entry["outcome"] for entry in entries] == [ImportOutcome.CREATED] * count
        partner_import = PartnerImport(cite=creteil, preview=entries, file_name="annuaire.csv")
        if rule:
            row = lines[draw.draw(st.integers(0, count - 1))]
            OrganisationFactory(
                **{"siret": {"siret": row[2]}, "rna": {"rna": row[3]}, "name": {"name": row[0].upper()}}[rule]
            )
        before = directory_state()
        if rule:
            with pytest.raises(ImportConflictError, match="Rien n'a été importé"):
                write_preview(partner_import, actor=None)
            assert directory_state() == before
            assert not Organisation.objects.filter(name__in=[row[0] for row in lines]).exists()
        else:
            assert write_preview(partner_import, actor=None)["created"] == count
            assert directory_state() == (before[0] + count, before[1] + count, before[2] + 1)
        transaction.set_rollback(True)
