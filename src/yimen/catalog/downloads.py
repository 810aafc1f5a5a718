"""A material's blank form or sample handed out as a download, wherever it is served from
(the public guide, or the admin for a draft)."""

import os

from django.http import FileResponse
from django.utils.translation import gettext as _

from yimen.catalog.models import MaterialSpec
from yimen.errors import NotFound
from yimen.uploads import stored_content_type


def material_file_response(material: MaterialSpec, part: str) -> FileResponse:
    """The file as an attachment named after the material (营业执照-空白表格.pdf); NotFound
    when it is gone from storage."""
    stored = getattr(material, part)
    try:
        opened = stored.open("rb")
    except FileNotFoundError:
        raise NotFound("material_file_not_found", _("未找到该材料的文件。")) from None
    label = MaterialSpec._meta.get_field(part).verbose_name
    return FileResponse(
        opened,
        as_attachment=True,
        filename=f"{material.name}-{label}{os.path.splitext(stored.name)[1]}",
        content_type=stored_content_type(stored.name),
    )
