"""A new vocabulary version whenever a term or a language is saved or deleted (models.Vocabulary)."""

from __future__ import annotations

import uuid

from django.db.models.signals import post_delete, post_save

from kohtaamo.directory.models import Language
from kohtaamo.encounters.models import Term, Vocabulary

ROW = 1


def vocabulary_changed(**kwargs) -> None:
    """A fresh random version (not a counter: a rolled-back change must not make an old number current again)."""
    version = uuid.uuid4().hex
    if not Vocabulary.objects.filter(pk=ROW).update(version=version):
        Vocabulary.objects.update_or_create(pk=ROW, defaults={"version": version})


def connect() -> None:
    for model in (Term, Language):
        post_save.connect(vocabulary_changed, sender=model, dispatch_uid=f"vocabulary-save-{model.__name__}")
        post_delete.connect(vocabulary_changed, sender=model, dispatch_uid=f"vocabulary-delete-{model.__name__}")
