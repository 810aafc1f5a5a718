"""Uploads: the type is what the content is, never what the name says; programs, polyglots,
encrypted, scripted or broken PDFs, pixel bombs and ZIP bombs are refused with a clear
message; files are stored under random names that no URL serves, and handed out only to
those who may see them."""

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfgen.canvas import Canvas

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import subjects as people
from yimen import uploads
from yimen.cases import services as cases
from yimen.cases.models import CaseMaterial
from yimen.cases.states import CaseState
from yimen.catalog.models import Role
from yimen.errors import InvalidInput
from yimen.subjects import services as subjects
from yimen.subjects.models import LockerEntry

MB = 1024 * 1024
PE_STUB = b"This program cannot be run in DOS mode"


def pdf(text: str = "scan", **canvas_options) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1, **canvas_options)
    canvas.drawString(72, 720, text)
    canvas.save()
    return out.getvalue()


def image(image_format: str, size=(16, 16), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format=image_format, **options)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims another size (a pixel bomb), its CRC made right."""
    data = bytearray(image("PNG"))
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header[4:]
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in members.items():
            package.writestr(name, content)
    return out.getvalue()


def marked_encrypted(package: bytes) -> bytes:
    """The package with every member flagged as encrypted (zipfile cannot write that)."""
    data = bytearray(package)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        for found in re.finditer(re.escape(signature), bytes(data)):
            data[found.start() + flags_at] |= 0x1
    return bytes(data)


OFD_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'
)


def compressed_unknowingly(package: bytes) -> bytes:
    """The package with every member claiming a compression method zipfile lacks (99)."""
    data = bytearray(package)
    for signature, method_at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        for found in re.finditer(re.escape(signature), bytes(data)):
            data[found.start() + method_at] = 99
    return bytes(data)


def ofd(**extra: bytes) -> bytes:
    return zipped({"OFD.xml": OFD_XML, "Doc_0/Document.xml": b"<ofd:Document/>", **extra})


def with_javascript(document: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    writer.root["/OpenAction"] = generic.DictionaryObject(
        {
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert(1)"),
        }
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(content: bytes, name: str = "scan.pdf") -> ContentFile:
    return ContentFile(content, name=name)


def refusal(content: bytes, name: str = "scan.pdf") -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        uploads.check_upload(upload(content, name), field="lease")
    assert refused.value.field == "lease"
    return refused.value


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (pdf(), "pdf"),
        (image("JPEG"), "jpeg"),
        (image("PNG"), "png"),
        (ofd(), "ofd"),
    ],
)
def test_documents_are_accepted_by_what_they_are_whatever_their_name(content, kind):
    for name in ("scan.pdf", "photo.JPG", "document", "readme.txt"):
        checked = uploads.check_upload(upload(content, name))
        assert (checked.kind, checked.size) == (kind, len(content))
        assert re.fullmatch(r"[0-9a-f]{32}\." + checked.extension[1:], uploads.random_name(checked))


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"", "empty_file", "空的"),
        (
            b"MZ\x90\x00" + b"\x00" * 60 + PE_STUB,
            "file_executable",
            "程序",
        ),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "file_executable", "程序"),
        (b"#!/bin/sh\nrm -rf /\n", "file_executable", "脚本"),
        (b"<html><script>alert(1)</script></html>", "file_type", "PDF、OFD、JPG 或 PNG"),
        ("身份证扫描件".encode(), "file_type", "PDF、OFD、JPG 或 PNG"),
        # Polyglots: a JPEG or a PDF that is also a ZIP, a PDF carrying a Windows program,
        # an image carrying a PDF or a script.
        (image("JPEG") + zipped({"x.txt": b"x"}), "file_polyglot", "夹带"),
        (pdf() + zipped({"x.txt": b"x"}), "file_polyglot", "夹带"),
        (pdf() + b"\n" + PE_STUB + b"\n", "file_polyglot", "夹带"),
        (image("PNG") + b"%PDF-1.7\n", "file_polyglot", "夹带"),
        (image("JPEG") + b"<script>alert(1)</script>", "file_polyglot", "夹带"),
        # PDFs: encrypted, scripted, broken.
        (pdf(encrypt="secret"), "pdf_encrypted", "去除密码"),
        (with_javascript(pdf()), "pdf_active_content", "脚本"),
        (b"%PDF-1.7\n1 0 obj garbage\n%%EOF", "pdf_malformed", "已损坏"),
        (pdf()[:400], "pdf_malformed", "已损坏"),
        # Images: a pixel bomb, a broken one.
        (png_claiming(100_000, 100_000), "image_too_large", "5000 万像素"),
        (image("PNG")[:-20] + b"\x00" * 20, "image_malformed", "已损坏"),
        # OFD packages: no OFD.xml, a path out of the package, encrypted, a program inside.
        (zipped({"Doc_0/Document.xml": b"<x/>"}), "ofd_malformed", "OFD"),
        (ofd(**{"../../etc/cron.d/x": b"* * * * * root sh"}), "ofd_malformed", "OFD"),
        (marked_encrypted(ofd()), "ofd_encrypted", "加密"),
        (compressed_unknowingly(ofd()), "ofd_malformed", "OFD"),
        (ofd(**{"Res/tool.exe": b"MZ\x90\x00"}), "file_executable", "程序"),
    ],
)
def test_what_is_not_a_plain_document_is_refused_with_a_clear_message(content, code, words):
    refused = refusal(content)
    assert refused.code == code
    assert words in refused.message


def test_size_pixel_and_unpacking_limits_are_settings(settings):
    settings.YIMEN_UPLOAD_MAX_BYTES = MB
    assert refusal(b"%PDF-" + b"0" * MB).message == "文件不能超过 1 MB，请压缩或分开上传。"
    settings.YIMEN_UPLOAD_MAX_PIXELS = 100
    assert refusal(image("PNG", size=(20, 20))).code == "image_too_large"
    settings.YIMEN_UPLOAD_MAX_UNPACKED_BYTES = MB
    bomb = ofd(**{"Res/zeros.bin": b"\x00" * (2 * MB)})
    assert len(bomb) < 20_000
    assert refusal(bomb).code == "ofd_too_large"


# --- where uploads go -----------------------------------------------------------------


@pytest.fixture
def supplying(db, settings, tmp_path):
    """A case of citizen A sent back for its lease, which A now uploads online."""
    people.sandbox(settings, tmp_path)
    crew = make.team()
    case = make.submitted(crew, make.licence_item(), provided=("id_card", "floor_plan"))
    cases.case_request_correction(case=case, clerk=crew.clerk)
    case.refresh_from_db()
    client = Client()
    client.force_login(crew.applicant)
    return crew, case, client


def supply(client: Client, case, content: bytes, name: str):
    lease = SimpleUploadedFile(name, content)
    return client.post(
        f"/cases/{case.case_no}/act/supply_online/", {"version": case.lock_version, "lease": lease}
    )


def test_a_program_uploaded_as_a_pdf_is_refused_on_the_page_and_nothing_is_kept(supplying):
    _crew, case, client = supplying
    response = supply(client, case, b"MZ\x90\x00 program", "lease.pdf")
    assert response.status_code == 422
    assert "不能上传程序或脚本文件。" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION
    assert not CaseMaterial.objects.filter(case=case).exclude(file="").exists()
    assert not default_storage.exists(f"cases/{case.case_no}")


def test_a_good_upload_is_kept_under_a_random_name_that_no_url_serves(supplying):
    _crew, case, client = supplying
    content = pdf("lease")
    assert supply(client, case, content, "../../租赁合同.exe").status_code == 302
    material = CaseMaterial.objects.get(case=case, spec__kind__code="lease")
    assert re.fullmatch(rf"cases/{case.case_no}/[0-9a-f]{{32}}\.pdf", material.file.name)

    assert Client().get(f"/media/{material.file.name}").status_code == 404
    assert client.get(f"/media/{material.file.name}").status_code == 404
    download = f"/cases/{case.case_no}/materials/{material.pk}/file/"
    served = client.get(download)
    assert served.status_code == 200 and b"".join(served.streaming_content) == content
    assert served["Cache-Control"] == "private, no-store"
    stranger = Client()
    stranger.force_login(people.citizen("王秀英", birth="19900214")[0])
    assert stranger.get(download).status_code == 404
    assert Client().get(download).status_code == 302  # to sign in


def test_the_locker_keeps_only_documents_and_under_random_names(db, settings, tmp_path):
    people.sandbox(settings, tmp_path)
    _account, grandma = people.citizen()
    clerk = people.staff(Role.CLERK)
    catalog.kind("id_card", "居民身份证")
    catalog.kind("photo", "一寸免冠照片")
    with pytest.raises(InvalidInput) as refused:
        subjects.locker_store(
            grandma, "id_card", upload(b"#!/bin/sh\n", "id.pdf"), "submitted", clerk, make.EFFECTIVE
        )
    assert refused.value.code == "file_executable"
    assert not LockerEntry.objects.exists()

    entry = subjects.locker_store(
        grandma, "photo", upload(image("JPEG"), "照片.png"), "submitted", clerk, make.EFFECTIVE
    )
    assert re.fullmatch(r"locker/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", entry.file.name)
    assert entry.filename == "照片.png"
