"""The cases API: apply with an idempotency key, read a case, act on it, clear refusals."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories import subjects as people
from tests.factories.cases import ALL_MATERIALS, at, licence_item, team
from tests.factories.subjects import bearer
from tests.licences import helpers as licences
from yimen.cases.models import Case
from yimen.catalog.models import Role
from yimen.licences import verify
from yimen.licences.models import Licence, LicenceNumberTaken, SealUse
from yimen.licences.services import seal_init
from yimen.subjects.models import DelegatedAct

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def crew():
    return team()


@pytest.fixture
def licence():
    return licence_item()


def apply(client, crew, licence, **headers):
    return client.post(
        "/api/v1/cases",
        {
            "item_code": licence.item.code,
            "channel": "online",
            "form": {"shop_name": "老王面馆"},
            "provided": list(ALL_MATERIALS),
        },
        content_type="application/json",
        **bearer(crew.applicant),
        **headers,
    )


def act(client, account, case_no, action, **body):
    return client.post(
        f"/api/v1/cases/{case_no}/actions/{action}",
        body,
        content_type="application/json",
        **bearer(account),
    )


def test_submit_twice_with_one_idempotency_key_makes_one_case(client, crew, licence):
    first = apply(client, crew, licence, HTTP_IDEMPOTENCY_KEY="abc")
    again = apply(client, crew, licence, HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, again.status_code) == (201, 201)
    case_no = first.json()["cases"][0]["case_no"]
    assert again.json()["cases"][0]["case_no"] == case_no
    assert Case.objects.count() == 1
    assert first.json()["cases"][0]["visits"] == 0


def test_read_and_act_on_a_case(client, crew, licence):
    case_no = apply(client, crew, licence).json()["cases"][0]["case_no"]
    accepted = act(client, crew.clerk, case_no, "accept")
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["state"] == "in_progress" and body["state_label"] == "办理中"
    assert dt.date.fromisoformat(body["deadline"]) <= dt.date.fromisoformat(body["legal_deadline"])
    assert body["warning"] in {"normal", "yellow", "red"}
    assert [e["action"] for e in body["events"]] == ["submit", "accept"]
    task = body["stages"][0]["tasks"][0]

    done = act(
        client, crew.reviewers["MZJ"], case_no, "complete_task", task_id=task["id"], opinion="同意"
    )
    assert done.status_code == 200
    stale = act(client, crew.reviewers["MZJ"], case_no, "complete_task", task_id=task["id"])
    assert stale.status_code == 409 and stale.json()["code"] == "task_conflict"

    seen = client.get(f"/api/v1/cases/{case_no}", **bearer(crew.applicant)).json()
    assert [s["name"] for s in seen["stages"]] == ["审查", "决定"]
    assert seen["actions"] == [
        "supply_pending",
        "complete_task",
        "return_stage",
        "suspend",
        "resume",
        "extend",
        "decide",
    ]


def test_a_material_handed_in_again_after_a_notice_carries_the_later_time(client, crew, licence):
    filed, corrected = dt.date(2025, 11, 3), dt.date(2025, 11, 4)
    with time_machine.travel(at(filed), tick=False):
        case_no = apply(client, crew, licence).json()["cases"][0]["case_no"]
        notice = act(client, crew.clerk, case_no, "request_correction", notes=["租赁合同缺少签字"])
        assert notice.status_code == 200
    with time_machine.travel(at(corrected, 9), tick=False):
        again = act(client, crew.applicant, case_no, "supply_correction", provided=["lease"])
    assert again.status_code == 200

    supply = again.json()["events"][-1]
    assert (supply["action"], supply["data"]["provided"]) == ("supply_correction", ["lease"])
    assert dt.datetime.fromisoformat(supply["at"]) == at(corrected, 9)
    materials = Case.objects.get(case_no=case_no).materials
    supplied = dict(materials.values_list("spec__kind__code", "supplied_at"))
    assert supplied == {"id_card": at(filed), "floor_plan": at(filed), "lease": at(corrected, 9)}


def test_refusals_carry_a_code_and_a_chinese_message(client, crew, licence):
    case_no = apply(client, crew, licence).json()["cases"][0]["case_no"]
    too_early = act(client, crew.approver, case_no, "decide", grant=True, reason="符合")
    assert (too_early.status_code, too_early.json()["code"]) == (409, "illegal_state")
    not_clerk = act(client, crew.approver, case_no, "accept")
    assert (not_clerk.status_code, not_clerk.json()["code"]) == (403, "forbidden")

    wrong_state = act(client, crew.clerk, case_no, "deliver", mode="post")
    assert wrong_state.status_code == 409
    assert wrong_state.json()["code"] == "illegal_state"
    assert "待受理" in wrong_state.json()["message"]

    unknown = act(client, crew.clerk, case_no, "teleport")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_action")

    no_grant = act(client, crew.clerk, case_no, "refuse", reason="不属于本机关职权")
    assert (no_grant.status_code, no_grant.json()["field"]) == (422, "legal_basis")
    assert Case.objects.get(case_no=case_no).events.count() == 1


def test_strangers_and_anonymous_callers_are_refused(client, crew, licence):
    case_no = apply(client, crew, licence).json()["cases"][0]["case_no"]
    stranger, _person = people.citizen("李四", birth="19900101")
    assert client.get(f"/api/v1/cases/{case_no}", **bearer(stranger)).status_code == 403
    assert client.get(f"/api/v1/cases/{case_no}").status_code == 401
    assert (
        client.get("/api/v1/cases/220105-20000101-000001", **bearer(crew.clerk)).json()["code"]
        == "case_not_found"
    )


def test_bad_form_input_is_422_with_field_details(client, crew, licence):
    response = client.post(
        "/api/v1/cases",
        {"item_code": licence.item.code, "form": {}},
        content_type="application/json",
        **bearer(crew.applicant),
    )
    assert response.status_code == 422
    assert response.json()["details"][0] == {"field": "shop_name", "message": "店铺名称为必填项。"}
    assert not Case.objects.exists()


def test_a_grid_worker_applies_for_a_person_only_under_their_authorisation(client, crew, licence):
    grid_worker = people.staff(Role.GRID_WORKER, name="林秀芳")
    body = {
        "item_code": licence.item.code,
        "subject_id": crew.person.pk,
        "channel": "assisted",
        "form": {"shop_name": "老王面馆"},
        "provided": list(ALL_MATERIALS),
    }

    def post():
        return client.post(
            "/api/v1/cases", body, content_type="application/json", **bearer(grid_worker)
        )

    refused = post()
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "not_authorised",
        "message": "您未获得该主体的委托，不能代为办理。",
    }
    assert not Case.objects.exists()

    people.grant(crew.person, grid_worker)
    filed = post()
    assert filed.status_code == 201
    case_no = filed.json()["cases"][0]["case_no"]
    act = DelegatedAct.objects.get(case_ref=case_no, action="case_submit")
    assert (act.actor, act.principal_id) == (grid_worker, crew.person.pk)


# --- 制证 --------------------------------------------------------------------------------


@pytest.fixture
def the_seal(settings, tmp_path):
    licences.sandbox(settings, tmp_path)
    return seal_init()


def test_issue_licence_seals_and_registers_the_licence(client, crew, licence, the_seal):
    case = licences.granted_case(crew, licence)
    until = timezone.localdate() + dt.timedelta(days=400)
    issued = act(client, crew.approver, case.case_no, "issue_licence", valid_until=str(until))
    assert issued.status_code == 200
    registered = Licence.objects.get(case=case)
    assert (issued.json()["state"], issued.json()["licence_ref"]) == ("issued", registered.number)
    assert registered.valid_until == until and registered.issued_by == crew.approver
    assert verify.verify_pdf(licences.file_bytes(registered)).status == "valid"
    assert registered.locker_entry.subject_id == crew.person.pk

    again = act(client, crew.approver, case.case_no, "issue_licence")
    assert (again.status_code, again.json()["code"]) == (409, "not_issuable")
    assert Licence.objects.count() == 1


def test_issue_licence_refusals_issue_nothing(client, crew, licence, the_seal):
    case = licences.granted_case(crew, licence)
    not_approver = act(client, crew.clerk, case.case_no, "issue_licence")
    assert (not_approver.status_code, not_approver.json()["code"]) == (403, "forbidden")
    past = act(client, crew.approver, case.case_no, "issue_licence", valid_until="2000-01-01")
    assert (past.status_code, past.json()["field"]) == (422, "valid_until")
    stale = act(
        client, crew.approver, case.case_no, "issue_licence", expected_version=case.lock_version - 1
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")
    case.refresh_from_db()
    assert (case.state, case.licence_ref) == ("decided", "")
    assert not Licence.objects.exists() and not SealUse.objects.exists()
    assert not LicenceNumberTaken.objects.exists()  # refused before a number was taken


# --- the answer to an application ---------------------------------------------------------


def read_back(client, account, case_no: str) -> dict:
    return client.get(f"/api/v1/cases/{case_no}", **bearer(account)).json()


def test_the_answer_to_an_online_application_is_the_case_as_read_back(client, crew, licence):
    filed = apply(client, crew, licence).json()["cases"][0]
    assert filed["case_no"].startswith("220105-")
    assert filed["state"] == "submitted" and filed["visits"] == 0
    assert [e["action"] for e in filed["events"]] == ["submit"]
    assert filed == read_back(client, crew.applicant, filed["case_no"])


def test_the_answer_to_a_window_application_counts_the_trip(client, crew, licence):
    answer = client.post(
        "/api/v1/cases",
        {
            "item_code": licence.item.code,
            "subject_id": crew.person.pk,
            "channel": "window",
            "form": {"shop_name": "老王面馆"},
            "provided": list(ALL_MATERIALS),
        },
        content_type="application/json",
        **bearer(crew.clerk),
    )
    assert answer.status_code == 201
    filed = answer.json()["cases"][0]
    assert filed["visits"] == 1
    assert filed == read_back(client, crew.clerk, filed["case_no"])


def test_an_application_sent_again_is_answered_with_the_case_read_back(client, crew, licence):
    first = apply(client, crew, licence, HTTP_IDEMPOTENCY_KEY="k1").json()
    crew_case = first["cases"][0]["case_no"]
    act(client, crew.clerk, crew_case, "accept")
    again = apply(client, crew, licence, HTTP_IDEMPOTENCY_KEY="k1").json()
    assert again == {"cases": [read_back(client, crew.applicant, crew_case)]}
    assert again["cases"][0]["state"] == "in_progress"


def test_an_application_costs_a_bounded_number_of_queries(
    client, crew, licence, django_assert_max_num_queries
):
    """The token with the applicant's person, the version in force (one query once read),
    then the filing's own writes; the answer is made from what the filing loaded, only the
    case's materials are read back."""
    apply(client, crew, licence)
    headers = bearer(crew.applicant)
    body = {
        "item_code": licence.item.code,
        "channel": "online",
        "form": {"shop_name": "老王面馆"},
        "provided": list(ALL_MATERIALS),
    }
    # 17 + the one query reading the case's materials back for the answer
    with django_assert_max_num_queries(18):
        answer = client.post("/api/v1/cases", body, content_type="application/json", **headers)
    assert answer.status_code == 201
