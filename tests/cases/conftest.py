import pytest

from tests.factories import cases as factories
from tests.factories import catalog
from tests.factories import subjects as people


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def crew(db) -> factories.Team:
    return factories.team()


@pytest.fixture
def licence(db):
    return factories.licence_item()


@pytest.fixture
def health_and_fire(db):
    return catalog.department("WJJ", "卫健局"), catalog.department("XFJ", "消防救援大队")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Staff accounts are made with passwords; the real hasher costs seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
