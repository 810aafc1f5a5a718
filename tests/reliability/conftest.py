import datetime as dt

import pytest

from tests.factories import cases as make
from tests.licences import helpers
from yimen.cases import services as cases
from yimen.licences import services as licences


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    """Uploads, the seal's settings and the audit anchor file, all under tmp_path."""
    helpers.sandbox(settings, tmp_path)
    settings.YIMEN_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"


@pytest.fixture
def crew(db) -> make.Team:
    return make.team()


@pytest.fixture
def food(db):
    return make.licence_item("220105-SCJ-006", name="食品经营许可证核发")


@pytest.fixture
def licence(crew, food):
    """A licence issued under the bureau's seal: with its sealed decision and locker copy."""
    licences.seal_init()
    return helpers.issued(crew, food)


@pytest.fixture
def delivered(crew, licence):
    """The licence's case, delivered electronically and so completed."""
    return cases.case_deliver(
        case=licence.case,
        actor=crew.clerk,
        mode="electronic",
        now=helpers.ISSUED_AT + dt.timedelta(hours=1),
    )
