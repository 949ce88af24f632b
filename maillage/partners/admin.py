"""Administration of the partner directory. Changes go through the services, so that each one is in the log.

Organisations are not deleted here: duplicates are merged (the merge keeps every link and is logged).
"""

from django import forms
from django.contrib import admin

from maillage.partners import services
from maillage.partners.forms.directory import ContactForm, OrganisationChecks, website_field
from maillage.partners.models import Contact, Organisation


class OrganisationAdminForm(OrganisationChecks, forms.ModelForm):
    website = website_field()

    class Meta:
        model = Organisation
        fields = [*services.ORGANISATION_FIELDS, *services.ORGANISATION_LINKS, "cites"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "kind", "siret", "rna", "commune"]
    list_filter = ["kind"]
    search_fields = ["name", "siret", "rna"]
    list_select_related = ["commune"]
    autocomplete_fields = ["school", "commune"]
    filter_horizontal = ["cites", "themes", "age_bands"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.ORGANISATION_FIELDS}
        data |= {link: form.cleaned_data[link] for link in services.ORGANISATION_LINKS}
        cites = list(form.cleaned_data["cites"])
        if change:
            services.update_organisation(actor=request.user, organisation=obj, data={**data, "cites": cites})
            return
        created = services.create_organisation(actor=request.user, cite=cites[0], data=data)
        if len(cites) > 1:
            services.update_organisation(actor=request.user, organisation=created, data={"cites": cites})
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        """The links were set by the service in `save_model`; only inline forms would remain (there are none)."""
        for formset in formsets:
            self.save_formset(request, form, formset, change)


class ContactAdminForm(ContactForm):
    class Meta(ContactForm.Meta):
        fields = ["organisation", *ContactForm.Meta.fields, "user"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    form = ContactAdminForm
    list_display = ["last_name", "first_name", "job_title", "organisation", "user"]
    search_fields = ["last_name", "first_name", "email", "organisation__name"]
    list_select_related = ["organisation", "user"]
    autocomplete_fields = ["organisation", "user"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        """A contact stays at its organisation (a person who moves is a new contact of the other one)."""
        return [*self.readonly_fields, "organisation"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.CONTACT_FIELDS}
        if change:
            services.update_contact(actor=request.user, contact=obj, data=data)
            saved = Contact.objects.select_related("organisation", "user").get(pk=obj.pk)
        else:
            saved = services.create_contact(actor=request.user, organisation=obj.organisation, data=data)
            obj.pk = saved.pk
        services.set_contact_account(actor=request.user, contact=saved, user=form.cleaned_data["user"])

    def delete_model(self, request, obj):
        services.delete_contact(actor=request.user, contact=obj)

    def delete_queryset(self, request, queryset):
        for contact in queryset.select_related("organisation"):
            services.delete_contact(actor=request.user, contact=contact)
