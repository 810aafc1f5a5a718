import pytest

from tests.factories import cases as make
from tests.licences import helpers
from yimen.licences import services


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    helpers.sandbox(settings, tmp_path)


@pytest.fixture
def crew(db) -> make.Team:
    return make.team()


@pytest.fixture
def food(db):
    """A licensing item whose name names a licence kind the locker knows."""
    return make.licence_item("220105-SCJ-006", name="食品经营许可证核发")


@pytest.fixture
def the_seal(db):
    return services.seal_init()
