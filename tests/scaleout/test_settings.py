"""The scale-out settings as an operator sets them: environment variables in, Django's
CACHES, STORAGES and DATABASES out, and a clear refusal to start on a wrong value."""

import json

import pytest

from tests.scaleout.environment import read_settings, settings_from

S3 = "storages.backends.s3.S3Storage"


def test_without_them_each_process_caches_for_itself_and_files_go_to_the_local_disk(tmp_path):
    found = settings_from(tmp_path)
    assert found["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert list(found["DATABASES"]) == ["default"] and found["DATABASE_ROUTERS"] == []


def test_the_cache_url_chooses_redis_or_the_database_cache_table(tmp_path):
    redis = settings_from(tmp_path, YIMEN_CACHE_URL="redis://cache.internal:6379/2")
    assert redis["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/2",
    }
    database = settings_from(tmp_path, YIMEN_CACHE_URL="db")
    assert database["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "yimen_cache",
    }


def test_s3_storage_takes_its_bucket_and_endpoint_and_leaves_the_keys_to_the_client(tmp_path):
    found = settings_from(
        tmp_path,
        YIMEN_MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="yimen-files",
        AWS_S3_ENDPOINT_URL="http://objects.internal:9000",
        AWS_S3_REGION_NAME="cn-north-1",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID="yimen-access-key",
        AWS_SECRET_ACCESS_KEY="yimen-secret-key",
    )
    assert found["STORAGES"]["default"] == {
        "BACKEND": S3,
        "OPTIONS": {
            "bucket_name": "yimen-files",
            "endpoint_url": "http://objects.internal:9000",
            "region_name": "cn-north-1",
            "addressing_style": "path",
            "file_overwrite": False,
            "default_acl": None,
        },
    }
    assert "yimen-secret-key" not in json.dumps(found)  # boto3 reads it from the environment
    static = found["STORAGES"]["staticfiles"]["BACKEND"]
    assert static == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_a_replica_url_adds_the_replica_and_the_router_for_statistics(tmp_path):
    found = settings_from(
        tmp_path,
        DATABASE_URL="postgres://yimen@db.internal:5432/yimen",
        YIMEN_REPLICA_URL="postgres://yimen_read@replica.internal:5432/yimen",
    )
    replica = found["DATABASES"]["replica"]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == (
        "replica.internal",
        "yimen_read",
        "yimen",
    )
    assert replica["TEST"] == {"MIRROR": "default"}  # tests read the primary
    assert found["DATABASES"]["default"]["HOST"] == "db.internal"
    assert found["DATABASE_ROUTERS"] == ["yimen.routers.StatisticsReplicaRouter"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"YIMEN_CACHE_URL": "memcached://cache.internal:11211"}, "YIMEN_CACHE_URL 应为"),
        ({"YIMEN_MEDIA_STORAGE": "ftp"}, "YIMEN_MEDIA_STORAGE 只能是 local 或 s3"),
        ({"YIMEN_MEDIA_STORAGE": "s3"}, "YIMEN_MEDIA_STORAGE=s3 需要设置 AWS_STORAGE_BUCKET_NAME"),
    ],
)
def test_a_wrong_value_stops_the_start_with_a_clear_error(tmp_path, variables, message):
    run = read_settings(tmp_path, **variables)
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr and message in run.stderr
