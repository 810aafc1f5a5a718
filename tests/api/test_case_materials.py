"""The case answer lists its materials: handed in, missing or 容缺 with the due date, when
each last came, and whether a file was uploaded, never where it is kept."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import subjects as people
from tests.factories.cases import at, licence_item, team
from tests.factories.subjects import bearer
from tests.licences.helpers import minimal_pdf
from yimen.cases import services
from yimen.cases.models import Case

pytestmark = pytest.mark.django_db

FILED, CORRECTED = dt.date(2025, 11, 3), dt.date(2025, 11, 4)


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def crew():
    return team()


@pytest.fixture
def licence():
    return licence_item()


def apply(client, crew, licence, provided: list[str]) -> dict:
    with time_machine.travel(at(FILED), tick=False):
        answer = client.post(
            "/api/v1/cases",
            {
                "item_code": licence.item.code,
                "form": {"shop_name": "老王面馆"},
                "provided": provided,
            },
            content_type="application/json",
            **bearer(crew.applicant),
        )
    assert answer.status_code == 201
    return answer.json()["cases"][0]


def act(client, account, case_no, action, **body) -> None:
    with time_machine.travel(at(FILED, 11), tick=False):
        answer = client.post(
            f"/api/v1/cases/{case_no}/actions/{action}",
            body,
            content_type="application/json",
            **bearer(account),
        )
    assert answer.status_code == 200


def rows(case: dict) -> dict[str, tuple]:
    return {
        m["kind"]: (
            m["status"],
            m["supplied_at"] and dt.datetime.fromisoformat(m["supplied_at"]),
            m["due_on"],
            m["has_file"],
        )
        for m in case["materials"]
    }


def test_a_lease_missing_then_uploaded_a_day_later_shows_when_it_came(client, crew, licence):
    filed = apply(client, crew, licence, ["id_card", "floor_plan"])
    case_no = filed["case_no"]
    assert [(m["name"], m["necessity"], m["status_label"]) for m in filed["materials"]] == [
        ("居民身份证", "required", "已提交"),
        ("经营场所平面图", "tolerable", "已提交"),
        ("租赁合同", "required", "未提交"),
    ]
    seen = client.get(f"/api/v1/cases/{case_no}", **bearer(crew.applicant)).json()
    assert rows(seen) == {
        "id_card": ("provided", at(FILED), None, False),
        "floor_plan": ("provided", at(FILED), None, False),
        "lease": ("missing", None, None, False),
    }

    act(client, crew.clerk, case_no, "request_correction")
    services.case_supply_online(
        case=Case.objects.get(case_no=case_no),
        actor=crew.applicant,
        files={"lease": SimpleUploadedFile("lease.pdf", minimal_pdf("lease"))},
        now=at(CORRECTED, 9),
    )

    answer = client.get(f"/api/v1/cases/{case_no}", **bearer(crew.applicant))
    assert rows(answer.json()) == {
        "id_card": ("provided", at(FILED), None, False),
        "floor_plan": ("provided", at(FILED), None, False),
        "lease": ("provided", at(CORRECTED, 9), None, True),
    }
    assert f"cases/{case_no}/" not in answer.content.decode()


def test_a_floor_plan_accepted_as_rongque_shows_its_due_date(client, crew, licence):
    case_no = apply(client, crew, licence, ["id_card", "lease"])["case_no"]
    due = FILED + dt.timedelta(days=10)

    act(client, crew.clerk, case_no, "accept_pending", pending={"floor_plan": due.isoformat()})

    seen = client.get(f"/api/v1/cases/{case_no}", **bearer(crew.clerk)).json()
    assert rows(seen)["floor_plan"] == ("pending", None, due.isoformat(), False)
    assert rows(seen)["id_card"] == ("provided", at(FILED), None, False)


def test_another_citizen_does_not_see_the_materials(client, crew, licence):
    case_no = apply(client, crew, licence, ["id_card", "floor_plan", "lease"])["case_no"]
    stranger, _person = people.citizen("李四", birth="19800101")

    answer = client.get(f"/api/v1/cases/{case_no}", **bearer(stranger))

    assert answer.status_code in (403, 404)
    assert "materials" not in answer.json()
