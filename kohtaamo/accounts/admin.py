from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from kohtaamo.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "county", "municipality", "is_active"]
    list_filter = ["role", "county", "is_active", "is_superuser"]
    filter_horizontal = ["sites", "groups", "user_permissions"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ["role", "county", "municipality", "sites"]}),
    ]
