from types import SimpleNamespace

import pytest
from django.test import override_settings

from tests.factories import subjects as people


@pytest.fixture
def sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory):
    """The sandbox's settings for a whole module (data made once for all its tests)."""
    values = SimpleNamespace()
    people.sandbox(values, tmp_path_factory.mktemp("sandbox"))
    with override_settings(**vars(values)):
        yield
