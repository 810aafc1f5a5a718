"""Subjects, accounts, authorisations and the locker under /api/v1/."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.factories import public_catalog
from tests.factories import subjects as make
from yimen.catalog.models import Role
from yimen.subjects import services
from yimen.subjects.models import Account, Authorisation, Organisation, Person, SmsMessage

pytestmark = pytest.mark.django_db

GRANDMA = make.resident_id("19530312", "002")


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    make.sandbox(settings, tmp_path)


class Api:
    """A client that speaks JSON to /api/v1/ with a bearer token."""

    def __init__(self, account=None):
        self.client = Client()
        self.headers = {}
        if account is not None:
            _token, raw = services.token_create(account=account, name="测试")
            self.headers["Authorization"] = f"Bearer {raw}"

    def call(self, method: str, url: str, body=None, **params):
        response = getattr(self.client, method)(
            f"/api/v1{url}",
            json.dumps(body) if body is not None else params,
            content_type="application/json",
            headers=self.headers,
        )
        return response.status_code, response.json()

    def get(self, url, **params):
        return self.call("get", url, **params)

    def post(self, url, body=None):
        return self.call("post", url, body if body is not None else {})


def test_a_clerk_registers_a_person_and_sees_the_whole_id():
    status, body = Api(make.staff(Role.CLERK)).post(
        "/persons",
        {"name": "张桂兰", "resident_id": GRANDMA, "phone": "13904310001", "address": "万通社区"},
    )
    assert status == 201
    assert body == {
        "id": Person.objects.get().pk,
        "kind": "person",
        "name": "张桂兰",
        "code": GRANDMA,
        "masked": False,
        "phone": "13904310001",
        "address": "万通社区",
        "org_type": None,
        "legal_representative": None,
    }


@pytest.mark.parametrize(
    ("resident_id", "message"),
    [
        (GRANDMA[:-1] + "9", "身份证号校验位不正确，请核对是否输错。"),
        ("2201051953", "身份证号应为18位，您填写的是10位。"),
        ("", "请填写身份证号。"),
    ],
)
def test_an_invalid_resident_id_answers_422_with_code_and_chinese_message(resident_id, message):
    status, body = Api(make.staff(Role.CLERK)).post(
        "/persons", {"name": "张桂兰", "resident_id": resident_id}
    )
    assert (status, body) == (
        422,
        {"code": "invalid_resident_id", "message": message, "field": "resident_id"},
    )
    assert not Person.objects.exists()


def test_registering_needs_the_role_and_a_known_person_is_not_registered_twice():
    grandma = make.person()
    status, body = Api(make.account()).post("/persons", {"name": "张桂兰", "resident_id": GRANDMA})
    assert (status, body["code"]) == (403, "forbidden")
    status, body = Api(make.staff(Role.CLERK)).post(
        "/persons", {"name": "张桂兰", "resident_id": grandma.code}
    )
    assert (status, body) == (
        409,
        {"code": "person_exists", "message": "该身份证号已登记，无需重复登记。"},
    )
    assert Api().post("/persons", {"name": "张桂兰", "resident_id": GRANDMA})[0] == 401


def test_organisations_are_registered_by_uscc_including_authority_n():
    clerk = Api(make.staff(Role.CLERK))
    chen = make.person("陈志强", birth="19720830")
    status, body = clerk.post(
        "/organisations",
        {
            "name": "三道村股份经济合作社",
            "uscc": "n2220105mf3r7l9p08",
            "org_type": "other",
            "legal_representative_id": chen.code,
        },
    )
    assert status == 201
    assert (body["code"], body["org_type"], body["legal_representative"]) == (
        "N2220105MF3R7L9P08",
        "other",
        f"陈志强（{chen.code[:4]}**********{chen.code[-4:]}）",
    )


def test_an_invalid_uscc_answers_422_and_saves_nothing():
    chen = make.person("陈志强", birth="19720830")
    status, body = Api(make.staff(Role.CLERK)).post(
        "/organisations",
        {
            "name": "吉林省东盛建筑工程有限公司",
            "uscc": "91220105MA14X2Q5T8",
            "org_type": "enterprise",
            "legal_representative_id": chen.code,
        },
    )
    assert (status, body) == (
        422,
        {
            "code": "invalid_uscc",
            "message": "统一社会信用代码校验位不正确，请核对是否输错。",
            "field": "uscc",
        },
    )
    assert not Organisation.objects.exists()


def test_staff_see_a_person_masked_unless_their_role_needs_the_whole_id():
    grandma = make.person(phone="13904310001")
    status, body = Api(make.staff(Role.INSPECTOR)).get(f"/persons/{grandma.pk}")
    assert status == 200
    assert (body["code"], body["phone"], body["masked"]) == (
        f"{grandma.code[:4]}**********{grandma.code[-4:]}",
        "139****0001",
        True,
    )
    body = Api(make.staff(Role.REVIEWER)).get(f"/persons/{grandma.pk}")[1]
    assert (body["code"], body["phone"], body["masked"]) == (grandma.code, "13904310001", False)
    assert Api(make.account()).get(f"/persons/{grandma.pk}")[0] == 403
    assert Api(make.staff(Role.CLERK)).get(f"/persons/{grandma.pk + 999}")[1]["code"] == (
        "subject_not_found"
    )


def test_me_shows_my_account_masked():
    account, grandma = make.citizen()
    status, body = Api(account).get("/me")
    assert status == 200
    assert body["phone"] == f"{account.phone[:3]}****{account.phone[-4:]}"
    assert body["person"]["code"] == f"{grandma.code[:4]}**********{grandma.code[-4:]}"
    assert account.phone not in json.dumps(body) and grandma.code not in json.dumps(body)
    assert [s["name"] for s in body["acting_for"]] == ["张桂兰"]


def test_my_materials_and_licences_with_a_token():
    public_catalog.build()
    account, grandma = make.citizen()
    entry = make.stored(grandma, "id_card")
    issued = make.stored(grandma, "hukou", source="issued", verified_by=make.staff(Role.APPROVER))
    api = Api(account)
    status, body = api.get("/me/materials")
    assert status == 200
    assert [(m["id"], m["kind"], m["usable"]) for m in body] == [
        (issued.pk, "hukou", True),
        (entry.pk, "id_card", True),
    ]
    assert body[1]["sha256"] == entry.sha256
    assert [m["id"] for m in api.get("/me/materials", source="issued")[1]] == [issued.pk]
    response = api.client.get(body[1]["file_url"], headers=api.headers)
    assert (response.status_code, b"".join(response.streaming_content)) == (
        200,
        entry.file.open("rb").read(),
    )


def test_prefill_shows_what_need_not_be_handed_in_again():
    catalog = public_catalog.build()
    account, grandma = make.citizen()
    entry = make.stored(grandma, "id_card")
    status, body = Api(account).get(f"/me/prefill/{catalog.newborn_insurance.item.code}")
    assert status == 200
    assert [(row["kind"], row["reused"]) for row in body] == [
        ("id_card", True),
        ("birth_cert", False),
    ]
    assert body[0]["entry"]["id"] == entry.pk and body[1]["entry"] is None
    status, body = Api(account).get("/me/prefill/NO-SUCH-ITEM")
    assert (status, body["code"]) == (404, "item_not_found")


def test_a_revoked_token_is_refused():
    account = make.account()
    token, raw = services.token_create(account=account, name="对接")
    headers = {"Authorization": f"Bearer {raw}"}
    assert Client().get("/api/v1/me", headers=headers).status_code == 200
    services.token_revoke(actor=account, token=token)
    assert Client().get("/api/v1/me", headers=headers).status_code == 401
    assert Client().get("/api/v1/me", headers={"Authorization": "Bearer ym_guess"}).status_code == (
        401
    )


def test_the_token_of_a_disabled_account_is_refused():
    account = make.account()
    _token, raw = services.token_create(account=account, name="对接")
    headers = {"Authorization": f"Bearer {raw}"}
    assert Client().get("/api/v1/me", headers=headers).status_code == 200
    Account.objects.filter(pk=account.pk).update(is_active=False)
    assert Client().get("/api/v1/me", headers=headers).status_code == 401


def test_tokens_are_created_from_a_signed_in_session_and_listed_and_revoked():
    account = make.account()
    browser = Client()
    browser.force_login(account)
    response = browser.post("/api/v1/tokens", {"name": "数据对接"}, content_type="application/json")
    assert response.status_code == 201
    raw = response.json()["token"]
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    listed = api.get("/api/v1/tokens").json()
    assert [(t["name"], t["token"]) for t in listed] == [("数据对接", None)]
    # A token cannot mint more tokens.
    assert api.post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json"
    ).status_code == (401)
    assert api.post(f"/api/v1/tokens/{listed[0]['id']}/revoke").status_code == 200
    assert api.get("/api/v1/tokens").status_code == 401


def test_authorisations_are_granted_listed_and_revoked():
    public_catalog.build()
    grandma_account, _grandma = make.citizen()
    son, _son_person = make.citizen("李建国", birth="19790506")
    api = Api(grandma_account)
    until = (make.today() + dt.timedelta(days=30)).isoformat()
    status, body = api.post(
        "/me/authorisations",
        {
            "agent_phone": son.phone,
            "item_codes": [public_catalog.ELDERLY],
            "valid_until": until,
            "note": "儿子代办",
        },
    )
    assert status == 201
    assert (body["direction"], body["item_codes"], body["status"], body["valid_until"]) == (
        "given",
        [public_catalog.ELDERLY],
        "有效",
        until,
    )
    assert (body["agent"], body["agent_phone"]) == (
        "李建国",
        f"{son.phone[:3]}****{son.phone[-4:]}",
    )
    held = Api(son).get("/me/authorisations")[1]
    assert [(a["id"], a["direction"]) for a in held] == [(body["id"], "held")]
    status, revoked = api.post(f"/me/authorisations/{body['id']}/revoke")
    assert (status, revoked["status"]) == (200, "已撤销")
    status, again = api.post(f"/me/authorisations/{body['id']}/revoke")
    assert (status, again["code"]) == (409, "authorisation_already_revoked")


def test_a_bad_authorisation_answers_with_its_reason():
    grandma_account, _grandma = make.citizen()
    status, body = Api(grandma_account).post(
        "/me/authorisations",
        {"agent_phone": "13512345678", "all_items": True, "valid_until": "2099-01-01"},
    )
    assert (status, body["code"], body["field"]) == (422, "agent_unknown", "agent_phone")
    assert not Authorisation.objects.exists()


def test_an_agent_reads_the_principals_materials_until_the_authorisation_expires():
    public_catalog.build()
    _grandson_account, grandson = make.citizen("李沐阳", birth="20251208")
    grandma_account, _grandma = make.citizen()
    make.grant(grandson, grandma_account, days=3)
    make.stored(grandson, "birth_cert")
    api = Api(grandma_account)
    status, body = api.get("/me/materials", subject_id=grandson.pk)
    assert (status, [m["kind"] for m in body]) == (200, ["birth_cert"])
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        status, body = api.get("/me/materials", subject_id=grandson.pk)
    assert (status, body["code"]) == (403, "not_authorised")


def test_staff_read_a_locker_only_while_serving_the_subjects_case():
    public_catalog.build()
    _account, grandma = make.citizen()
    make.stored(grandma, "id_card")
    reviewer = make.staff(Role.REVIEWER, department=public_catalog.make.department("MZJ"))
    api = Api(reviewer)
    status, body = api.get(f"/subjects/{grandma.pk}/materials")
    assert (status, body["code"]) == (403, "locker_access_denied")
    services.locker_grant_access(reviewer, grandma, "YM-2026-000010")
    status, body = api.get(f"/subjects/{grandma.pk}/materials")
    assert (status, len(body)) == (200, 1)


def test_a_one_time_code_is_sent_and_resending_too_soon_answers_429():
    api = Api()
    status, body = api.post("/auth/otp", {"phone": "139 0431 0001"})
    assert (status, body) == (202, {"sent": True, "expires_in_seconds": 300})
    assert re.search(r"验证码为 \d{6}", SmsMessage.objects.get(phone="13904310001").text)
    status, body = api.post("/auth/otp", {"phone": "13904310001"})
    assert (status, body["code"]) == (429, "otp_too_soon")
    status, body = api.post("/auth/otp", {"phone": "12345"})
    assert (status, body["code"], body["field"]) == (422, "invalid_phone", "phone")
