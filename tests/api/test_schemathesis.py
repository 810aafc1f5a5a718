"""Every operation of the OpenAPI document, fed generated input: no answer is a server error.

Schemathesis reads /api/v1/openapi.json from the WSGI application and calls each
operation with examples built from its schema (bounded and derandomized, so CI
runs the same examples every time), once as an anonymous caller and once with a
superuser's API token, over a small bureau: an item, cases, a licence.
"""

from types import SimpleNamespace

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.factories import cases as make
from tests.licences import helpers
from yimen.licences import services as licences
from yimen.subjects import services as subjects
from yimen.subjects.models import Account
from yimen.wsgi import application

EXAMPLES_PER_OPERATION = 25

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

FUZZ = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def bureau(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for all operations and rolled back after them: a licence item, an open
    case, an issued licence, and a superuser's token (the headers that send it)."""
    sandbox = SimpleNamespace()
    helpers.sandbox(sandbox, tmp_path_factory.mktemp("bureau"))
    with override_settings(**vars(sandbox)), django_db_blocker.unblock(), transaction.atomic():
        crew = make.team()
        food = make.licence_item("220105-SCJ-006", name="食品经营许可证核发")
        licences.seal_init()
        helpers.issued(crew, food)
        make.submitted(crew, food, key="open")
        admin = Account.objects.create_superuser("fuzz-admin", password="x-fuzz-admin-1")
        _token, raw = subjects.token_create(account=admin, name="schemathesis")
        yield {"Authorization": f"Bearer {raw}"}
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def same_connection():
    """Requests run inside the test's transaction, as with Django's test client: the
    handler must not close the connection at the end of each request."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def superuser_token(bureau, same_connection, db) -> dict:
    return bureau


@pytest.fixture
def anonymous(bureau, same_connection, db) -> dict:
    return {}


@schema.parametrize()
@FUZZ
def test_no_operation_answers_an_anonymous_caller_with_a_server_error(case, anonymous):
    case.call_and_validate(headers=anonymous, checks=[not_a_server_error])


@schema.parametrize()
@FUZZ
def test_no_operation_answers_a_superuser_with_a_server_error(case, superuser_token):
    case.call_and_validate(headers=superuser_token, checks=[not_a_server_error])
