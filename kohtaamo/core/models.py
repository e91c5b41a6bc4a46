"""Feedback from anyone: the channel the Act on the Provision of Digital Services (306/2019) requires."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Feedback(models.Model):
    class Topic(models.TextChoices):
        ACCESSIBILITY = "accessibility", _("accessibility")
        CONTENT = "content", _("wrong or missing information")
        OTHER = "other", _("something else")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, default=Topic.ACCESSIBILITY)
    message = models.TextField(_("message"), max_length=4000)
    page = models.CharField(_("page"), max_length=500, blank=True)
    # Optional, given only by those who want an answer; the law asks for one within 14 days.
    reply_to = models.EmailField(_("reply address"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.get_topic_display()} {self.created_at:%Y-%m-%d}"
