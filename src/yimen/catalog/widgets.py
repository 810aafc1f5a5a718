"""Widgets for the catalog staff pages in the admin."""

from dataclasses import dataclass

from django.contrib.admin.widgets import AdminFileWidget
from django.urls import reverse

from yimen.catalog.models import MaterialSpec


def material_file_url(material: MaterialSpec, part: str) -> str:
    """Where catalog staff open a material's blank form or sample. No URL serves the
    storage itself: a published (or since retired) version's file is the guide's own
    download; a draft's is not public yet, so the admin hands it out."""
    version = material.version
    if version.is_draft:
        return reverse(
            "admin:catalog_itemversion_material_file", args=[version.pk, material.pk, part]
        )
    return reverse(f"catalog:{part}", args=[version.item.code, material.pk])


@dataclass(frozen=True)
class LinkedFile:
    """A stored file as the file input's template shows it: its name, linked to `url`."""

    name: str
    url: str

    def __str__(self) -> str:
        return self.name


class MaterialFileInput(AdminFileWidget):
    """A material's blank form or sample, its current file linked by `material_file_url`."""

    def format_value(self, value):
        if self.is_initial(value):
            return LinkedFile(value.name, material_file_url(value.instance, value.field.name))
        return super().format_value(value)
