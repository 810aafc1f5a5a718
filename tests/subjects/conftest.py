import pytest

from tests.factories import subjects as make


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    make.sandbox(settings, tmp_path)
