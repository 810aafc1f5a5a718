"""Sealing from a thread where an event loop already runs, as Playwright's sync API leaves
the thread that started it: the licence is sealed all the same, and an unreachable
timestamp authority is still told plainly."""

import asyncio
import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.licences import helpers
from yimen.cases.models import Case
from yimen.cases.states import CaseState
from yimen.errors import IllegalAction
from yimen.licences import signing
from yimen.licences.models import Licence, SealUse

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def loop_running_in_this_thread():
    """An event loop marked as running in this thread, the way Playwright's sync API marks
    its loop between calls. Module-wide, so that it is in place before each test's
    database transaction begins (Django keeps the connection per loop context)."""
    before = asyncio._get_running_loop()
    loop = asyncio.new_event_loop()
    asyncio._set_running_loop(loop)
    yield loop
    asyncio._set_running_loop(before)
    loop.close()


def test_asyncio_run_is_refused_here_as_it_is_after_playwright_started():
    pending = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="running event loop"):
        asyncio.run(pending)
    pending.close()


def test_a_licence_is_sealed_while_an_event_loop_runs_in_the_thread(crew, food, the_seal):
    licence = helpers.issued(crew, food)

    content = helpers.file_bytes(licence)
    assert content.startswith(b"%PDF")
    assert signing.sha256_hex(content) == licence.sha256
    (signature,) = PdfFileReader(io.BytesIO(content)).embedded_signatures
    assert signature.field_name == signing.SIGNATURE_FIELD
    assert Case.objects.get().state == CaseState.ISSUED


def test_an_unreachable_timestamp_authority_is_told_while_an_event_loop_runs(
    settings, crew, food, the_seal
):
    settings.YIMEN_TSA_URL = "http://127.0.0.1:9/tsa"
    with pytest.raises(IllegalAction) as refused:
        helpers.issued(crew, food)
    assert refused.value.code == "tsa_unavailable"
    assert Case.objects.get().state == CaseState.DECIDED
    assert not Licence.objects.exists() and not SealUse.objects.exists()
