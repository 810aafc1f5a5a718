"""Staff read a subject's material locker while they serve its case, and no longer after."""

import datetime as dt

import pytest

from tests.factories import subjects as people
from tests.factories.cases import at, licence_item, open_tasks, submitted
from yimen.cases import services
from yimen.catalog.models import HandlingType, Role
from yimen.errors import InvalidInput, PermissionDenied
from yimen.subjects.selectors import locker_entries

D = dt.date
pytestmark = pytest.mark.django_db


def can_read_locker(staff, subject) -> bool:
    try:
        locker_entries(staff, subject)
    except PermissionDenied as refused:
        assert refused.code == "locker_access_denied"
        return False
    return True


@pytest.fixture
def second_clerk(db):
    return people.staff(Role.CLERK, name="何丽")


def _decided(crew, licence, second_clerk):
    """Received by one clerk, accepted by another, reviewed, granted and issued."""
    people.stored(crew.person, "id_card")
    case = submitted(crew, licence, day=D(2025, 11, 3))
    services.case_accept(case=case, clerk=second_clerk, now=at(D(2025, 11, 3), 11))
    services.task_complete(task=open_tasks(case)[0], actor=crew.reviewers["MZJ"])
    services.case_decide(case=case, approver=crew.approver, grant=True, reason="符合条件")
    services.case_issue_licence(case=case, actor=crew.approver)
    return case


def test_after_completion_no_clerk_who_served_the_case_reads_the_locker(
    crew, licence, second_clerk
):
    case = _decided(crew, licence, second_clerk)
    assert can_read_locker(crew.clerk, crew.person)
    assert can_read_locker(second_clerk, crew.person)

    services.case_deliver(case=case, actor=crew.clerk, mode="post", tracking_no="SF1234567890")

    assert not can_read_locker(crew.clerk, crew.person)
    assert not can_read_locker(second_clerk, crew.person)


def test_a_refused_delivery_leaves_the_access_as_it_was(crew, licence, second_clerk):
    case = _decided(crew, licence, second_clerk)
    with pytest.raises(InvalidInput):
        services.case_deliver(case=case, actor=crew.clerk, mode="post")
    assert can_read_locker(crew.clerk, crew.person)
    case.refresh_from_db()
    assert case.state == "issued"


def test_refusing_a_case_ends_its_access_but_another_open_case_keeps_its_own(crew, licence):
    people.stored(crew.person, "id_card")
    refused = submitted(crew, licence)
    still_open = submitted(crew, licence)
    services.case_refuse(
        case=refused, clerk=crew.clerk, reason="不属于本机关职权", legal_basis="《行政许可法》"
    )
    assert can_read_locker(crew.clerk, crew.person)

    services.case_refuse(
        case=still_open, clerk=crew.clerk, reason="重复申请", legal_basis="《行政许可法》"
    )
    assert not can_read_locker(crew.clerk, crew.person)


def test_an_instant_case_closes_the_locker_when_finished(crew):
    instant = licence_item("220105-SCJ-005", handling_type=HandlingType.INSTANT)
    people.stored(crew.person, "id_card")
    case = submitted(crew, instant)
    assert can_read_locker(crew.clerk, crew.person)
    services.case_complete_instant(case=case, clerk=crew.clerk)
    assert not can_read_locker(crew.clerk, crew.person)
