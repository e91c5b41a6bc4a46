"""The Django admin for directory data; every change is written to the audit log."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from kohtaamo.audit.services import diff, log_action, snapshot
from kohtaamo.directory.models import (
    Language,
    Municipality,
    OpeningException,
    OpeningRule,
    Organisation,
    Site,
    WellbeingServicesCounty,
)


class AuditedAdmin(TranslationAdmin):
    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        self._audit_before = (before, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before, changed = getattr(self, "_audit_before", ({}, change))
        obj = form.instance
        label = obj._meta.model_name
        log_action(
            request.user,
            f"{label}.{'update' if changed else 'create'}",
            obj,
            changes=diff(before, snapshot(obj)),
            via="admin",
        )

    def delete_model(self, request, obj):
        log_action(request.user, f"{obj._meta.model_name}.delete", obj, before=snapshot(obj), via="admin")
        super().delete_model(request, obj)


@admin.register(WellbeingServicesCounty)
class CountyAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name_fi", "name_sv"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    search_fields = ["code", "name_fi", "name_sv"]


@admin.register(Language)
class LanguageAdmin(AuditedAdmin):
    list_display = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "business_id", "county"]
    list_filter = ["kind", "county"]
    search_fields = ["name_fi", "name_sv", "business_id"]


class OpeningRuleInline(TranslationTabularInline):
    model = OpeningRule
    extra = 0
    filter_horizontal = ["partners"]


class OpeningExceptionInline(TranslationTabularInline):
    model = OpeningException
    extra = 0


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "kind", "municipality", "is_public"]
    list_filter = ["kind", "is_public", "municipality__county"]
    search_fields = ["name_fi", "name_sv", "name_en"]
    filter_horizontal = ["organisations", "languages"]
    inlines = [OpeningRuleInline, OpeningExceptionInline]
