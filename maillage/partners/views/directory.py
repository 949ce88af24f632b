"""The partner directory: a cité's list of organisations, an organisation's page and record, its contacts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.core.perimeter import perimeter_of
from maillage.core.queries import count_of
from maillage.partners import services
from maillage.partners.forms.directory import ContactForm, DirectoryFilterForm, OrganisationForm
from maillage.partners.models import Contact, Organisation
from maillage.territories.models import Cite

ORGANISATIONS_PER_PAGE = 20
HISTORY_LENGTH = 10


def directory(request, anct_id):
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("partners.view_directory", cite):
        raise PermissionDenied("Cette cité n'est pas dans votre périmètre.")
    remember_cite(request, cite)
    form = DirectoryFilterForm(request.GET or None, cite=cite)
    organisations = (
        form.search(Organisation.objects.for_user(request.user).in_cites([cite.pk]))
        .select_related("commune")
        .prefetch_related("themes")
        .annotate(contact_count=count_of(Contact.objects.filter(organisation=OuterRef("pk")), "organisation"))
        .order_by("name_key", "pk")
    )
    page = Paginator(organisations, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": f"Partenaires — {cite.name}",
        "cite": cite,
        "form": form,
        "page_obj": page,
        "can_manage": request.user.has_perm("partners.manage_directory", cite),
    }
    template = "partners/_directory_results.html" if request.htmx else "partners/directory.html"
    return render(request, template, context)


def organisation_create(request, anct_id):
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("partners.manage_directory", cite):
        raise PermissionDenied("Seul le chef de projet de la cité ajoute des structures à son annuaire.")
    form = OrganisationForm(request.POST if request.method == "POST" else None, cites=[cite], directory_cite=cite)
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(actor=request.user, cite=cite, data=form.cleaned_data)
        messages.success(request, f"La structure « {organisation.name} » est ajoutée à l'annuaire de la cité.")
        return redirect(organisation)
    return render(
        request,
        "partners/organisation_form.html",
        {"title": f"Ajouter une structure — {cite.name}", "cite": cite, "form": form},
    )


def organisation_map_points(organisation: Organisation) -> list[dict]:
    """The organisation as the map script reads it (json_script), when it has coordinates."""
    if organisation.latitude is None or organisation.longitude is None:
        return []
    return [
        {
            "name": organisation.name,
            "lat": organisation.latitude,
            "lon": organisation.longitude,
            "network": "",
            "url": organisation.get_absolute_url(),
        }
    ]


def organisation_detail(request, pk):
    organisation = get_object_or_404(
        Organisation.objects.select_related("commune", "school").prefetch_related("cites", "themes", "age_bands"),
        pk=pk,
    )
    user = request.user
    if not user.has_perm("partners.view_organisation", organisation):
        raise PermissionDenied("Cette structure n'intervient dans aucune cité de votre périmètre.")
    perimeter = perimeter_of(user)
    cites = [(cite, perimeter.sees_all or perimeter.is_member(cite.pk)) for cite in organisation.cites.all()]
    can_view_contacts = user.has_perm("partners.view_contacts", organisation)
    contacts = Contact.objects.for_user(user).filter(organisation=organisation) if can_view_contacts else None
    events = Event.objects.for_user(user).for_object(organisation).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "title": organisation.name,
            "organisation": organisation,
            "cites": cites,
            "contacts": contacts,
            "can_view_contacts": can_view_contacts,
            "can_change": user.has_perm("partners.change_organisation", organisation),
            "join_cite": cite_to_join(request, organisation),
            "map_points": organisation_map_points(organisation),
            "events": events,
        },
    )


def cite_to_join(request, organisation: Organisation) -> Cite | None:
    """The user's current cité, when the organisation is not in its directory and the user manages it."""
    current = request.current_cite
    if not current or current.pk in {cite.pk for cite in organisation.cites.all()}:
        return None
    cite = Cite.objects.filter(pk=current.pk).first()
    return cite if request.user.has_perm("partners.manage_directory", cite) else None


def organisation_update(request, pk):
    organisation = get_object_or_404(Organisation.objects.prefetch_related("cites"), pk=pk)
    if not request.user.has_perm("partners.change_organisation", organisation):
        raise PermissionDenied(
            "Seuls le chef de projet d'une de ses cités et les porteurs de projet de la structure modifient sa fiche."
        )
    form = OrganisationForm(
        request.POST if request.method == "POST" else None,
        instance=organisation,
        cites=organisation.cites.all(),
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid():
        services.update_organisation(actor=request.user, organisation=organisation, data=form.cleaned_data)
        organisation = Organisation.objects.prefetch_related("cites").get(pk=organisation.pk)
        if request.user.has_perm("partners.view_organisation", organisation):
            messages.success(request, "La fiche de la structure est enregistrée.")
            return redirect(organisation)
        messages.success(request, f"La structure « {organisation.name} » n'est plus dans l'annuaire de votre cité.")
        current = request.current_cite
        return redirect("partners:directory", current.anct_id) if current else redirect("core:home")
    return render(
        request,
        "partners/organisation_form.html",
        {"title": f"Modifier — {organisation.name}", "organisation": organisation, "form": form},
    )


@require_POST
def organisation_join_cite(request, pk):
    organisation = get_object_or_404(Organisation.objects.prefetch_related("cites"), pk=pk)
    cite = get_object_or_404(Cite, anct_id=request.POST.get("cite", ""))
    if not request.user.has_perm("partners.manage_directory", cite):
        raise PermissionDenied("Seul le chef de projet de la cité ajoute des structures à son annuaire.")
    added = services.add_organisation_to_cite(actor=request.user, organisation=organisation, cite=cite)
    state = "est ajoutée à" if added else "était déjà dans"
    messages.success(request, f"La structure « {organisation.name} » {state} l'annuaire de la cité {cite.name}.")
    return redirect(organisation)


def organisation_to_change(request, pk) -> Organisation:
    organisation = get_object_or_404(Organisation.objects.prefetch_related("cites"), pk=pk)
    check_can_change(request, organisation)
    return organisation


def contact_to_change(request, pk) -> Contact:
    contact = get_object_or_404(Contact.objects.select_related("organisation"), pk=pk)
    check_can_change(request, contact.organisation)
    return contact


def check_can_change(request, organisation: Organisation) -> None:
    if not request.user.has_perm("partners.change_organisation", organisation):
        raise PermissionDenied(
            "Seuls le chef de projet d'une de ses cités et les porteurs de projet de la structure modifient "
            "ses contacts."
        )


def contact_create(request, pk):
    organisation = organisation_to_change(request, pk)
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        contact = services.create_contact(actor=request.user, organisation=organisation, data=form.cleaned_data)
        messages.success(request, f"Le contact {contact.full_name} est ajouté à la structure.")
        return redirect(organisation.get_absolute_url() + "#contacts")
    return render(
        request,
        "partners/contact_form.html",
        {"title": f"Ajouter un contact — {organisation.name}", "organisation": organisation, "form": form},
    )


def contact_update(request, pk):
    contact = contact_to_change(request, pk)
    organisation = contact.organisation
    form = ContactForm(request.POST if request.method == "POST" else None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.update_contact(actor=request.user, contact=contact, data=form.cleaned_data)
        messages.success(request, "Le contact est enregistré.")
        return redirect(organisation.get_absolute_url() + "#contacts")
    return render(
        request,
        "partners/contact_form.html",
        {"title": f"Modifier un contact — {organisation.name}", "organisation": organisation, "form": form},
    )


def contact_delete(request, pk):
    contact = contact_to_change(request, pk)
    organisation = contact.organisation
    if request.method == "POST":
        try:
            services.delete_contact(actor=request.user, contact=contact)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Le contact {contact.full_name} est retiré de la structure.")
        return redirect(organisation.get_absolute_url() + "#contacts")
    return render(
        request,
        "partners/contact_confirm_delete.html",
        {"title": f"Retirer un contact — {organisation.name}", "organisation": organisation, "contact": contact},
    )
