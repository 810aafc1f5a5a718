"""The case pages: window workbench, staff queues, a case with its actions, my cases."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import subjects as people
from tests.factories.pages import signed_in, text
from tests.licences import helpers as licences
from yimen.cases import selectors, services
from yimen.cases.models import Case, Channel, CorrectionNotice, Task
from yimen.catalog.models import HandlingType, Role
from yimen.licences import verify
from yimen.licences.models import Licence, LicenceNumberTaken, SealUse
from yimen.licences.services import seal_init
from yimen.oversight.services.ratings import rating_submit
from yimen.subjects import services as subject_services
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
    assert field_errors(response, "refuse_legal_basis") == ["这个字段是必填项。"]
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


# --- a bundle at the window ------------------------------------------------------------


@pytest.fixture
def family(crew):
    """张大娘 (the crew's citizen) brings her own papers and her grandson's."""
    senior, newborn = make.family_bundle()
    grandson = people.person("李沐阳", birth="20251208")
    return senior, newborn, grandson


def bundle_page(crew) -> str:
    return f"/window/apply/{crew.person.pk}/?bundle={make.FAMILY_BUNDLE}"


def test_the_clerk_files_a_bundle_for_a_walk_in_and_her_grandson_in_one_visit(crew, family):
    grandson = family[2]
    clerk = signed_in(crew.clerk)
    found = clerk.get(f"/window/apply/{crew.person.pk}/", {"q": "优待证"}).content.decode()
    assert f"?bundle={make.FAMILY_BUNDLE}" in found

    page = clerk.get(bundle_page(crew))
    shown = text(page)
    assert "老年人优待证办理" in shown and "新生儿城乡居民基本医疗保险参保登记" in shown
    # The ID card both items ask for is ticked once.
    assert page.content.decode().count('value="id_card"') == 1
    key = re.search(r'name="key" value="(\w+)"', page.content.decode()).group(1)

    form = {
        "key": key,
        "i0_residency": "本市户籍",
        "applicant_1": grandson.code,
        "i1_baby_name": "李沐阳",
        "provided": ["id_card", "photo", "birth_certificate"],
    }
    response = clerk.post(bundle_page(crew), form)
    assert response.status_code == 302
    old_age, insurance = Case.objects.order_by("pk")
    assert response.url == f"/cases/{old_age.case_no}/"
    assert old_age.filing_id == insurance.filing_id and old_age.filing.bundle is not None
    assert (old_age.subject_id, insurance.subject_id) == (crew.person.pk, grandson.pk)
    assert insurance.form_data == {"baby_name": "李沐阳"}
    assert insurance.materials.get(spec__kind__code="id_card").status == "provided"

    again = clerk.post(bundle_page(crew), form)
    assert again.status_code == 302 and Case.objects.count() == 2

    sibling = text(clerk.get(f"/cases/{old_age.case_no}/"))
    assert insurance.case_no in sibling and "同一件事的其他办件" in sibling
    for case in (old_age, insurance):
        assert act(clerk, case, "complete_instant").status_code == 302
    filing = old_age.filing
    filing.refresh_from_db()
    assert filing.completed_at is not None
    assert selectors.filing_visit_count(filing) == 1


def test_a_bundle_with_a_wrong_field_and_an_unknown_person_files_nothing(crew, family):
    clerk = signed_in(crew.clerk)
    filled = {"i0_residency": "本市户籍", "i1_baby_name": "李沐阳", "provided": ["photo"]}
    response = clerk.post(bundle_page(crew), {**filled, "applicant_1": "220105201512080000"})
    assert response.status_code == 422
    assert field_errors(response, "applicant_1") == [
        "请填写完整、正确的身份证号或统一社会信用代码。"
    ]
    assert re.search(r'value="photo"[^>]*checked', response.content.decode())
    unregistered = people.new_resident_id("20251208")
    response = clerk.post(bundle_page(crew), {**filled, "applicant_1": unregistered})
    assert field_errors(response, "applicant_1") == ["未找到该申请人，请先在主体登记中登记。"]

    response = clerk.post(bundle_page(crew), {"i0_residency": "本市户籍"})
    assert response.status_code == 422
    assert field_errors(response, "i1_baby_name") == ["新生儿姓名为必填项。"]
    assert 'value="本市户籍" selected' in response.content.decode()
    assert not Case.objects.exists()


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


CASE_NO = r"220105-\d{8}-\d{6}"


def queue_pages(client, url: str) -> list[list[str]]:
    """The case numbers each page of a queue shows, following 下一页 from the first page."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(re.findall(CASE_NO, text(response)))
        assert ("回到第一页" in text(response)) == (len(pages) > 1)
        following = re.search(r'href="(\?after=\d+)"[^>]*>下一页<', response.content.decode())
        url = following and url.split("?")[0] + following.group(1)
    return pages


def test_the_work_queue_shows_30_tasks_a_page_most_urgent_first(crew, licence):
    cases = [make.accepted(crew, licence, day=workdays_ago(n % 7)) for n in range(31)]
    services.case_suspend(case=cases[0], actor=crew.approver, kind="hearing", reason="听证")
    reviewer = signed_in(crew.reviewers[licence.lead_department.code])

    pages = queue_pages(reviewer, "/work/")

    assert [len(page) for page in pages] == [30, 1]
    whole_queue = selectors.work_queue(crew.reviewers[licence.lead_department.code])
    assert [n for page in pages for n in page] == [r.task.case.case_no for r in whole_queue]
    assert pages[-1] == [cases[0].case_no]  # its clock is paused: last


def test_my_cases_shows_30_a_page_newest_first(crew, licence):
    cases = [make.submitted(crew, licence, day=workdays_ago(n // 3)) for n in range(31)]

    pages = queue_pages(signed_in(crew.applicant), "/me/cases/")

    assert [len(page) for page in pages] == [30, 1]
    newest_first = sorted(cases, key=lambda c: (c.received_at, c.pk), reverse=True)
    assert [n for page in pages for n in page] == [c.case_no for c in newest_first]


def test_a_page_position_that_is_not_the_viewers_is_refused(crew, licence):
    mine = make.accepted(crew, licence, day=workdays_ago(1))
    elsewhere = make.accepted(
        crew,
        make.licence_item("220105-WJJ-101", lead_department=catalog.department("WJJ", "卫健局")),
    )
    reviewer = signed_in(crew.reviewers[licence.lead_department.code])
    for garbled in ("abc", "-1", "１"):
        response = reviewer.get(f"/work/?after={garbled}")
        assert response.status_code == 422 and "翻页参数无效" in text(response)
    stranger_task = elsewhere.tasks.get(status=Task.Status.OPEN)
    response = reviewer.get(f"/work/?after={stranger_task.pk}")
    assert response.status_code == 404 and "翻页位置已失效" in text(response)
    assert elsewhere.case_no not in text(response)

    stranger, _person = people.citizen("李四", birth="19900101")
    response = signed_in(stranger).get(f"/me/cases/?after={mine.pk}")
    assert response.status_code == 404 and "翻页位置已失效" in text(response)
    assert mine.case_no not in text(response)
    assert [mine.case_no] == re.findall(CASE_NO, text(reviewer.get("/work/")))


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
    page = text(approver.get(f"/cases/{case.case_no}/"))
    assert "审批决定 （办理中 → 已决定）" in page and "准予：符合法定条件" in page


def test_each_form_on_a_case_page_labels_fields_of_its_own(crew, licence):
    """Suspending, extending and deciding all ask for a reason: each label names its own."""
    case = make.accepted(crew, licence, day=workdays_ago(1))
    html = signed_in(crew.approver).get(f"/cases/{case.case_no}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert {"id_suspend_reason", "id_extend_reason", "id_decide_reason"} <= set(ids)


def test_a_decision_without_reason_keeps_the_choice_and_decides_nothing(crew, licence):
    case = make.accepted(crew, licence, day=workdays_ago(1))
    response = act(signed_in(crew.approver), case, "decide", decision="deny", reason="")
    assert response.status_code == 422
    assert field_errors(response, "decide_reason") == ["这个字段是必填项。"]
    assert re.search(r'value="deny"[^>]*checked', response.content.decode())
    case.refresh_from_db()
    assert case.state == "in_progress"


def test_a_special_procedure_past_its_maximum_is_shown_on_the_case(crew, licence, settings):
    settings.YIMEN_SPECIAL_PROCEDURE_MAX_DAYS = 3
    case = make.accepted(crew, licence, day=dt.date(2025, 11, 3))
    services.case_suspend(
        case=case,
        actor=crew.approver,
        kind="hearing",
        reason="听证",
        now=make.at(dt.date(2025, 11, 5)),
    )
    approver = signed_in(crew.approver)
    with time_machine.travel(make.at(dt.date(2025, 11, 7))):
        assert "特别程序超时" not in text(approver.get(f"/cases/{case.case_no}/"))
    with time_machine.travel(make.at(dt.date(2025, 11, 11))):
        page = text(approver.get(f"/cases/{case.case_no}/"))
    assert "特别程序超时" in page
    assert (
        "“听证”自 2025-11-05 起暂停计时，最长 3 个工作日，应于 2025-11-07 前结束，已超出 2 个工作日"
        in page
    )


# --- citizens -------------------------------------------------------------------------------

LEASE = licences.minimal_pdf("lease")  # uploads are checked to be real PDFs


def test_the_citizen_follows_the_timeline_and_uploads_what_was_asked(crew, licence):
    case = make.submitted(crew, licence, channel=Channel.ONLINE, provided=("id_card", "floor_plan"))
    services.case_request_correction(case=case, clerk=crew.clerk, notes=["请补充租赁合同"])
    citizen = signed_in(crew.applicant)

    mine = text(citizen.get("/me/cases/"))
    assert case.case_no in mine and "待补正" in mine
    page = text(citizen.get(f"/cases/{case.case_no}/"))
    assert "一次性告知补正" in page and "租赁合同" in page and "补交材料" in page

    lease = SimpleUploadedFile("lease.pdf", LEASE)
    case.refresh_from_db()
    response = citizen.post(
        f"/cases/{case.case_no}/act/supply_online/", {"version": case.lock_version, "lease": lease}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "submitted"
    lease_material = case.materials.get(spec__kind__code="lease")
    assert lease_material.status == "provided"
    assert lease_material.file.read() == LEASE
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


@pytest.fixture
def uploaded(crew, licence):
    """An online case whose applicant uploaded the lease a correction notice asked for."""
    case = make.submitted(crew, licence, channel=Channel.ONLINE, provided=("id_card", "floor_plan"))
    services.case_request_correction(case=case, clerk=crew.clerk)
    lease = SimpleUploadedFile("扫描件.pdf", LEASE)
    services.case_supply_online(case=case, actor=crew.applicant, files={"lease": lease})
    return case, case.materials.get(spec__kind__code="lease")


def test_the_applicant_and_serving_staff_download_an_uploaded_material(crew, uploaded):
    case, lease = uploaded
    url = f"/cases/{case.case_no}/materials/{lease.pk}/file/"
    for account in (crew.applicant, crew.clerk):
        client = signed_in(account)
        assert f'href="{url}"' in client.get(f"/cases/{case.case_no}/").content.decode()
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == LEASE
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and ".pdf" in disposition
        assert response["Cache-Control"] == "private, no-store"


def test_nobody_else_gets_an_uploaded_material(crew, licence, uploaded):
    case, lease = uploaded
    url = f"/cases/{case.case_no}/materials/{lease.pk}/file/"
    stranger, _person = people.citizen("李四", birth="19900101")
    other_reviewer = people.staff(Role.REVIEWER, department=catalog.department("WJJ", "卫健局"))
    for account in (stranger, other_reviewer):
        response = signed_in(account).get(url)
        assert response.status_code == 404 and "未找到办件" in text(response)
    assert Client().get(url).status_code == 302  # to sign in

    clerk = signed_in(crew.clerk)
    id_card = case.materials.get(spec__kind__code="id_card")
    no_file = clerk.get(f"/cases/{case.case_no}/materials/{id_card.pk}/file/")
    assert no_file.status_code == 404 and "未找到该材料文件" in text(no_file)
    other_case = make.submitted(crew, licence)
    elsewhere = clerk.get(f"/cases/{other_case.case_no}/materials/{lease.pk}/file/")
    assert elsewhere.status_code == 404


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


def nav_links(account) -> set[str]:
    html = signed_in(account).get("/").content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return {link for link in ("/window/", "/work/", "/me/cases/") if f'href="{link}"' in nav}


def test_nav_links_match_who_is_signed_in(crew):
    assert nav_links(crew.applicant) == {"/me/cases/"}
    assert nav_links(crew.clerk) == {"/window/"}
    assert "综合窗口工作台" in text(signed_in(crew.clerk).get("/"))
    for worker in (crew.reviewers["MZJ"], crew.inspector, crew.approver):
        assert nav_links(worker) == {"/work/"}
    assert nav_links(people.staff(Role.SUPERVISOR)) == set()
    both = people.staff(Role.CLERK)
    subject_services.staff_role_assign(account=both, role=Role.APPROVER)
    assert nav_links(both) == {"/window/", "/work/"}


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


# --- the licence, sealed letters, rating ------------------------------------------------


@pytest.fixture
def the_seal(settings, tmp_path):
    licences.sandbox(settings, tmp_path)
    return seal_init()


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(content)
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60)
    return done.stdout


def test_the_approver_issues_the_sealed_licence_from_the_case_page(crew, licence, the_seal):
    case = licences.granted_case(crew, licence)
    approver = signed_in(crew.approver)
    page = approver.get(f"/cases/{case.case_no}/").content.decode()
    assert f'action="/licences/issue/{case.case_no}/"' in page
    assert "制证" not in text(signed_in(crew.clerk).get(f"/cases/{case.case_no}/"))

    response = approver.post(f"/licences/issue/{case.case_no}/")
    licence = Licence.objects.get(case=case)
    assert response.status_code == 302 and response.url == f"/licences/{licence.number}/"
    case.refresh_from_db()
    assert (case.state, case.licence_ref) == ("issued", licence.number)
    assert verify.verify_pdf(licences.file_bytes(licence)).status == "valid"

    page = signed_in(crew.applicant).get(f"/cases/{case.case_no}/").content.decode()
    assert f'href="/licences/{licence.number}/"' in page
    assert f'href="/licences/{licence.number}/document/"' in page
    assert re.search(r'href="/verify\?p=[^"]+"', page)
    assert "制发电子证照" not in page


def test_issuing_from_the_old_action_form_is_refused_and_issues_nothing(crew, licence, the_seal):
    case = licences.granted_case(crew, licence)
    response = act(signed_in(crew.approver), case, "issue_licence", licence_ref="X-1")
    assert response.status_code == 422 and "未知的办理操作" in text(response)
    case.refresh_from_db()
    assert (case.state, case.licence_ref) == ("decided", "")
    assert not Licence.objects.exists()


def test_issuing_from_a_page_the_case_has_moved_on_from_is_refused(crew, licence, the_seal):
    case = licences.granted_case(crew, licence)
    page = signed_in(crew.approver).get(f"/cases/{case.case_no}/").content.decode()
    assert f'name="version" value="{case.lock_version}"' in page
    stale = signed_in(crew.approver).post(
        f"/licences/issue/{case.case_no}/", {"version": case.lock_version - 1}
    )
    assert stale.status_code == 409 and "办件已被他人更新" in text(stale)
    assert not Licence.objects.exists() and not LicenceNumberTaken.objects.exists()


def test_a_refused_issue_is_explained_and_nothing_is_registered(crew, licence, the_seal):
    case = make.accepted(crew, licence, day=workdays_ago(1))
    response = signed_in(crew.approver).post(f"/licences/issue/{case.case_no}/")
    assert response.status_code == 409 and "只有已作出准予决定" in text(response)
    assert not Licence.objects.exists() and not SealUse.objects.exists()


def test_the_receipt_pdf_is_sealed_once_and_the_applicant_gets_that_original(
    crew, licence, the_seal, tmp_path
):
    case = make.accepted(crew, licence, day=workdays_ago(1))
    applicant = signed_in(crew.applicant)
    too_early = applicant.get(f"/cases/{case.case_no}/receipt.pdf")
    assert too_early.status_code == 404 and "尚未加盖行政审批专用章" in text(too_early)
    assert "受理通知书（电子签章 PDF）" not in text(applicant.get(f"/cases/{case.case_no}/"))

    clerk = signed_in(crew.clerk)
    assert "受理通知书（电子签章 PDF）" in text(clerk.get(f"/cases/{case.case_no}/"))
    response = clerk.get(f"/cases/{case.case_no}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert verify.verify_pdf(response.content).status == "valid"
    assert case.case_no in pdf_text(response.content, tmp_path)
    use = SealUse.objects.get(case_ref=case.case_no)
    assert (use.kind, use.actor) == ("receipt", crew.clerk)

    assert applicant.get(f"/cases/{case.case_no}/receipt.pdf").content == response.content
    assert clerk.get(f"/cases/{case.case_no}/receipt.pdf").content == response.content
    assert SealUse.objects.count() == 1
    assert "受理通知书（电子签章 PDF）" in text(applicant.get(f"/cases/{case.case_no}/"))


def test_a_lost_sealed_copy_is_reported_and_not_sealed_again(crew, licence, the_seal):
    case = make.accepted(crew, licence, day=workdays_ago(1))
    clerk = signed_in(crew.clerk)
    assert clerk.get(f"/cases/{case.case_no}/receipt.pdf").status_code == 200
    use = SealUse.objects.get(case_ref=case.case_no)
    use.file.storage.delete(use.file.name)

    lost = signed_in(crew.applicant).get(f"/cases/{case.case_no}/receipt.pdf")
    assert lost.status_code == 404 and "盖章件文件缺失" in text(lost)
    assert SealUse.objects.count() == 1


def test_correction_refusal_and_decision_letters_come_sealed(crew, licence, the_seal, tmp_path):
    clerk = signed_in(crew.clerk)
    corrected = make.submitted(crew, licence, provided=("id_card",))
    services.case_request_correction(case=corrected, clerk=crew.clerk, notes=["请补交租赁合同"])
    notice = clerk.get(f"/cases/{corrected.case_no}/correction-notice.pdf")
    assert verify.verify_pdf(notice.content).status == "valid"
    assert corrected.case_no in pdf_text(notice.content, tmp_path)

    refused = make.submitted(crew, licence)
    services.case_refuse(
        case=refused,
        clerk=crew.clerk,
        reason="不属于本机关职权范围",
        legal_basis="行政许可法第三十二条",
    )
    letter = clerk.get(f"/cases/{refused.case_no}/refusal.pdf")
    assert verify.verify_pdf(letter.content).status == "valid"
    assert refused.case_no in pdf_text(letter.content, tmp_path)

    granted = licences.granted_case(crew, licence)
    signed_in(crew.approver).post(f"/licences/issue/{granted.case_no}/")
    decision = signed_in(crew.applicant).get(f"/cases/{granted.case_no}/decision.pdf")
    assert verify.verify_pdf(decision.content).status == "valid"
    assert granted.case_no in pdf_text(decision.content, tmp_path)
    uses = SealUse.objects.filter(case_ref=granted.case_no)
    assert sorted(uses.values_list("kind", flat=True)) == ["grant", "licence"]


def test_letters_a_case_does_not_have_or_a_stranger_asks_for_are_not_found(crew, licence, the_seal):
    case = make.submitted(crew, licence)
    clerk = signed_in(crew.clerk)
    for letter in ("receipt", "correction-notice", "refusal", "decision"):
        response = clerk.get(f"/cases/{case.case_no}/{letter}.pdf")
        assert response.status_code == 404
    stranger, _person = people.citizen("李四", birth="19900101")
    services.case_accept(case=case, clerk=crew.clerk)
    clerk.get(f"/cases/{case.case_no}/receipt.pdf")
    refused = signed_in(stranger).get(f"/cases/{case.case_no}/receipt.pdf")
    assert refused.status_code == 404 and "未找到办件" in text(refused)
    assert signed_in(crew.applicant).get(f"/cases/{case.case_no}/receipt.pdf").status_code == 200


def finished(crew, version) -> Case:
    instant = make.submitted(crew, version)
    return services.case_complete_instant(case=instant, clerk=crew.clerk)


def test_the_applicant_is_asked_to_rate_a_finished_case_and_can_complain(crew):
    case = finished(crew, make.licence_item("220105-MZJ-001", handling_type=HandlingType.INSTANT))
    applicant = signed_in(crew.applicant)
    html = applicant.get(f"/cases/{case.case_no}/").content.decode()
    assert f'href="/cases/{case.case_no}/rate/"' in html
    assert f'href="/complaints/new/?target=case&amp;case={case.case_no}"' in html

    rating_submit(case=case, rater=crew.applicant, level=1, channel="pc")
    page = applicant.get(f"/cases/{case.case_no}/")
    assert "您已评价：非常满意" in text(page)
    assert ">评价</a>" not in page.content.decode()
    assert "/complaints/new/?target=case" in page.content.decode()

    staff_page = signed_in(crew.clerk).get(f"/cases/{case.case_no}/").content.decode()
    assert "/rate/" not in staff_page and "/complaints/new/?target=case" not in staff_page


def test_an_unfinished_case_offers_no_rating(crew, licence):
    case = make.accepted(crew, licence, day=workdays_ago(1))
    html = signed_in(crew.applicant).get(f"/cases/{case.case_no}/").content.decode()
    assert "/rate/" not in html and "评价与投诉" not in html
