"""Complaints: routed to whoever answers for them, answered in time, closed with the
complainant's response; every bad input refused with nothing saved."""

import pytest
import time_machine

from tests.factories import catalog
from tests.factories import oversight_ratings as make
from tests.factories import subjects as people
from tests.factories.cases import at, team
from tests.factories.oversight_ratings import MONDAY, day, sandbox  # noqa: F401
from yimen.cases.clocks import WarningLevel
from yimen.catalog.models import Role
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.oversight.models.complaints import Complaint
from yimen.oversight.selectors.complaints import complaint_desk
from yimen.oversight.services.complaints import (
    complaint_answer,
    complaint_close,
    complaint_submit,
)

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


@pytest.fixture
def crew():
    return team()


@pytest.fixture
def case(crew):
    return make.finished_instant(crew, make.instant_item())


def complain(**fields) -> Complaint:
    fields = {"content": "窗口人员推诿，让我明天再来", "phone": PHONE, "now": at(MONDAY), **fields}
    return complaint_submit(**fields)


def test_a_complaint_about_a_case_goes_to_the_case_department(case):
    complaint = complain(target="case", case_no=case.case_no, name="张女士")
    assert complaint.department == case.department
    assert complaint.status == Complaint.Status.OPEN
    assert complaint.due_on == day(7)  # five working days after Monday
    assert complaint.number.startswith("TS20251103")


def test_a_complaint_about_staff_goes_to_their_department_else_the_office(crew):
    about_reviewer = complain(target="staff", staff_no=crew.reviewers["MZJ"].username)
    assert about_reviewer.department.code == "MZJ"
    assert about_reviewer.staff == crew.reviewers["MZJ"]
    about_clerk = complain(target="staff", staff_no=crew.clerk.username)
    assert about_clerk.department is None


def test_a_complaint_about_a_window_goes_to_the_supervisor_office():
    center = people.center()
    complaint = complain(target="window", center_code=center.code, window="3号窗口")
    assert (complaint.center, complaint.window, complaint.department) == (center, "3号窗口", None)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"target": ""}, "invalid_target", "target"),
        ({"target": "case", "case_no": "220105-20250101-999999"}, "case_not_found", "case_no"),
        ({"target": "window", "center_code": ""}, "center_required", "center"),
        ({"target": "staff", "staff_no": "nobody"}, "staff_not_found", "staff_no"),
        ({"target": "window", "center_code": "QZX", "content": " "}, "content_required", "content"),
        ({"target": "window", "center_code": "QZX", "phone": "12"}, "invalid_phone", "phone"),
        (
            {"target": "window", "center_code": "QZX", "channel": "fax"},
            "invalid_channel",
            "channel",
        ),
    ],
)
def test_bad_complaints_are_refused_with_their_field(fields, code, field):
    people.center()
    with pytest.raises(InvalidInput) as refused:
        complain(**fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Complaint.objects.exists()


def test_phone_complaints_are_entered_by_staff(crew, case):
    with pytest.raises(PermissionDenied):
        complain(target="case", case_no=case.case_no, channel="phone")
    entered = complain(target="case", case_no=case.case_no, channel="phone", entered_by=crew.clerk)
    assert entered.entered_by == crew.clerk
    assert Complaint.objects.count() == 1


def test_a_complaint_is_answered_then_closed_with_the_response(crew, case):
    complaint = complain(target="case", case_no=case.case_no)
    with pytest.raises(IllegalAction):
        complaint_close(complaint=complaint, actor=crew.approver, satisfied=True)
    with pytest.raises(InvalidInput) as unjudged:
        complaint_answer(complaint=complaint, actor=crew.approver, answer="已核实", founded=None)
    assert unjudged.value.field == "founded"

    complaint_answer(
        complaint=complaint, actor=crew.approver, answer="已批评教育", founded=True, now=at(day(1))
    )
    with pytest.raises(IllegalAction) as twice:
        complaint_answer(complaint=complaint, actor=crew.approver, answer="再答", founded=False)
    assert twice.value.code == "illegal_state"
    complaint_close(complaint=complaint, actor=crew.approver, satisfied=False, note="希望加快办理")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert (complaint.answer, complaint.founded) == ("已批评教育", True)
    assert (complaint.complainant_satisfied, complaint.response_note) == (False, "希望加快办理")
    assert complaint.closed_by == crew.approver


def test_only_the_routed_department_or_a_supervisor_answers(crew, case):
    to_department = complain(target="case", case_no=case.case_no)
    to_office = complain(target="window", center_code=people.center().code)
    other = people.staff(Role.APPROVER, department=catalog.department("YBJ", "区医疗保障局"))
    for actor, complaint in ((other, to_department), (crew.approver, to_office)):
        with pytest.raises(PermissionDenied):
            complaint_answer(complaint=complaint, actor=actor, answer="答复", founded=False)
    complaint_answer(
        complaint=to_office, actor=make.supervisor(), answer="已督促整改", founded=True
    )
    assert Complaint.objects.filter(status=Complaint.Status.OPEN).get() == to_department


def test_the_desk_shows_each_department_its_complaints_with_deadline_warnings(crew, case):
    mine = complain(target="case", case_no=case.case_no)
    complain(target="window", center_code=people.center().code)
    with time_machine.travel(at(day(7)), tick=False):
        [row] = complaint_desk(crew.approver)
        assert (row.complaint, row.warning) == (mine, WarningLevel.YELLOW)
    with time_machine.travel(at(day(8)), tick=False):
        assert [r.warning for r in complaint_desk(make.supervisor())] == [WarningLevel.RED] * 2
    with pytest.raises(PermissionDenied):
        complaint_desk(crew.clerk)
