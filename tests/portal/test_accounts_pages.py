"""Sign-in, my account, my materials and licences, the SMS outbox and staff lookup pages."""

import datetime as dt
import re

import pytest
from django.test import Client

from tests.factories import public_catalog
from tests.factories import subjects as make
from tests.factories.pages import signed_in, text
from yimen.catalog.models import Role
from yimen.subjects import services
from yimen.subjects.models import ApiToken, Authorisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    make.sandbox(settings, tmp_path)


def masked_id(code: str) -> str:
    return f"{code[:4]}**********{code[-4:]}"


def test_a_citizen_signs_in_with_phone_and_password():
    citizen = make.account(phone="13904310001")
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"action": "password", "login": "139 0431 0001", "password": make.PASSWORD, "next": "/me/"},
    )
    assert (response.status_code, response.url) == (302, "/me/")
    assert int(client.session["_auth_user_id"]) == citizen.pk


def test_a_wrong_password_is_refused_beside_the_form():
    make.account(phone="13904310001")
    response = Client().post(
        "/accounts/login/", {"action": "password", "login": "13904310001", "password": "nope"}
    )
    assert response.status_code == 422
    assert "账号或密码不正确。" in text(response)


def test_a_citizen_signs_in_with_a_code_read_from_the_demo_outbox():
    citizen = make.account(phone="13904310001")
    client = Client()
    response = client.post("/accounts/login/", {"action": "send_code", "phone": "13904310001"})
    assert "验证码已发送，5分钟内有效。" in text(response)
    assert 'href="/demo/sms/"' in response.content.decode()
    outbox = text(client.get("/demo/sms/"))
    assert "13904310001" not in outbox and "139****0001" in outbox
    code = re.search(r"验证码为 (\d{6})", outbox).group(1)

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused = client.post(
        "/accounts/login/", {"action": "code", "phone": "13904310001", "code": wrong}
    )
    assert refused.status_code == 422 and "验证码不正确，请核对短信。" in text(refused)
    assert "_auth_user_id" not in client.session

    response = client.post(
        "/accounts/login/", {"action": "code", "phone": "13904310001", "code": code}
    )
    assert (response.status_code, response.url) == (302, "/accounts/")
    assert int(client.session["_auth_user_id"]) == citizen.pk
    assert client.get("/accounts/").status_code == 200


def test_a_login_redirect_never_leaves_the_site():
    make.account(phone="13904310001")
    response = Client().post(
        "/accounts/login/",
        {
            "action": "password",
            "login": "13904310001",
            "password": make.PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.url == "/accounts/"


def test_the_outbox_page_exists_only_with_the_outbox_backend(settings):
    assert Client().get("/demo/sms/").status_code == 200
    settings.YIMEN_SMS_BACKEND = "yimen.subjects.sms.SmsBackend"
    assert Client().get("/demo/sms/").status_code == 404


def test_pages_need_a_sign_in_and_sign_out_works():
    assert Client().get("/me/materials/").url.startswith("/accounts/login/?next=/me/materials/")
    client = signed_in(make.account())
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/").status_code == 302


def test_my_account_page_masks_my_phone_and_id():
    account, grandma = make.citizen()
    page = text(signed_in(account).get("/accounts/"))
    assert account.phone not in page and grandma.code not in page
    assert f"{account.phone[:3]}****{account.phone[-4:]}" in page
    assert masked_id(grandma.code) in page


def test_a_token_is_shown_once_then_revoked_from_the_account_page():
    account = make.account()
    client = signed_in(account)
    response = client.post("/accounts/tokens/", {"name": "数据对接"})
    raw = re.search(r"<code>(ym_[^<]+)</code>", response.content.decode()).group(1)
    assert services.token_authenticate(raw) == account
    assert raw not in client.get("/accounts/").content.decode()
    token = ApiToken.objects.get()
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "访问令牌已撤销。" in text(response)
    assert services.token_authenticate(raw) is None
    assert "请填写令牌用途" in text(client.post("/accounts/tokens/", {"name": ""}))


def test_someone_elses_token_cannot_be_revoked():
    token, raw = services.token_create(account=make.account(), name="对接")
    response = signed_in(make.account()).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert services.token_authenticate(raw)


def test_a_citizen_grants_and_revokes_an_authorisation_on_the_account_page():
    public_catalog.build()
    account, grandma = make.citizen()
    son, _son_person = make.citizen("李建国", birth="19790506")
    client = signed_in(account)
    until = (make.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        "/accounts/authorisations/",
        {
            "principal": grandma.pk,
            "agent_phone": son.phone,
            "item_codes": f"{public_catalog.ELDERLY}，{public_catalog.NEWBORN_INSURANCE}",
            "valid_until": until,
        },
        follow=True,
    )
    assert "委托已登记。" in text(response)
    authorisation = Authorisation.objects.get()
    assert sorted(i.code for i in authorisation.items.all()) == [
        public_catalog.ELDERLY,
        public_catalog.NEWBORN_INSURANCE,
    ]
    assert "委托我办理的" in text(signed_in(son).get("/accounts/"))
    response = client.post(f"/accounts/authorisations/{authorisation.pk}/revoke/", follow=True)
    assert "委托已撤销。" in text(response)
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is not None


def test_a_bad_grant_shows_its_reason_and_saves_nothing():
    account, grandma = make.citizen()
    response = signed_in(account).post(
        "/accounts/authorisations/",
        {
            "principal": grandma.pk,
            "agent_phone": "13512345678",
            "all_items": "on",
            "valid_until": "2099-01-01",
        },
    )
    assert response.status_code == 422
    assert "手机号 135****5678 尚未注册账号" in text(response)
    response = signed_in(account).post(
        "/accounts/authorisations/", {"principal": grandma.pk, "agent_phone": "1"}
    )
    assert response.status_code == 422 and "这个字段是必填项。" in text(response)
    assert not Authorisation.objects.exists()


def test_my_materials_show_what_need_not_be_handed_in_again():
    catalog = public_catalog.build()
    account, grandma = make.citizen()
    entry = make.stored(grandma, "id_card")
    client = signed_in(account)
    page = text(client.get("/me/materials/", {"item": catalog.newborn_insurance.item.code}))
    assert "居民身份证 必要 无需提交" in page
    assert "出生医学证明 必要 需提交" in page
    assert grandma.code not in page and masked_id(grandma.code) in page
    file = client.get(f"/me/materials/{entry.pk}/file/")
    assert b"".join(file.streaming_content) == entry.file.open("rb").read()
    assert "未找到事项" in text(client.get("/me/materials/", {"item": "NO-SUCH"}))


def test_my_licences_list_only_issued_documents():
    public_catalog.build()
    account, grandma = make.citizen()
    make.stored(grandma, "id_card")
    make.stored(grandma, "business_licence", source="issued", verified_by=make.staff(Role.APPROVER))
    page = text(signed_in(account).get("/me/licences/"))
    assert "营业执照 本系统核发" in page and "居民身份证" not in page


def test_an_agent_switches_to_the_principal_and_a_stranger_cannot():
    public_catalog.build()
    _grandson_account, grandson = make.citizen("李沐阳", birth="20251208")
    grandma_account, _grandma = make.citizen()
    make.grant(grandson, grandma_account)
    make.stored(grandson, "birth_cert")
    page = text(signed_in(grandma_account).get("/me/materials/", {"subject": grandson.pk}))
    assert "李沐阳" in page and "出生医学证明" in page
    response = signed_in(make.account()).get("/me/materials/", {"subject": grandson.pk})
    assert response.status_code == 403 and "您未获得该主体的委托" in text(response)


def test_staff_look_up_subjects_masked_by_name_and_whole_by_exact_id():
    grandma = make.person(phone="13904310001")
    client = signed_in(make.staff(Role.CLERK))
    by_name = text(client.get("/staff/subjects/", {"q": "桂兰"}))
    assert masked_id(grandma.code) in by_name and grandma.code not in by_name
    assert "139****0001" in by_name
    exact = text(client.get("/staff/subjects/", {"q": grandma.code}))
    assert grandma.code in exact
    assert signed_in(make.account()).get("/staff/subjects/", {"q": "桂兰"}).status_code == 403


def test_staff_see_a_locker_page_only_while_serving_a_case():
    public_catalog.build()
    _account, grandma = make.citizen()
    make.stored(grandma, "id_card")
    reviewer = make.staff(Role.REVIEWER, department=public_catalog.make.department("MZJ"))
    client = signed_in(reviewer)
    url = f"/staff/subjects/{grandma.pk}/materials/"
    response = client.get(url)
    assert response.status_code == 403
    assert "只有在为该主体办理办件期间才能查看其材料库。" in text(response)
    services.locker_grant_access(reviewer, grandma, "YM-2026-000010")
    page = text(client.get(url))
    assert "居民身份证" in page and grandma.code not in page
