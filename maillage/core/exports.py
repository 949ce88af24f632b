"""XLSX exports of every module: one write-only openpyxl workbook, streamed row by row, with a bold frozen
header, column widths, and dates and amounts as real spreadsheet values."""

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = "DD/MM/YYYY"
AMOUNT = "#,##0.00"
EXPORT_CHUNK = 500
"""Rows read from the database at a time (`queryset.iterator(chunk_size=EXPORT_CHUNK)`)."""


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    number_format: str | None = None


def xlsx_workbook(sheet_title: str, columns: Sequence[Column], rows: Iterable[Sequence]):
    """Write `rows` (one value per column) under a header of `columns`. Returns an open temporary file
    positioned at its start; the caller (a FileResponse) streams then closes it."""
    workbook = Workbook(write_only=True)
    append_sheet(workbook, sheet_title, columns, rows)
    return saved(workbook)


def append_sheet(workbook: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> None:
    """One more sheet of a write-only workbook: a bold frozen header, column widths, number formats."""
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in rows:
        row = []
        for column, value in zip(columns, values, strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            if column.number_format:
                cell.number_format = column.number_format
            row.append(cell)
        sheet.append(row)


def saved(workbook: Workbook):
    """The workbook in an open temporary file positioned at its start (a FileResponse streams then closes it)."""
    output = tempfile.TemporaryFile()  # noqa: SIM115  (returned open: the response streams then closes it)
    workbook.save(output)
    output.seek(0)
    return output


def xlsx_download(workbook, name: str, cite) -> FileResponse:
    """The workbook as a download named `<name>-<cité>-<date>.xlsx` (e.g. `decisions-cite-021-2026-11-28.xlsx`)."""
    filename = f"{name}-{cite.anct_id}-{timezone.localdate():%Y-%m-%d}.xlsx"
    return FileResponse(workbook, as_attachment=True, filename=filename, content_type=XLSX)
