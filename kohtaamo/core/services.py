"""Writes of the core app."""

from django.db import transaction

from kohtaamo.core.models import Feedback


@transaction.atomic
def feedback_create(*, topic: str, message: str, page: str = "", reply_to: str = "", language: str = "") -> Feedback:
    feedback = Feedback(topic=topic, message=message, page=page, reply_to=reply_to, language=language)
    feedback.full_clean()
    feedback.save()
    return feedback
