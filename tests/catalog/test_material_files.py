"""A material's blank form and sample, as catalog staff upload them in the admin and as the
public downloads them from the service guide: checked by content like every upload, kept
under random names, handed out by the guide's own download address."""

import datetime as dt
import io
import re
import zipfile
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from tests.factories import catalog as make
from yimen.catalog import services
from yimen.catalog.models import ItemVersion, MaterialSpec

pytestmark = pytest.mark.django_db

CODE = "220105-MZJ-001"
MATERIALS_INLINE = 2  # legal bases, form fields, materials, stages


def pdf(text: str = "申请表") -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.drawString(72, 720, text)
    canvas.save()
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(out, format="JPEG")
    return out.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, content in members.items():
            package.writestr(name, content)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("catalog-admin", password="x")
    client.force_login(user)
    return client


def change_url(version: ItemVersion) -> str:
    return reverse("admin:catalog_itemversion_change", args=[version.pk])


def with_new_material(version: ItemVersion, **files) -> dict:
    """The draft's change form as the page sends it, adding one material with `files`."""
    fields = make.version_fields()
    data = {name: getattr(version, name) for name in fields if name != "lead_department"}
    data |= {
        "lead_department": version.lead_department.pk,
        "extension_days": 10,
        "fee_fen": 0,
        "online_depth": 3,
    }
    for prefix in ("legal_bases", "form_fields", "stages"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    row = {
        "order": 2,
        "kind": make.kind("application", "申请表").pk,
        "name": "老年人优待证申请表",
        "form": "both",
        "originals": 1,
        "copies": 0,
        "source": "applicant",
        "necessity": "required",
        **files,
    }
    data |= {"materials-TOTAL_FORMS": 1, "materials-INITIAL_FORMS": 0}
    return data | {f"materials-0-{name}": value for name, value in row.items()}


def download_url(material: MaterialSpec, part: str) -> str:
    return reverse(f"catalog:{part}", args=[material.version.item.code, material.pk])


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- the admin ------------------------------------------------------------------------


PDF_WITH_ZIP_APPENDED = pdf() + zipped({"run.exe": b"MZ\x90\x00"})
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 a program", "申请表.pdf", "不能上传程序或脚本文件。"),
        (PDF_WITH_ZIP_APPENDED, "申请表.pdf", "文件中夹带了其他格式的内容"),
        (DOCX, "申请表.docx", "不能上传 Word、Excel 等办公文档，请另存为 PDF 后上传。"),
        (OLE_DOC, "申请表.doc", "不能上传 Word、Excel 等办公文档，请另存为 PDF 后上传。"),
    ],
    ids=["renamed-program", "polyglot", "docx", "legacy-doc"],
)
def test_the_admin_refuses_what_is_not_a_plain_document_beside_the_field(
    staff, media, content, name, message
):
    draft = make.draft(CODE)
    data = with_new_material(draft, blank_form=SimpleUploadedFile(name, content))
    data["name"] = "改过的名称"

    response = staff.post(change_url(draft), data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][MATERIALS_INLINE].formset
    [error] = formset.forms[0].errors["blank_form"]
    assert message in error
    draft.refresh_from_db()
    assert draft.name == "老年人优待证办理"
    assert [m.name for m in draft.materials.all()] == ["居民身份证"]
    assert stored_files(media) == []


def test_the_admin_says_which_files_it_takes(staff):
    page = staff.get(change_url(make.draft(CODE))).content.decode()
    assert "PDF、OFD、JPG 或 PNG，按文件内容识别。Word、Excel 表格请另存为 PDF 后上传。" in page


def test_accepted_files_are_kept_under_random_names_whatever_they_were_called(staff):
    draft = make.draft(CODE)
    data = with_new_material(
        draft,
        blank_form=SimpleUploadedFile("../../申请表.exe", pdf()),
        sample=SimpleUploadedFile("示范.pdf", jpeg()),
    )

    response = staff.post(change_url(draft), data)

    assert response.status_code == 302
    material = draft.materials.get(name="老年人优待证申请表")
    assert re.fullmatch(r"catalog/forms/[0-9a-f]{32}\.pdf", material.blank_form.name)
    assert re.fullmatch(r"catalog/samples/[0-9a-f]{32}\.jpg", material.sample.name)
    assert default_storage.open(material.blank_form.name).read() == pdf()


# --- the public download --------------------------------------------------------------


@pytest.fixture
def published_with_files(media):
    """A published item whose material has a blank form (PDF) and a sample (JPEG)."""
    draft = make.draft(CODE)
    material = draft.materials.get()
    material.blank_form.save("0123456789abcdef0123456789abcdef.pdf", ContentFile(pdf()))
    material.sample.save("fedcba9876543210fedcba9876543210.jpg", ContentFile(jpeg()))
    services.version_publish(
        version=draft, actor="catalog-admin", effective_from=dt.date(2025, 1, 1)
    )
    material.refresh_from_db()
    return material


def test_the_guide_links_to_the_downloads_and_they_serve_the_file(published_with_files):
    material = published_with_files
    guide = Client().get(reverse("catalog:item", args=[CODE])).content.decode()
    assert f'href="{download_url(material, "blank_form")}"' in guide
    assert f'href="{download_url(material, "sample")}"' in guide
    assert "/media/" not in guide

    served = Client().get(download_url(material, "blank_form"))

    assert served.status_code == 200
    assert b"".join(served.streaming_content) == pdf()
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('居民身份证-空白表格.pdf')}"
    )
    assert served["X-Content-Type-Options"] == "nosniff"

    sample = Client().get(download_url(material, "sample"))
    assert sample["Content-Type"] == "image/jpeg"
    assert quote("居民身份证-示范文本.jpg") in sample["Content-Disposition"]


def test_the_api_gives_the_same_download_addresses(published_with_files):
    material = published_with_files
    detail = Client().get(f"/api/v1/items/{CODE}").json()
    [described] = detail["materials"]
    assert described["blank_form_url"] == download_url(material, "blank_form")
    assert described["sample_url"] == download_url(material, "sample")


def test_nothing_is_served_at_the_storage_address(published_with_files):
    assert Client().get(f"/media/{published_with_files.blank_form.name}").status_code == 404


def test_a_material_without_a_file_has_no_download(media):
    material = make.published(CODE).materials.get()
    assert Client().get(download_url(material, "blank_form")).status_code == 404
    detail = Client().get(f"/api/v1/items/{CODE}").json()
    assert detail["materials"][0]["blank_form_url"] is None


def test_a_draft_materials_file_is_not_public_until_published(media):
    material = make.draft(CODE).materials.get()
    material.blank_form.save("0123456789abcdef0123456789abcdef.pdf", ContentFile(pdf()))
    response = Client().get(download_url(material, "blank_form"))
    assert response.status_code == 404
    assert "未找到该材料的文件。" in response.content.decode()


def test_a_material_is_found_only_under_its_own_item(published_with_files):
    other = make.published("220105-MZJ-002")
    wrong_item = reverse("catalog:blank_form", args=[other.item.code, published_with_files.pk])
    unknown = reverse("catalog:blank_form", args=[CODE, 999_999])
    assert Client().get(wrong_item).status_code == 404
    assert Client().get(unknown).status_code == 404


def test_a_file_missing_from_storage_is_a_clear_not_found(published_with_files):
    default_storage.delete(published_with_files.blank_form.name)
    response = Client().get(download_url(published_with_files, "blank_form"))
    assert response.status_code == 404
    assert "未找到该材料的文件。" in response.content.decode()


# --- the admin's links to the files ---------------------------------------------------


def file_links(page: str) -> dict[str, str]:
    """The links the change page shows for stored files, by the file's stored name."""
    return {
        name: href
        for href, name in re.findall(
            r'<a href="([^"]+)">(catalog/[a-z]+/[0-9a-f]{32}\.\w+)</a>', page
        )
    }


def test_a_drafts_uploaded_file_is_linked_where_staff_can_open_it(staff):
    draft = make.draft(CODE)
    data = with_new_material(draft, blank_form=SimpleUploadedFile("申请表.pdf", pdf()))
    assert staff.post(change_url(draft), data).status_code == 302
    material = draft.materials.get(name="老年人优待证申请表")

    page = staff.get(change_url(draft)).content.decode()

    assert "/media/" not in page
    served = staff.get(file_links(page)[material.blank_form.name])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == pdf()
    assert served["Content-Type"] == "application/pdf"
    assert quote("老年人优待证申请表-空白表格.pdf") in served["Content-Disposition"]


def test_a_drafts_file_is_not_handed_to_those_who_may_not_see_the_catalog(staff):
    draft = make.draft(CODE)
    data = with_new_material(draft, sample=SimpleUploadedFile("示范.jpg", jpeg()))
    staff.post(change_url(draft), data)
    material = draft.materials.get(name="老年人优待证申请表")
    link = file_links(staff.get(change_url(draft)).content.decode())[material.sample.name]
    clerk = Client()
    clerk.force_login(get_user_model().objects.create_user("clerk", is_staff=True))

    assert clerk.get(link).status_code == 403
    assert Client().get(link).status_code == 302  # to the admin's sign-in page
    other_draft = make.draft("220105-MZJ-002")
    elsewhere = reverse(
        "admin:catalog_itemversion_material_file", args=[other_draft.pk, material.pk, "sample"]
    )
    assert staff.get(elsewhere).status_code == 404


def test_a_published_versions_files_are_linked_to_the_guides_downloads(staff, published_with_files):
    material = published_with_files

    page = staff.get(change_url(material.version)).content.decode()

    assert "/media/" not in page
    links = file_links(page)
    assert links[material.blank_form.name] == download_url(material, "blank_form")
    assert links[material.sample.name] == download_url(material, "sample")
    served = staff.get(links[material.blank_form.name])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == pdf()
