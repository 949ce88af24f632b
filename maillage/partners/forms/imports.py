"""Forms of the partner import (upload, column mapping, preview filter) and of the merge screen."""

from django import forms
from django.conf import settings

from maillage.partners import importers
from maillage.partners.dedupe import KEPT, OTHER, MergeField, default_choice, differing_fields, field_values
from maillage.partners.models import ImportOutcome, Organisation


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Fichier des structures partenaires",
        help_text=(
            "Un fichier CSV (colonnes séparées par « ; » ou « , ») ou un classeur Excel (.xlsx), "
            f"de {settings.UPLOAD_MAX_SIZE // (1024 * 1024)} Mo au plus. "
            "La première ligne donne le nom des colonnes ; une ligne par structure."
        ),
    )

    def clean_file(self):
        """Check the size, then read the header and first lines: the file is refused now if it is not a
        readable CSV or XLSX table. `self.table` keeps what was read."""
        upload = self.cleaned_data["file"]
        error = importers.upload_error(upload)
        if error:
            raise forms.ValidationError(error)
        upload.seek(0)
        try:
            self.table = importers.read_table(upload.name, upload.read(), limit=importers.SAMPLE_SIZE)
        except importers.ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        upload.seek(0)
        return upload


NO_COLUMN = ""


class ColumnMappingForm(forms.Form):
    """For each field the import can fill, the column of the file that holds it (or none)."""

    def __init__(self, *args, headers: list[str], initial_mapping: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(NO_COLUMN, "— Aucune colonne —"), *((str(index), header) for index, header in enumerate(headers))]
        self.headers = headers
        for target in importers.TARGETS:
            required = target.name in importers.REQUIRED_TARGETS
            self.fields[target.name] = forms.ChoiceField(
                label=target.label,
                choices=choices,
                required=required,
                help_text=target.help_text,
                initial=str(initial_mapping[target.name]) if target.name in initial_mapping else NO_COLUMN,
                error_messages={"required": f"Choisissez la colonne qui donne : {target.label.lower()}."},
            )

    @property
    def groups(self) -> list[tuple[str, list]]:
        """The fields by group (the structure, its address, a contact), for one fieldset each."""
        groups: dict[str, list] = {}
        for target in importers.TARGETS:
            groups.setdefault(target.group, []).append(self[target.name])
        return list(groups.items())

    def clean(self):
        cleaned = super().clean()
        used: dict[str, str] = {}
        for target in importers.TARGETS:
            column = cleaned.get(target.name)
            if not column:
                continue
            if column in used:
                header = self.headers[int(column)]
                self.add_error(target.name, f"La colonne « {header} » est déjà choisie pour : {used[column].lower()}.")
            else:
                used[column] = target.label
        return cleaned

    @property
    def mapping(self) -> dict[str, int]:
        return {name: int(column) for name, column in self.cleaned_data.items() if column}


class PreviewFilterForm(forms.Form):
    is_filter = True

    outcome = forms.ChoiceField(
        label="Résultat",
        choices=[("", "Toutes les lignes"), *ImportOutcome.choices],
        required=False,
    )


class MergeForm(forms.Form):
    """For each field whose values differ, which of the two organisations' values the merge keeps."""

    def __init__(self, *args, kept: Organisation, other: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept, self.other = kept, other
        for merge_field in differing_fields(kept, other):
            self.fields[merge_field.name] = forms.ChoiceField(
                label=merge_field.label,
                choices=[
                    (KEPT, f"{shown(kept, merge_field)} (structure n°{kept.pk})"),
                    (OTHER, f"{shown(other, merge_field)} (structure n°{other.pk})"),
                ],
                initial=default_choice(kept, other, merge_field),
                widget=forms.RadioSelect,
            )

    @property
    def choices(self) -> dict[str, str]:
        return dict(self.cleaned_data)


def shown(organisation: Organisation, merge_field: MergeField) -> str:
    """A value as the radio button shows it: labels for choices, "vide" when empty."""
    if merge_field.name == "kind":
        return organisation.get_kind_display()
    values = [str(value) for value in field_values(organisation, merge_field) if value not in (None, "")]
    text = ", ".join(values) or "(vide)"
    return text if len(text) <= 120 else text[:119] + "…"
