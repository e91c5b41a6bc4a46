from django.contrib import admin

from kohtaamo.core.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "topic", "page", "handled"]
    list_filter = ["topic", "handled"]
    readonly_fields = ["created_at", "topic", "message", "page", "reply_to", "language"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False
