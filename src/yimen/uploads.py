"""Checks on every uploaded document, and the names it is stored under.

A file's type is decided by its content, never by its name: PDF, OFD (a ZIP
holding OFD.xml, GB/T 33190), JPEG or PNG. Refused, each with a stable code and
a Chinese message: empty or too large files; programs and scripts; polyglots
(a file that is also another format, such as a JPEG with a ZIP appended or a
PDF carrying a program); encrypted, malformed or scripted PDFs; images whose
pixel count would exhaust memory when opened; OFD packages that unpack to too
much (ZIP bombs) or are not well formed; office documents (Word, Excel: OLE
compound files and OOXML packages), which may carry macros, with a request to
save them as PDF.

Stored files get random names (`random_name`) under MEDIA_ROOT, which no URL
serves: views that check access hand them out (`stored_content_type` gives the
type to serve them as).

Settings: YIMEN_UPLOAD_MAX_BYTES (20 MB), YIMEN_UPLOAD_MAX_PIXELS (50 million),
YIMEN_UPLOAD_MAX_UNPACKED_BYTES (an OFD package unpacked, 100 MB).
"""

import io
import os
import uuid
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from yimen.errors import InvalidInput

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB
DEFAULT_MAX_PIXELS = 50_000_000
DEFAULT_MAX_UNPACKED_BYTES = 100 * MB
MAX_OFD_MEMBERS = 10_000
CHUNK = 64 * 1024

PDF, OFD, JPEG, PNG = "pdf", "ofd", "jpeg", "png"
EXTENSIONS = {PDF: ".pdf", OFD: ".ofd", JPEG: ".jpg", PNG: ".png"}
CONTENT_TYPES = {
    PDF: "application/pdf",
    OFD: "application/ofd",
    JPEG: "image/jpeg",
    PNG: "image/png",
}

PROGRAM_STARTS = (
    b"MZ",  # Windows programs
    b"\x7fELF",  # Linux programs
    b"\xfe\xed\xfa\xce",  # macOS programs (Mach-O)
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binaries and Java classes
    b"#!",  # scripts
)
# Signs of another format hidden inside a document. A ZIP reader looks for the ZIP's end
# record in the last 64 KiB (its comment is at most that long), wherever the rest begins.
ZIP_MEMBER = b"PK\x03\x04"
OLE_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, .xls, .ppt
OOXML_MANIFEST = "[Content_Types].xml"  # .docx, .xlsx, .pptx
ZIP_END = b"PK\x05\x06"
ZIP_END_WINDOW = 65_536 + 22
PE_STUB = b"This program cannot be run in DOS mode"
PDF_HEADER = b"%PDF-"
SCRIPT_MARKUP = (b"<script", b"<?php")
PDF_ACTIVE = (b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


@dataclass(frozen=True)
class CheckedUpload:
    """What an accepted file turned out to be."""

    kind: str
    size: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_bytes() -> int:
    return _setting("YIMEN_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def check_upload(file, *, field: str = "file") -> CheckedUpload:
    """The file's kind if it is an acceptable document; else InvalidInput (422) saying why.

    `field` names the form field the message belongs beside. The file is left at its start.
    """
    data = _read(file, field)
    kind = _kind_of(data, field)
    CHECKS[kind](data, field)
    return CheckedUpload(kind, len(data))


def random_name(checked: CheckedUpload) -> str:
    """A random file name with the extension the content (not the uploaded name) gives."""
    return f"{uuid.uuid4().hex}{checked.extension}"


def stored_content_type(name: str) -> str:
    """The content type of a file stored under a `random_name`, read from its extension."""
    by_extension = {extension: CONTENT_TYPES[kind] for kind, extension in EXTENSIONS.items()}
    return by_extension.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


def _refuse(code: str, message: str, field: str) -> InvalidInput:
    return InvalidInput(code, message, field=field)


def _read(file, field: str) -> bytes:
    limit = max_bytes()
    file.seek(0)
    data = file.read(limit + 1)
    file.seek(0)
    if not data:
        raise _refuse("empty_file", _("上传的文件是空的。"), field)
    if len(data) > limit:
        raise _refuse(
            "file_too_large",
            _("文件不能超过 %(mb)s MB，请压缩或分开上传。") % {"mb": limit // MB},
            field,
        )
    return data


def _kind_of(data: bytes, field: str) -> str:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(ZIP_MEMBER):
        return OFD
    if data.startswith(PROGRAM_STARTS):
        raise _refuse("file_executable", _("不能上传程序或脚本文件。"), field)
    if data.startswith(OLE_COMPOUND_FILE):
        raise _office_document(field)
    raise _refuse(
        "file_type",
        _("只能上传 PDF、OFD、JPG 或 PNG 格式的文件，该文件的内容不是其中任何一种。"),
        field,
    )


def _office_document(field: str) -> InvalidInput:
    # Office files may carry macros; as PDF they print the same and carry none.
    return _refuse(
        "office_document",
        _("不能上传 Word、Excel 等办公文档，请另存为 PDF 后上传。"),
        field,
    )


def _polyglot(field: str) -> InvalidInput:
    return _refuse(
        "file_polyglot",
        _(
            "文件中夹带了其他格式的内容（如压缩包、程序或网页脚本），不能上传。请重新扫描或导出后上传。"
        ),
        field,
    )


def _refuse_hidden_formats(data: bytes, field: str, *, image: bool) -> None:
    """Another format inside: a ZIP (its end record), a Windows program, or, in an image,
    a PDF header or script markup."""
    if ZIP_END in data[-ZIP_END_WINDOW:] or PE_STUB in data:
        raise _polyglot(field)
    if image and (PDF_HEADER in data or any(s in data.lower() for s in SCRIPT_MARKUP)):
        raise _polyglot(field)


# --- PDF ------------------------------------------------------------------------------


def _check_pdf(data: bytes, field: str) -> None:
    _refuse_hidden_formats(data, field, image=False)
    reader = _pdf_reader(data, field)
    if reader.encrypted:
        raise _refuse(
            "pdf_encrypted",
            _("PDF 文件设有密码或已加密，请去除密码后重新导出再上传。"),
            field,
        )
    if _pdf_pages(reader) < 1:
        raise _pdf_malformed(field)
    if any(sign in data for sign in PDF_ACTIVE) or _pdf_acts(reader):
        raise _refuse(
            "pdf_active_content",
            _("PDF 文件含有脚本、自动执行的动作或附件，不能上传。请打印为 PDF 或扫描后上传。"),
            field,
        )


def _pdf_malformed(field: str) -> InvalidInput:
    return _refuse(
        "pdf_malformed", _("PDF 文件已损坏或格式不正确，无法读取，请重新导出后上传。"), field
    )


def _pdf_reader(data: bytes, field: str) -> PdfFileReader:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        reader.root  # noqa: B018 (parses the cross-reference table and the catalog)
    except Exception:  # any failure to parse untrusted input means it is malformed
        raise _pdf_malformed(field) from None
    return reader


def _pdf_pages(reader: PdfFileReader) -> int:
    try:
        count = reader.root["/Pages"]["/Count"]
    except Exception:  # a catalog without a page tree is malformed
        return 0
    return count if isinstance(count, int) else 0


def _pdf_acts(reader: PdfFileReader) -> bool:
    """Scripts or attachments named in the catalog (they may sit in compressed streams)."""
    try:
        root = reader.root
        names = root.get("/Names") or {}
        open_action = root.get("/OpenAction")
        acts = "/JavaScript" in names or "/EmbeddedFiles" in names or "/AA" in root
        if hasattr(open_action, "get"):
            acts = acts or open_action.get("/S") in ("/JavaScript", "/Launch")
        return acts
    except Exception:  # an unreadable catalog entry: treated as something to refuse
        return True


# --- images ---------------------------------------------------------------------------


def _image_bomb(limit: int, field: str) -> InvalidInput:
    return _refuse(
        "image_too_large",
        _("图片像素过多，请缩小到 %(n)s 万像素以内后上传。") % {"n": limit // 10_000},
        field,
    )


def _image_malformed(field: str) -> InvalidInput:
    return _refuse("image_malformed", _("图片文件已损坏或格式不正确，无法读取。"), field)


def _check_image(data: bytes, field: str, *, image_format: str) -> None:
    _refuse_hidden_formats(data, field, image=True)
    limit = _setting("YIMEN_UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            width, height = image.size
            if width * height > limit:
                raise _image_bomb(limit, field)
            image.verify()
    except InvalidInput:
        raise
    except Image.DecompressionBombError:  # so large that Pillow will not even open it
        raise _image_bomb(limit, field) from None
    except Exception:  # any failure to parse untrusted input means it is malformed
        raise _image_malformed(field) from None


def _check_jpeg(data: bytes, field: str) -> None:
    _check_image(data, field, image_format="JPEG")


def _check_png(data: bytes, field: str) -> None:
    _check_image(data, field, image_format="PNG")


# --- OFD ------------------------------------------------------------------------------


def _ofd_malformed(field: str) -> InvalidInput:
    return _refuse(
        "ofd_malformed", _("OFD 文件已损坏或不是有效的 OFD 文档，请重新导出后上传。"), field
    )


def _check_ofd(data: bytes, field: str) -> None:
    """A ZIP whose root holds OFD.xml; every member safe to unpack, within the size limit."""
    if PE_STUB in data:
        raise _polyglot(field)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            _check_ofd_members(members, field)
            _unpack_within_limit(package, members, field)
    except (zipfile.BadZipFile, NotImplementedError, zlib.error, EOFError, ValueError):
        # A member compressed with a method zipfile lacks, or a corrupt stream.
        raise _ofd_malformed(field) from None


def _check_ofd_members(members: list[zipfile.ZipInfo], field: str) -> None:
    names = {m.filename for m in members}
    if OOXML_MANIFEST in names and "OFD.xml" not in names:
        raise _office_document(field)
    if "OFD.xml" not in names or len(members) > MAX_OFD_MEMBERS:
        raise _ofd_malformed(field)
    for member in members:
        if member.flag_bits & 0x1:
            raise _refuse("ofd_encrypted", _("OFD 文件已加密，请去除密码后重新导出再上传。"), field)
        parts = member.filename.replace("\\", "/").split("/")
        if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise _ofd_malformed(field)


def _unpack_within_limit(package: zipfile.ZipFile, members, field: str) -> None:
    """Unpack every member, counting what comes out (declared sizes may lie), and look at
    how each begins: a program inside is refused."""
    budget = _setting("YIMEN_UPLOAD_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
    for member in members:
        with package.open(member) as unpacked:
            head = unpacked.read(CHUNK)
            if head.startswith(PROGRAM_STARTS):
                raise _refuse("file_executable", _("不能上传程序或脚本文件。"), field)
            budget -= len(head)
            while budget >= 0 and (chunk := unpacked.read(CHUNK)):
                budget -= len(chunk)
        if budget < 0:
            raise _refuse(
                "ofd_too_large",
                _("OFD 文件解压后过大（可能是压缩炸弹），不能上传。"),
                field,
            )


CHECKS = {PDF: _check_pdf, OFD: _check_ofd, JPEG: _check_jpeg, PNG: _check_png}
