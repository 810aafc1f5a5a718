"""Application forms sealed at rest.

Forms ask for other people's resident IDs, addresses and phones (a spouse's, a child's),
so the database, and a backup of it, holds a form only as `sealing.seal` text; Python
code sees the dict. The column is plain text: nothing can be queried inside a form.
"""

import json

from django import forms
from django.db import models

from yimen.subjects import sealing


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def seal_form(value) -> str:
    """The text a form is stored as; equal forms give different text (fresh nonce)."""
    return sealing.seal(_canonical(value))


class OpenedForm(dict):
    """A form as read from the database, remembering the sealed text it came from, so
    that writing it back unchanged (a save, a backup, a restore) keeps that very text."""

    __slots__ = ("canonical", "sealed")

    def __init__(self, sealed: str, canonical: str):
        super().__init__(json.loads(canonical))
        self.sealed, self.canonical = sealed, canonical

    def sealed_if_unchanged(self) -> str | None:
        return self.sealed if _canonical(self) == self.canonical else None


class StillSealed(str):
    """Sealed text loaded from a backup, written back as it is: a restore needs no key."""


class SealedJSONField(models.TextField):
    """A form's dict stored sealed with the installation's field key."""

    def _open(self, sealed: str) -> OpenedForm:
        try:
            return OpenedForm(sealed, sealing.unseal(sealed))
        except sealing.UnsealError as error:
            raise sealing.UnsealError(
                f"{self.model._meta.label}.{self.name} cannot be opened: {error}"
                " (is YIMEN_FIELD_KEY, or SECRET_KEY without it, the one it was sealed with?)"
            ) from error

    def from_db_value(self, value, expression, connection):
        return None if value is None else self._open(value)

    def to_python(self, value):
        # A string is the sealed text a backup holds; a form itself is a dict.
        return StillSealed(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        if value is None or isinstance(value, StillSealed):
            return value
        if isinstance(value, OpenedForm) and (sealed := value.sealed_if_unchanged()):
            return sealed
        return seal_form(value)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
