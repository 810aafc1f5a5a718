"""The case pages: window workbench, staff queues, a case with its actions, my cases."""

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import subjects as people
from yimen.cases import services
from yimen.cases.models import Case, Channel, CorrectionNotice, Task
from yimen.catalog.models import HandlingType, Role
from yimen.worktime.calendar import is_workday
from yimen.worktime.selectors import get_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def crew(db) -> make.Team:
    return make.team()


@pytest.fixture
def licence(db):
    return make.licence_item()


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def workdays_ago(n: int) -> dt.date:
    day, calendar = timezone.localdate(), get_calendar()
    while n:
        day -= dt.timedelta(days=1)
        n -= is_workday(day, calendar)
    return day


def act(client, case: Case, action: str, **data):
    case.refresh_from_db()
    return client.post(
        f"/cases/{case.case_no}/act/{action}/", {"version": case.lock_version, **data}
    )


def field_errors(response, name: str) -> list[str]:
    """The error list rendered right after the field's input."""
    html = response.content.decode()
    found = re.search(rf'id="id_{name}_error"[^>]*>(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


# --- the window -----------------------------------------------------------------------


def test_the_window_queue_shows_waiting_applications_and_the_clerk_accepts_one(crew, licence):
    case = make.submitted(crew, licence, day=workdays_ago(1))
    clerk = signed_in(crew.clerk)

    queue = clerk.get("/window/")
    assert case.case_no in text(queue)
    assert "剩余 4 个工作日" in text(queue)

    response = act(clerk, case, "accept")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "in_progress"
    page = text(clerk.get(f"/cases/{case.case_no}/"))
    assert "受理 （待受理 → 办理中）" in page
    assert case.case_no not in text(clerk.get("/window/"))
    receipt = clerk.get(f"/cases/{case.case_no}/receipt/")
    assert "受理通知书" in text(receipt) and "@media print" in receipt.content.decode()


def test_one_correction_notice_lists_every_deficiency(crew, licence):
    case = make.submitted(crew, licence, provided=("id_card", "floor_plan"))
    clerk = signed_in(crew.clerk)

    response = act(clerk, case, "request_correction", notes="申请表“店铺名称”与营业执照不一致\n")
    assert response.status_code == 302
    notice = CorrectionNotice.objects.get(case=case)
    assert [d.get("material") or d["note"] for d in notice.deficiencies] == [
        "租赁合同",
        "申请表“店铺名称”与营业执照不一致",
    ]
    printed = text(clerk.get(f"/cases/{case.case_no}/correction-notice/"))
    assert "缺少材料：租赁合同" in printed and "与营业执照不一致" in printed


def test_an_instant_item_is_finished_in_one_action(crew):
    instant = make.licence_item("220105-MZJ-001", handling_type=HandlingType.INSTANT)
    case = make.submitted(crew, instant)

    response = act(signed_in(crew.clerk), case, "complete_instant")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.decision) == ("completed", "grant")


def test_the_clerk_finds_a_subject_and_files_an_application(crew, licence):
    clerk = signed_in(crew.clerk)
    found = clerk.get("/window/", {"q": crew.person.code})
    assert f"/window/apply/{crew.person.pk}/" in found.content.decode()

    url = f"/window/apply/{crew.person.pk}/?item={licence.item.code}"
    response = clerk.post(url, {"f_shop_name": "老王面馆", "provided": ["id_card", "lease"]})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.case_no}/"
    assert (case.channel, case.owner, case.form_data) == (
        Channel.WINDOW,
        crew.clerk,
        {"shop_name": "老王面馆"},
    )


def test_a_missing_form_field_is_shown_beside_it_and_nothing_is_filed(crew, licence):
    url = f"/window/apply/{crew.person.pk}/?item={licence.item.code}"
    response = signed_in(crew.clerk).post(url, {"f_shop_name": "", "provided": ["id_card"]})
    assert response.status_code == 422
    assert field_errors(response, "f_shop_name") == ["店铺名称为必填项。"]
    assert re.search(r'value="id_card"[^>]*checked', response.content.decode())
    assert not Case.objects.exists()


def test_a_refusal_without_legal_basis_is_marked_beside_the_field(crew, licence):
    case = make.submitted(crew, licence)
    response = act(signed_in(crew.clerk), case, "refuse", reason="不属于本机关职权", legal_basis="")
    assert response.status_code == 422
    assert field_errors(response, "legal_basis") == ["这个字段是必填项。"]
    assert "不属于本机关职权" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.events.count()) == ("submitted", 1)


def test_a_refused_action_is_explained_and_changes_nothing(crew, licence):
    case = make.submitted(crew, licence, provided=("id_card",))
    response = act(signed_in(crew.clerk), case, "accept")
    assert response.status_code == 409
    assert "材料不齐全（缺少：经营场所平面图、租赁合同）" in text(response)
    case.refresh_from_db()
    assert (case.state, case.events.count()) == ("submitted", 1)


def test_a_stale_page_is_refused_with_a_clear_message(crew, licence):
    case = make.submitted(crew, licence)
    clerk = signed_in(crew.clerk)
    stale = case.lock_version
    services.case_accept(case=case, clerk=crew.clerk)
    response = clerk.post(
        f"/cases/{case.case_no}/act/refuse/",
        {"version": stale, "reason": "x", "legal_basis": "y"},
    )
    assert response.status_code == 409
    assert "办件已被他人更新" in text(response)
    case.refresh_from_db()
    assert case.state == "in_progress"


# --- staff queues and decisions -----------------------------------------------------------


def test_a_reviewer_sees_only_their_departments_tasks_most_urgent_first(crew):
    other = catalog.department("WJJ", "卫健局")
    mine = [
        make.accepted(crew, make.licence_item(f"220105-MZJ-10{n}"), day=workdays_ago(days))
        for n, days in enumerate((2, 12, 9))
    ]
    elsewhere = make.licence_item("220105-WJJ-101", lead_department=other)
    other_case = make.accepted(crew, elsewhere, day=workdays_ago(3))
    reviewer = crew.reviewers[mine[0].department.code]

    page = text(signed_in(reviewer).get("/work/"))
    shown = re.findall(r"220105-\d{8}-\d{6}", page)
    assert shown == [mine[1].case_no, mine[2].case_no, mine[0].case_no]
    assert other_case.case_no not in page
    assert "红牌：已超期 2 个工作日" in page and "正常：剩余 8 个工作日" in page


def test_the_reviewer_completes_and_the_approver_decides(crew, licence):
    case = make.accepted(crew, licence, day=workdays_ago(1))
    task = case.tasks.get(status=Task.Status.OPEN)
    reviewer = signed_in(crew.reviewers[case.department.code])
    fields = {f"t{task.pk}-task": task.pk, f"t{task.pk}-opinion": "材料齐全，同意。"}
    response = act(reviewer, case, "complete_task", prefix=f"t{task.pk}", **fields)
    assert response.status_code == 302

    approver = signed_in(crew.approver)
    page = text(approver.get(f"/cases/{case.case_no}/"))
    assert "审批决定" in page and "材料齐全，同意。" in page
    response = act(approver, case, "decide", decision="grant", reason="符合法定条件")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.decision, case.decision_reason) == ("decided", "grant", "符合法定条件")
    assert "审批决定 （办理中 → 已决定）" in text(approver.get(f"/cases/{case.case_no}/"))


def test_a_decision_without_reason_keeps_the_choice_and_decides_nothing(crew, licence):
    case = make.accepted(crew, licence, day=workdays_ago(1))
    response = act(signed_in(crew.approver), case, "decide", decision="deny", reason="")
    assert response.status_code == 422
    assert field_errors(response, "reason") == ["这个字段是必填项。"]
    assert re.search(r'value="deny"[^>]*checked', response.content.decode())
    case.refresh_from_db()
    assert case.state == "in_progress"


# --- citizens -------------------------------------------------------------------------------


def test_the_citizen_follows_the_timeline_and_uploads_what_was_asked(crew, licence):
    case = make.submitted(crew, licence, channel=Channel.ONLINE, provided=("id_card", "floor_plan"))
    services.case_request_correction(case=case, clerk=crew.clerk, notes=["请补充租赁合同"])
    citizen = signed_in(crew.applicant)

    mine = text(citizen.get("/me/cases/"))
    assert case.case_no in mine and "待补正" in mine
    page = text(citizen.get(f"/cases/{case.case_no}/"))
    assert "一次性告知补正" in page and "租赁合同" in page and "补交材料" in page

    lease = SimpleUploadedFile("lease.pdf", b"%PDF-1.4 lease")
    case.refresh_from_db()
    response = citizen.post(
        f"/cases/{case.case_no}/act/supply_online/", {"version": case.lock_version, "lease": lease}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "submitted"
    lease_material = case.materials.get(spec__kind__code="lease")
    assert lease_material.status == "provided"
    assert lease_material.file.read() == b"%PDF-1.4 lease"
    assert "补正材料 （待补正 → 待受理）" in text(citizen.get(f"/cases/{case.case_no}/"))


def test_an_empty_upload_is_refused_and_nothing_changes(crew, licence):
    case = make.submitted(crew, licence, channel=Channel.ONLINE, provided=("id_card",))
    services.case_request_correction(case=case, clerk=crew.clerk)
    case.refresh_from_db()
    response = signed_in(crew.applicant).post(
        f"/cases/{case.case_no}/act/supply_online/", {"version": case.lock_version}
    )
    assert response.status_code == 422
    assert "请至少上传一份材料" in text(response)
    case.refresh_from_db()
    assert case.state == "correction"


def test_someone_elses_case_does_not_exist_for_them(crew, licence):
    case = make.submitted(crew, licence)
    stranger, _person = people.citizen("李四", birth="19900101")
    other_reviewer = people.staff(Role.REVIEWER, department=catalog.department("WJJ", "卫健局"))
    for account in (stranger, other_reviewer):
        client = signed_in(account)
        assert client.get(f"/cases/{case.case_no}/").status_code == 404
        assert act(client, case, "accept").status_code == 404
    assert case.case_no not in text(signed_in(stranger).get("/me/cases/"))
    case.refresh_from_db()
    assert case.state == "submitted"


def test_nav_links_match_who_is_signed_in(crew):
    assert "/me/cases/" in signed_in(crew.applicant).get("/").content.decode()
    staff_home = signed_in(crew.clerk).get("/").content.decode()
    assert "/window/" in staff_home and "/work/" in staff_home


# --- query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/window/", "/work/", "/me/cases/"])
def test_queue_pages_take_as_many_queries_for_many_rows_as_for_one(
    crew, licence, url, django_assert_max_num_queries
):
    viewer = {"/window/": crew.clerk, "/me/cases/": crew.applicant}.get(
        url, crew.reviewers[licence.lead_department.code]
    )
    client = signed_in(viewer)

    def fill(n):
        for _ in range(n):
            case = make.submitted(crew, licence, day=workdays_ago(2))
            if url == "/work/":
                services.case_accept(case=case, clerk=crew.clerk)

    fill(1)
    with django_assert_max_num_queries(50) as one:
        client.get(url)
    fill(6)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
