"""YIMEN_MEDIA_STORAGE=s3: uploaded materials and sealed licences go to the bucket, not the
local disk, and the pages hand them back to those who may see them (moto's S3 in this
process; nothing leaves the machine). The backup, which packs the local disk, refuses."""

from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from moto import mock_aws

from tests.factories import cases as make
from tests.factories import subjects as people
from tests.licences import helpers as licences
from tests.scaleout.environment import settings_from
from yimen.cases import services as cases
from yimen.cases.models import Channel
from yimen.licences.services import seal_init

pytestmark = pytest.mark.django_db
BUCKET = "yimen-files"
LEASE = licences.minimal_pdf("lease")


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    licences.sandbox(settings, tmp_path)


@pytest.fixture
def bucket(settings, tmp_path):
    """The settings YIMEN_MEDIA_STORAGE=s3 makes, pointed at an S3 bucket in this process."""
    found = settings_from(
        tmp_path / "settings",
        YIMEN_MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_REGION_NAME="us-east-1",
    )
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        settings.STORAGES = found["STORAGES"]
        yield s3


@pytest.fixture
def crew():
    return make.team()


def in_bucket(s3, key: str) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def local_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def test_an_uploaded_material_is_kept_in_the_bucket_and_served_to_the_applicant(
    bucket, crew, settings
):
    case = make.submitted(
        crew, make.licence_item(), channel=Channel.ONLINE, provided=("id_card", "floor_plan")
    )
    cases.case_request_correction(case=case, clerk=crew.clerk)
    lease = SimpleUploadedFile("扫描件.pdf", LEASE)
    cases.case_supply_online(case=case, actor=crew.applicant, files={"lease": lease})
    material = case.materials.get(spec__kind__code="lease")

    assert material.file.name.startswith(f"cases/{case.case_no}/")
    assert in_bucket(bucket, material.file.name) == LEASE
    assert local_files(settings) == []
    url = f"/cases/{case.case_no}/materials/{material.pk}/file/"
    for account in (crew.applicant, crew.clerk):
        response = signed_in(account).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == LEASE
    stranger, _person = people.citizen("李四", birth="19900101")
    assert signed_in(stranger).get(url).status_code == 404


def test_a_sealed_licence_is_kept_in_the_bucket_and_served_to_its_holder(bucket, crew, settings):
    seal_init()
    licence = licences.issued(crew, make.licence_item("220105-SCJ-006", name="食品经营许可证核发"))

    stored = in_bucket(bucket, licence.file.name)
    assert stored.startswith(b"%PDF") and local_files(settings) == []
    document = signed_in(crew.applicant).get(f"/licences/{licence.number}/document/")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert document.content == stored
    stranger, _person = people.citizen("王五", birth="19900101")
    assert signed_in(stranger).get(f"/licences/{licence.number}/document/").status_code == 404


def test_backup_and_restore_refuse_files_they_cannot_pack(bucket, tmp_path):
    target = tmp_path / "backup"
    for command in (["backup", "-o", str(target)], ["restore", str(target)]):
        with pytest.raises(CommandError, match=r"文件存放在对象存储中.*未做任何操作"):
            call_command(*command)
    assert not target.exists()
