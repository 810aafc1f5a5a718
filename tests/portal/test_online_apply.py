"""Applying online, step by step: whom for, the form, the materials, review and submit."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from reportlab.pdfgen import canvas

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import subjects as people
from tests.factories.pages import signed_in, text
from yimen import uploads
from yimen.cases.models import ApplicationDraft, Case, CaseMaterial, Channel, Filing
from yimen.catalog import services as catalog_services
from yimen.catalog.models import FormField, OnlineDepth, Role, SubjectType
from yimen.subjects.models import DelegatedAct

pytestmark = pytest.mark.django_db

PHONE_UA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def licence(db):
    """食品经营许可: shop name; ID card (required), floor plan (容缺), lease (required)."""
    return make.licence_item()


@pytest.fixture
def citizen(db):
    account, person = people.citizen()
    return account, person


def scanned(text: str = "lease") -> bytes:
    """A real one-page PDF, as a scanner makes."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


PDF = scanned()


def pdf(name: str = "lease.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "id.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def start(client, subject, code: str, *, bundle: bool = False) -> ApplicationDraft:
    path = f"/apply/bundle/{code}/" if bundle else f"/apply/{code}/"
    response = client.post(path, {"subject": subject.pk})
    draft = ApplicationDraft.objects.latest("pk")
    assert response.status_code == 302 and response.url == f"/apply/drafts/{draft.pk}/form/"
    return draft


def step_url(draft: ApplicationDraft, step: str) -> str:
    return f"/apply/drafts/{draft.pk}/{step}/"


def input_tag(response, name: str) -> str:
    found = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', response.content.decode())
    assert found, f"no field {name}"
    return found.group(0)


def field_error(response, field_id: str) -> str:
    found = re.search(rf'id="{field_id}_error"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def filled_in(client, draft, **fields):
    data = {"action": "next", **{f"i0_{k}": v for k, v in fields.items()}}
    return client.post(step_url(draft, "form"), data)


# --- the whole way ----------------------------------------------------------------------


def test_a_citizen_applies_online_and_the_case_gets_the_locker_and_the_uploads(
    licence, citizen, django_capture_on_commit_callbacks
):
    account, person = citizen
    people.stored(person, "id_card")
    client = signed_in(account)

    guide = client.get(f"/items/{licence.item.code}/")
    assert f'href="/apply/{licence.item.code}/"' in guide.content.decode()
    chooser = client.get(f"/apply/{licence.item.code}/")
    assert chooser.status_code == 200 and f"{person.name}（" in text(chooser)
    assert "本人" in text(chooser)

    draft = start(client, person, licence.item.code)
    assert filled_in(client, draft, shop_name="老王面馆").url == step_url(draft, "materials")

    materials = client.get(step_url(draft, "materials"))
    assert "无需提交 （来自材料库：" in text(materials)
    assert 'name="m_id_card"' not in materials.content.decode()
    uploaded = client.post(step_url(draft, "materials"), {"m_lease": pdf(), "action": "next"})
    assert uploaded.url == step_url(draft, "review")

    review = client.get(step_url(draft, "review"))
    assert "老王面馆" in text(review) and "已上传 lease.pdf" in text(review)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/apply/drafts/{draft.pk}/submit/", {"key": draft.key, "channel": Channel.ONLINE}
        )

    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.case_no}/"
    assert (case.subject_id, case.channel, case.form_data) == (
        person.pk,
        Channel.ONLINE,
        {"shop_name": "老王面馆"},
    )
    status = {m.spec.kind.code: m.status for m in case.materials.all()}
    assert status == {
        "id_card": CaseMaterial.Status.REUSED,
        "floor_plan": CaseMaterial.Status.MISSING,
        "lease": CaseMaterial.Status.PROVIDED,
    }
    lease = case.materials.get(spec__kind__code="lease")
    assert lease.file.name.startswith(f"cases/{case.case_no}/") and lease.file.name.endswith(".pdf")
    assert lease.file.read() == PDF
    assert not ApplicationDraft.objects.exists()
    assert default_storage.listdir(f"drafts/{draft.pk}")[1] == []
    assert case.case_no in text(client.get(response.url))


def test_the_guide_offers_online_application_only_where_the_item_is_offered_online(citizen):
    online = catalog.published("220105-MZJ-001")
    consult_only = catalog.published("220105-MZJ-002", online_depth=OnlineDepth.PRE_REVIEW)
    client = signed_in(citizen[0])

    assert "在线申请" in text(client.get("/items/220105-MZJ-001/"))
    assert "在线申请" not in text(client.get("/items/220105-MZJ-002/"))
    refused = client.get("/apply/220105-MZJ-002/")
    assert refused.status_code == 409
    assert "该事项暂不支持在线申请，请到政务服务中心窗口办理。" in text(refused)
    assert online.online_depth >= OnlineDepth.ONLINE_ACCEPT > consult_only.online_depth


def test_strangers_are_asked_to_sign_in_and_staff_get_no_apply_button(licence):
    code = licence.item.code
    guide = Client().get(f"/items/{code}/")
    assert "在线申请 （需登录）" in text(guide)
    assert Client().get(f"/apply/{code}/").url.startswith("/accounts/login/?next=")

    clerk = signed_in(people.staff(Role.CLERK))
    assert "在线申请" not in text(clerk.get(f"/items/{code}/"))


# --- step 2: the form --------------------------------------------------------------------


@pytest.fixture
def checked_item(db):
    """An item whose form has a pattern, a number range and a choice."""
    version = catalog.draft("220105-MZJ-010", name="最低生活保障申请")
    FormField.objects.create(
        version=version,
        order=1,
        key="phone",
        label="联系电话",
        field_type="text",
        pattern=r"1[3-9]\d{9}",
        help_text="11位手机号码",
    )
    FormField.objects.create(
        version=version,
        order=2,
        key="members",
        label="家庭人口",
        field_type="number",
        min_value=1,
        max_value=20,
    )
    FormField.objects.create(
        version=version,
        order=3,
        key="street",
        label="所在街道",
        field_type="choice",
        choices=["东盛街道", "荣光街道"],
    )
    catalog_services.version_publish(version=version, actor="catalog-admin")
    return version


def test_a_failed_check_keeps_what_was_typed_and_says_what_to_fix_beside_each_field(
    checked_item, citizen
):
    account, person = citizen
    client = signed_in(account)
    draft = start(client, person, checked_item.item.code)

    response = filled_in(client, draft, phone="0431-123", members="30", street="")

    assert response.status_code == 422
    assert 'value="0431-123"' in input_tag(response, "i0_phone")
    assert 'value="30"' in input_tag(response, "i0_members")
    phone = input_tag(response, "i0_phone")
    assert 'aria-invalid="true"' in phone
    assert 'aria-describedby="id_i0_phone_helptext id_i0_phone_error"' in phone
    assert field_error(response, "id_i0_phone") == "错误：联系电话格式不正确（11位手机号码）。"
    assert field_error(response, "id_i0_members") == "错误：家庭人口不能大于20。"
    assert field_error(response, "id_i0_street") == "错误：所在街道为必填项。"
    assert '<a href="#id_i0_phone">联系电话格式不正确' in response.content.decode()
    draft.refresh_from_db()
    assert (draft.step, draft.form_data) == (
        ApplicationDraft.Step.FORM,
        {"phone": "0431-123", "members": "30"},
    )
    assert client.get(step_url(draft, "materials")).url == step_url(draft, "form")

    fixed = filled_in(client, draft, phone="13904310001", members="3", street="东盛街道")
    assert fixed.url == step_url(draft, "materials")
    draft.refresh_from_db()
    assert draft.form_data == {"phone": "13904310001", "members": "3", "street": "东盛街道"}


def test_every_field_has_a_label_and_required_ones_say_so(checked_item, citizen):
    account, person = citizen
    client = signed_in(account)
    page = client.get(step_url(start(client, person, checked_item.item.code), "form"))
    html = page.content.decode()

    for name in ("i0_phone", "i0_members", "i0_street"):
        assert f'<label for="id_{name}">' in html
        assert 'aria-required="true"' in input_tag(page, name)
    assert 'inputmode="decimal"' in input_tag(page, "i0_members")
    assert "联系电话 （必填）" in text(page)


def test_a_draft_saved_halfway_is_listed_and_continued_later(checked_item, citizen):
    account, person = citizen
    client = signed_in(account)
    draft = start(client, person, checked_item.item.code)

    saved = client.post(step_url(draft, "form"), {"i0_phone": "1390431", "action": "save"})
    assert saved.status_code == 302 and saved.url == step_url(draft, "form")
    again = client.get(saved.url)
    assert "草稿已保存" in text(again)
    assert 'value="1390431"' in input_tag(again, "i0_phone")

    listed = client.get("/apply/drafts/")
    assert "最低生活保障申请" in text(listed) and "进行到：填写申请表" in text(listed)
    assert client.get(f"/apply/drafts/{draft.pk}/").url == step_url(draft, "form")
    chooser = client.get(f"/apply/{checked_item.item.code}/")
    assert "您有 1 份尚未提交的草稿" in text(chooser)


def test_a_draft_is_deleted_with_its_uploads(licence, citizen, django_capture_on_commit_callbacks):
    account, person = citizen
    client = signed_in(account)
    draft = start(client, person, licence.item.code)
    filled_in(client, draft, shop_name="老王面馆")
    client.post(step_url(draft, "materials"), {"m_lease": pdf(), "action": "save"})
    stored = ApplicationDraft.objects.get().uploads["lease"]["name"]
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/apply/drafts/{draft.pk}/delete/", {"next": "/apply/drafts/"})

    assert response.status_code == 302 and response.url == "/apply/drafts/"
    assert not ApplicationDraft.objects.exists()
    assert not default_storage.exists(stored)
    assert client.get(step_url(draft, "form")).status_code == 404


def test_someone_elses_draft_does_not_exist_for_me(licence, citizen):
    account, person = citizen
    draft = start(signed_in(account), person, licence.item.code)
    other = signed_in(people.citizen("李建国", birth="19650101")[0])

    assert other.get(step_url(draft, "form")).status_code == 404
    assert other.post(f"/apply/drafts/{draft.pk}/delete/").status_code == 404
    assert ApplicationDraft.objects.filter(pk=draft.pk).exists()


# --- step 3: the materials ---------------------------------------------------------------


def test_a_required_material_not_given_is_named_beside_its_upload(licence, citizen):
    account, person = citizen
    client = signed_in(account)
    draft = start(client, person, licence.item.code)
    filled_in(client, draft, shop_name="老王面馆")

    response = client.post(step_url(draft, "materials"), {"action": "next"})

    assert response.status_code == 422
    assert field_error(response, "id_m_id_card") == "错误：请上传“居民身份证”。"
    assert field_error(response, "id_m_lease") == "错误：请上传“租赁合同”。"
    assert field_error(response, "id_m_floor_plan") == ""
    assert 'aria-invalid="true"' in input_tag(response, "m_lease")
    assert '<a href="#id_m_lease">上传租赁合同：请上传“租赁合同”。</a>' in response.content.decode()
    draft.refresh_from_db()
    assert draft.step == ApplicationDraft.Step.MATERIALS


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("lease.pdf", b"MZ\x90\x00"), "不能上传程序或脚本文件。"),
        (
            pdf(content=b"<html>not a pdf"),
            "只能上传 PDF、OFD、JPG 或 PNG 格式的文件，该文件的内容不是其中任何一种。",
        ),
        (pdf(content=b""), "上传的文件是空的。"),
    ],
)
def test_a_bad_upload_is_refused_beside_its_field_and_the_good_ones_are_kept(
    licence, citizen, upload, message
):
    account, person = citizen
    client = signed_in(account)
    draft = start(client, person, licence.item.code)
    filled_in(client, draft, shop_name="老王面馆")
    response = client.post(
        step_url(draft, "materials"), {"m_id_card": png(), "m_lease": upload, "action": "next"}
    )

    assert response.status_code == 422
    assert field_error(response, "id_m_lease") == f"错误：{message}"
    assert "已上传：id.png" in text(response)
    draft.refresh_from_db()
    assert set(draft.uploads) == {"id_card"} and draft.step == ApplicationDraft.Step.MATERIALS


def test_an_upload_over_the_size_limit_is_refused(licence, citizen, settings):
    settings.YIMEN_UPLOAD_MAX_BYTES = uploads.MB
    account, person = citizen
    client = signed_in(account)
    draft = start(client, person, licence.item.code)
    filled_in(client, draft, shop_name="老王面馆")
    page = client.get(step_url(draft, "materials"))
    assert "PDF、OFD、JPG 或 PNG 格式，不超过 1 MB。" in text(page)

    big = pdf(content=b"%PDF-1.4\n" + b"0" * uploads.MB)
    response = client.post(step_url(draft, "materials"), {"m_lease": big, "action": "save"})

    assert response.status_code == 422
    assert field_error(response, "id_m_lease") == "错误：文件不能超过 1 MB，请压缩或分开上传。"
    assert ApplicationDraft.objects.get().uploads == {}


def test_an_upload_can_be_taken_back(licence, citizen, django_capture_on_commit_callbacks):
    account, person = citizen
    client = signed_in(account)
    draft = start(client, person, licence.item.code)
    filled_in(client, draft, shop_name="老王面馆")
    client.post(step_url(draft, "materials"), {"m_lease": pdf(), "action": "save"})
    stored = ApplicationDraft.objects.get().uploads["lease"]["name"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(draft, "materials"), {"action": "remove:lease"})

    assert response.status_code == 302 and response.url == step_url(draft, "materials")
    assert "已删除上传的文件。" in text(client.get(response.url))
    assert ApplicationDraft.objects.get().uploads == {}
    assert not default_storage.exists(stored)


# --- step 4: review and submit --------------------------------------------------------


def ready_to_submit(client, person, licence) -> ApplicationDraft:
    draft = start(client, person, licence.item.code)
    filled_in(client, draft, shop_name="老王面馆")
    files = {"m_id_card": pdf("id.pdf"), "m_lease": pdf()}
    client.post(step_url(draft, "materials"), {**files, "action": "next"})
    draft.refresh_from_db()
    assert draft.step == ApplicationDraft.Step.REVIEW
    return draft


def test_a_double_click_on_submit_makes_one_case(licence, citizen):
    account, person = citizen
    client = signed_in(account)
    draft = ready_to_submit(client, person, licence)
    data = {"key": draft.key, "channel": Channel.ONLINE}

    first = client.post(f"/apply/drafts/{draft.pk}/submit/", data)
    second = client.post(f"/apply/drafts/{draft.pk}/submit/", data)

    case = Case.objects.get()
    assert first.url == second.url == f"/cases/{case.case_no}/"
    assert Filing.objects.count() == 1


@pytest.mark.parametrize(
    ("headers", "channel"),
    [
        ({"HTTP_SEC_CH_UA_MOBILE": "?1", "HTTP_USER_AGENT": DESKTOP_UA}, Channel.MOBILE),
        ({"HTTP_SEC_CH_UA_MOBILE": "?0", "HTTP_USER_AGENT": PHONE_UA}, Channel.ONLINE),
        ({"HTTP_USER_AGENT": PHONE_UA}, Channel.MOBILE),
        ({"HTTP_USER_AGENT": DESKTOP_UA}, Channel.ONLINE),
    ],
)
def test_the_channel_is_mobile_when_the_browser_says_it_runs_on_a_phone(
    licence, citizen, headers, channel
):
    account, person = citizen
    client = signed_in(account)
    draft = ready_to_submit(client, person, licence)

    review = client.get(step_url(draft, "review"), **headers)
    assert f'name="channel" value="{channel}"' in review.content.decode()
    client.post(f"/apply/drafts/{draft.pk}/submit/", {"key": draft.key, "channel": channel})

    assert Case.objects.get().channel == channel


def test_a_posted_channel_other_than_online_or_mobile_is_not_trusted(licence, citizen):
    account, person = citizen
    client = signed_in(account)
    draft = ready_to_submit(client, person, licence)

    client.post(
        f"/apply/drafts/{draft.pk}/submit/",
        {"key": draft.key, "channel": Channel.WINDOW},
        HTTP_USER_AGENT=PHONE_UA,
    )

    assert Case.objects.get().channel == Channel.MOBILE


def test_a_refused_submission_keeps_the_draft_and_says_why(licence, citizen):
    account, person = citizen
    client = signed_in(account)
    draft = ready_to_submit(client, person, licence)
    draft.form_data = {}
    draft.save()

    response = client.post(
        f"/apply/drafts/{draft.pk}/submit/", {"key": draft.key, "channel": Channel.ONLINE}
    )

    assert response.status_code == 422
    assert "申请表填写有误：店铺名称为必填项。" in text(response)
    assert not Case.objects.exists()
    assert ApplicationDraft.objects.get().uploads.keys() == {"id_card", "lease"}


def test_a_field_the_item_no_longer_asks_is_left_out_of_the_case(licence, citizen):
    account, person = citizen
    client = signed_in(account)
    draft = ready_to_submit(client, person, licence)
    draft.form_data = {"shop_name": "老王面馆", "retired_field": "旧版本的字段"}
    draft.save()

    client.post(f"/apply/drafts/{draft.pk}/submit/", {"key": draft.key, "channel": "online"})

    assert Case.objects.get().form_data == {"shop_name": "老王面馆"}


def test_a_later_step_not_yet_reached_sends_back_to_the_current_one(licence, citizen):
    account, person = citizen
    client = signed_in(account)
    draft = start(client, person, licence.item.code)

    assert client.get(step_url(draft, "review")).url == step_url(draft, "form")
    assert client.get(step_url(draft, "nonsense")).status_code == 404


# --- whom for ----------------------------------------------------------------------------


def test_a_company_clerk_applies_for_the_organisation_that_authorised_them(db):
    version = make.licence_item(subject_type=SubjectType.ORGANISATION)
    company = people.organisation()
    clerk_account = people.citizen("周敏", birth="19900505")[0]
    people.grant(company, clerk_account)
    client = signed_in(clerk_account)

    chooser = client.get(f"/apply/{version.item.code}/")
    assert "吉林省东盛建筑工程有限公司" in text(chooser) and "受托代办" in text(chooser)
    draft = start(client, company, version.item.code)
    filled_in(client, draft, shop_name="东盛食堂")
    files = {"m_id_card": pdf("id.pdf"), "m_lease": pdf()}
    client.post(step_url(draft, "materials"), {**files, "action": "next"})
    client.post(f"/apply/drafts/{draft.pk}/submit/", {"key": draft.key, "channel": "online"})

    case = Case.objects.get()
    assert case.subject_id == company.pk and case.filing.submitted_by == clerk_account
    assert DelegatedAct.objects.filter(actor=clerk_account, action="case_submit").exists()


def test_no_one_to_apply_for_is_explained(licence, citizen):
    for_companies = make.licence_item("220105-SCJ-009", subject_type=SubjectType.ORGANISATION)
    unlinked = people.account()

    mismatch = signed_in(citizen[0]).get(f"/apply/{for_companies.item.code}/")
    assert "您可以办理的主体都不是本事项的服务对象（法人）" in text(mismatch)
    nobody = signed_in(unlinked).get(f"/apply/{licence.item.code}/")
    assert "您的账号尚未关联实名信息" in text(nobody)
    forged = signed_in(unlinked).post(f"/apply/{licence.item.code}/", {"subject": citizen[1].pk})
    assert forged.status_code == 422 and not ApplicationDraft.objects.exists()


# --- bundles -------------------------------------------------------------------------------


def asking_phone(code: str, name: str, kind_code: str):
    version = catalog.draft(code, name=name, materials=((kind_code, name + "申请表"),))
    FormField.objects.create(
        version=version, order=1, key="phone", label="联系电话", field_type="text"
    )
    FormField.objects.create(
        version=version, order=2, key=f"{kind_code}_note", label=f"{name}说明", field_type="text"
    )
    catalog_services.version_publish(version=version, actor="catalog-admin")
    return version


def test_a_bundle_asks_a_shared_field_once_and_files_one_case_per_item(citizen):
    senior = asking_phone("220105-MZJ-001", "老年人优待证办理", "senior_form")
    newborn = asking_phone("220105-YBJ-001", "新生儿参保登记", "newborn_form")
    make.bundle("220105-YJS-001", senior, newborn, name="老年人优待证和新生儿参保一件事")
    account, person = citizen
    client = signed_in(account)
    draft = start(client, person, "220105-YJS-001", bundle=True)

    form = client.get(step_url(draft, "form"))
    assert form.content.decode().count('name="s_phone"') == 1
    assert "本一件事的 2 个事项都用这一项，只需填写一次。" in text(form)
    response = client.post(
        step_url(draft, "form"), {"s_phone": "", "i0_senior_form_note": "本人", "action": "next"}
    )
    assert response.status_code == 422
    assert field_error(response, "id_s_phone") == "错误：联系电话为必填项。"
    assert field_error(response, "id_i1_newborn_form_note") == "错误：新生儿参保登记说明为必填项。"

    client.post(
        step_url(draft, "form"),
        {"s_phone": "13904310001", "i0_senior_form_note": "本人", "i1_newborn_form_note": "孙子"},
    )
    files = {"m_senior_form": pdf("a.pdf"), "m_newborn_form": pdf("b.pdf"), "action": "next"}
    client.post(step_url(draft, "materials"), files)
    client.post(f"/apply/drafts/{draft.pk}/submit/", {"key": draft.key, "channel": "online"})

    filing = Filing.objects.get()
    assert filing.bundle.code == "220105-YJS-001"
    forms = {c.version.item.code: c.form_data for c in filing.cases.all()}
    assert forms == {
        "220105-MZJ-001": {"phone": "13904310001", "senior_form_note": "本人"},
        "220105-YBJ-001": {"phone": "13904310001", "newborn_form_note": "孙子"},
    }
    assert all(c.materials.get().file for c in filing.cases.all())
