"""PAdES signatures with the seal: B-B, or B-T when a timestamp authority is configured.

The signature is invisible (the printed seal is drawn by the document itself) and
covers the whole file. With YIMEN_SEAL_ALGORITHM=sm2 the registry also keeps an
SM2/SM3 signature of each licence's SHA-256, for deployments that must use the
national algorithms: PDF validators do not know SM2, so the PAdES signature stays.
"""

import asyncio
import functools
import hashlib
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import aiohttp
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

from yimen.errors import IllegalAction, InvalidInput
from yimen.licences import conf, sm2
from yimen.licences.seal import SM2, LoadedSeal

T = TypeVar("T")
SIGNATURE_FIELD = "YimenSeal"
TSA_TIMEOUT_SECONDS = 10
# Room for the signature in the file. Given, it spares pyHanko a trial signature to
# measure it (25 → 13 ms a signature); the seal's chain takes ~4 KiB, a timestamp token
# ~5 KiB more, so these leave a wide margin.
SIGNATURE_BYTES = 16 * 1024
TIMESTAMPED_SIGNATURE_BYTES = 32 * 1024


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sign_pdf(pdf_bytes: bytes, seal: LoadedSeal, *, reason: str) -> bytes:
    """The document with the seal's signature appended as an incremental update."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    except (PdfError, ValueError):
        raise InvalidInput("pdf_unreadable", _("待盖章的文件不是有效的 PDF 文件。")) from None
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=str(settings.YIMEN_BUREAU_NAME),
    )
    timestamper = (
        HTTPTimeStamper(conf.tsa_url(), timeout=TSA_TIMEOUT_SECONDS) if conf.tsa_url() else None
    )
    sign = functools.partial(
        signers.sign_pdf,
        writer,
        metadata,
        signer=seal.pdf_signer(),
        timestamper=timestamper,
        bytes_reserved=TIMESTAMPED_SIGNATURE_BYTES if timestamper else SIGNATURE_BYTES,
    )
    try:
        output = _outside_any_running_loop(sign)
    except (TimeoutError, TimestampRequestError, aiohttp.ClientError, OSError):
        raise IllegalAction(
            "tsa_unavailable",
            _("时间戳服务（%(u)s）暂时无法访问，文书未盖章，请稍后重试。") % {"u": conf.tsa_url()},
        ) from None
    return output.getvalue()


def _outside_any_running_loop(call: Callable[[], T]) -> T:
    """`call()`, run in a worker thread when an event loop already runs in this one (as
    Playwright's sync API leaves it between its calls): pyHanko's synchronous API starts
    its own loop with asyncio.run, which cannot run inside another."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="yimen-signing") as worker:
        return worker.submit(call).result()


def registry_signature(seal: LoadedSeal, document_sha256: str) -> str:
    """The SM2/SM3 signature of a document's SHA-256 in sm2 mode; empty otherwise."""
    if conf.seal_algorithm() != conf.SM2:
        return ""
    return seal.sign(bytes.fromhex(document_sha256), SM2).hex()


def registry_signature_holds(public_key: str, document_sha256: str, signature: str) -> bool:
    return sm2.verify(public_key, bytes.fromhex(document_sha256), signature)
