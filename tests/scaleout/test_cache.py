"""YIMEN_CACHE_URL: the kiosk's count of wrong lookups is kept where every app server sees
it, so a kiosk whose requests a load balancer spreads over two servers is paused all the
same (with Redis, or Django's database cache table)."""

import os
import subprocess
import sys
import uuid

import pytest
import redis
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.factories import hall
from tests.factories import subjects as people
from tests.scaleout.environment import environment
from yimen.portal.views.kiosk import DEVICE_COOKIE

pytestmark = pytest.mark.django_db
REDIS_URL = os.environ.get("YIMEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LOCKED = "查询错误次数过多"


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)
    settings.YIMEN_KIOSK_LOOKUP_ATTEMPTS = 5
    hall.center()


@pytest.fixture
def redis_cache(settings):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}): shared cache not tested")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }


@pytest.fixture
def new_device():
    """Kiosks of their own, so runs at the same time never count for each other."""
    names = []

    def make() -> str:
        names.append(f"scaleout-{uuid.uuid4().hex}")
        return names[-1]

    yield make
    cache.delete_many([f"yimen:kiosk-lookup:{name}" for name in names])


def kiosk(device: str) -> Client:
    client = Client()
    client.cookies[DEVICE_COOKIE] = device
    return client


def wrong_lookup(client: Client):
    pair = {"case_no": "220105-20250926-999999", "resident_id": people.new_resident_id()}
    return client.post("/kiosk/progress/", pair)


def on_second_server(tmp_path, device: str, wrong: int) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "tests.scaleout.second_server", device, str(wrong)],
        env=environment(tmp_path, YIMEN_CACHE_URL=REDIS_URL),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_two_servers_pause_a_kiosk_together_through_redis(redis_cache, new_device, tmp_path):
    device = new_device()
    assert on_second_server(tmp_path, device, wrong=4) == "open"  # four wrong lookups there
    here = kiosk(device)
    assert wrong_lookup(here).status_code == 404  # and the fifth here
    paused = wrong_lookup(here)
    assert paused.status_code == 429 and LOCKED in paused.content.decode()
    assert on_second_server(tmp_path, device, wrong=0) == "locked"
    assert wrong_lookup(kiosk(new_device())).status_code == 404  # the kiosk next to it


def test_with_the_database_cache_the_count_is_a_row_any_server_reads(settings, new_device):
    device = new_device()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "yimen_cache",
        }
    }
    call_command("createcachetable", verbosity=0)  # what `yimen createcachetable` does
    first, second = kiosk(device), kiosk(device)  # one kiosk, through two servers
    for client in (first, second, first, second, first):
        assert wrong_lookup(client).status_code == 404
    assert wrong_lookup(second).status_code == 429
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM yimen_cache")
        assert [key for (key,) in cursor.fetchall()] == [f":1:yimen:kiosk-lookup:{device}"]
