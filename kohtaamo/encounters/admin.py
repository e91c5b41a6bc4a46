"""The Django admin for taxonomies and API tokens, scoped by permissions.py like the staff pages.

Encounters themselves are not in the admin: they are anonymous records, read through statistics.
"""

from django.contrib import admin
from django.utils import timezone
from modeltranslation.admin import TranslationAdmin

from kohtaamo.accounts import permissions
from kohtaamo.audit.services import diff, log_action, snapshot
from kohtaamo.encounters.models import ApiToken, Term


@admin.register(Term)
class TermAdmin(TranslationAdmin):
    list_display = ["code", "label", "kind", "county", "active", "order"]
    list_filter = ["kind", "active", "county"]
    search_fields = ["code", "label_fi", "label_sv", "label_en"]
    readonly_fields = ["retired_at"]

    # A county's admins manage their county's terms here too; Django's model permissions are not the policy.
    def has_module_permission(self, request) -> bool:
        return permissions.allows(request.user, permissions.MANAGE)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.allows(request.user, permissions.MANAGE)

    def has_add_permission(self, request) -> bool:
        return permissions.allows(request.user, permissions.MANAGE)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return permissions.allows(request.user, permissions.MANAGE)
        return permissions.can(request.user, permissions.MANAGE, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire a term instead: encounters keep it

    def get_queryset(self, request):
        return permissions.scoped(request.user, super().get_queryset(request), permissions.MANAGE)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "kind", "code"] if obj is not None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "county" and not request.user.is_superuser:
            from kohtaamo.directory.models import WellbeingServicesCounty

            kwargs["queryset"] = WellbeingServicesCounty.objects.filter(pk__in=permissions.county_ids(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        before = snapshot(Term.objects.get(pk=obj.pk)) if change else {}
        # Unticking "active" retires the term; the database insists the two agree.
        if obj.active:
            obj.retired_at = None
        elif obj.retired_at is None:
            obj.retired_at = timezone.now()
        super().save_model(request, obj, form, change)
        action = "term.update" if change else "term.create"
        log_action(request.user, action, obj, changes=diff(before, snapshot(obj)), via="admin")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are made on the "My API tokens" page, where the token is shown once
