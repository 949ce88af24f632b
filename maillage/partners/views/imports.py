"""Pages of the partner import (upload → columns → preview → confirmation), of a cité's duplicates and of
the merge of two organisations. Only the cité's coordinator (and administrators) reach them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from maillage.core.middleware import remember_cite
from maillage.partners import dedupe, importers
from maillage.partners.forms.imports import ColumnMappingForm, ImportUploadForm, MergeForm, PreviewFilterForm, shown
from maillage.partners.models import ImportOutcome, ImportStatus, Organisation, PartnerImport
from maillage.territories.models import Cite

LINES_PER_PAGE = 50
GROUPS_PER_PAGE = 20
RECENT_IMPORTS = 10
MAPPABLE = (ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED)
NOT_COORDINATOR = "Seul le chef de projet de la cité gère l'annuaire de ses partenaires."


def managed_cite(request, anct_id: str) -> Cite:
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("partners.manage_directory", cite):
        raise PermissionDenied(NOT_COORDINATOR)
    return cite


def managed_import(request, pk: int, *, with_preview: bool = True) -> PartnerImport:
    imports = PartnerImport.objects.select_related("cite")
    if not with_preview:
        imports = imports.defer("preview")
    partner_import = get_object_or_404(imports, pk=pk)
    if not request.user.has_perm("partners.manage_directory", partner_import.cite):
        raise PermissionDenied(NOT_COORDINATOR)
    return partner_import


def import_upload(request, anct_id):
    cite = managed_cite(request, anct_id)
    remember_cite(request, cite)
    is_post = request.method == "POST"
    form = ImportUploadForm(request.POST if is_post else None, request.FILES if is_post else None)
    if is_post and form.is_valid():
        partner_import = importers.start_import(
            actor=request.user, cite=cite, upload=form.cleaned_data["file"], table=form.table
        )
        return redirect("partners:import_mapping", partner_import.pk)
    recent = (
        PartnerImport.objects.for_user(request.user)
        .filter(cite=cite)
        .select_related("created_by")
        .defer("preview", "sample_rows", "headers", "mapping")[:RECENT_IMPORTS]
    )
    return render(
        request,
        "partners/import_upload.html",
        {"title": f"Importer des structures partenaires — {cite}", "cite": cite, "form": form, "imports": recent},
    )


def import_mapping(request, pk):
    partner_import = managed_import(request, pk, with_preview=False)
    if partner_import.status not in MAPPABLE:
        messages.info(request, "Cet import est en cours ou terminé : ses colonnes ne se modifient plus.")
        return redirect(partner_import)
    form = ColumnMappingForm(
        request.POST if request.method == "POST" else None,
        headers=partner_import.headers,
        initial_mapping=importers.remembered_mapping(partner_import),
    )
    if request.method == "POST" and form.is_valid():
        importers.map_columns(actor=request.user, partner_import=partner_import, mapping=form.mapping)
        return redirect(partner_import)
    return render(
        request,
        "partners/import_mapping.html",
        {
            "title": f"Colonnes du fichier « {partner_import.file_name} »",
            "partner_import": partner_import,
            "cite": partner_import.cite,
            "form": form,
        },
    )


def import_detail(request, pk):
    """Progress while a task runs (polled by htmx every second), then the preview or the result."""
    polling = bool(request.htmx and request.GET.get("progression"))
    partner_import = managed_import(request, pk, with_preview=not polling)
    if polling:
        if not partner_import.is_running:
            return HttpResponseClientRefresh()
        return render(request, "partners/_import_progress.html", {"partner_import": partner_import})
    filter_form = PreviewFilterForm(request.GET or None)
    entries = partner_import.preview
    if filter_form.is_valid() and filter_form.cleaned_data["outcome"]:
        entries = [entry for entry in entries if entry["outcome"] == filter_form.cleaned_data["outcome"]]
    page = Paginator(entries, LINES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/import_detail.html",
        {
            "title": f"Import « {partner_import.file_name} »",
            "partner_import": partner_import,
            "cite": partner_import.cite,
            "filter_form": filter_form,
            "page_obj": page,
            "outcomes": outcome_counts(partner_import),
            "result_summary": importers.result_summary(partner_import.result) if partner_import.result else "",
        },
    )


def outcome_counts(partner_import: PartnerImport) -> list[tuple[str, str, int]]:
    """(outcome, French label, number of lines) for the counts at the top of the preview."""
    return [(outcome.value, outcome.label, partner_import.counts.get(outcome.value, 0)) for outcome in ImportOutcome]


@require_POST
def import_confirm(request, pk):
    partner_import = managed_import(request, pk, with_preview=False)
    try:
        importers.confirm_import(actor=request.user, partner_import=partner_import)
    except importers.PartnerImportError as error:
        messages.error(request, str(error))
    return redirect(partner_import)


def duplicates(request, anct_id):
    cite = managed_cite(request, anct_id)
    remember_cite(request, cite)
    page = Paginator(dedupe.duplicate_keys(cite), GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/duplicates.html",
        {
            "title": f"Doublons de l'annuaire — {cite}",
            "cite": cite,
            "page_obj": page,
            "groups": dedupe.duplicate_groups(cite, list(page.object_list)),
        },
    )


def merge(request, pk, other):
    if pk == other:
        raise Http404("Une structure ne se fusionne pas avec elle-même.")
    organisations = Organisation.objects.select_related("commune", "school")
    kept, other = get_object_or_404(organisations, pk=pk), get_object_or_404(organisations, pk=other)
    if not dedupe.may_merge(request.user, kept, other):
        raise PermissionDenied(
            "Seul le chef de projet d'une cité où travaillent les deux structures peut les fusionner."
        )
    back_cite = merge_cite(request, kept, other)
    form = MergeForm(request.POST if request.method == "POST" else None, kept=kept, other=other)
    if request.method == "POST" and form.is_valid():
        other_name = other.name
        try:
            merged = dedupe.merge_organisations(actor=request.user, kept=kept, other=other, choices=form.choices)
        except dedupe.MergeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"« {other_name} » est fusionnée dans « {merged.name} ».")
            if back_cite:
                return redirect("partners:duplicates", back_cite.anct_id)
            return redirect(merged)
    return render(
        request,
        "partners/merge.html",
        {
            "title": f"Fusionner « {kept.name} » et « {other.name} »",
            "kept": kept,
            "other": other,
            "form": form,
            "cite": back_cite,
            "comparison": comparison(kept, other),
        },
    )


def merge_cite(request, kept: Organisation, other: Organisation) -> Cite | None:
    """The cité whose duplicates the person came from (`?cite=`), else the first shared one they manage."""
    managed = [
        cite for cite in dedupe.shared_cites(kept, other) if request.user.has_perm("partners.manage_directory", cite)
    ]
    wanted = request.GET.get("cite")
    return next((cite for cite in managed if cite.anct_id == wanted), managed[0] if managed else None)


def comparison(kept: Organisation, other: Organisation) -> list[tuple[str, str, str, bool]]:
    """(label, value of kept, value of other, differ?) for the side-by-side table. The links (cités,
    themes, contacts) are gathered by the merge, whatever the choices."""
    differing = dedupe.differing_fields(kept, other)
    rows = [(field.label, shown(kept, field), shown(other, field), field in differing) for field in dedupe.MERGE_FIELDS]
    for label, relation in (("Cités éducatives", "cites"), ("Thématiques", "themes"), ("Contacts", "contacts")):
        kept_items = sorted(str(item) for item in getattr(kept, relation).all())
        other_items = sorted(str(item) for item in getattr(other, relation).all())
        rows.append((label, ", ".join(kept_items) or "(aucun)", ", ".join(other_items) or "(aucun)", False))
    return rows
