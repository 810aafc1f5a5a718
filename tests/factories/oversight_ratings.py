"""Ratings, rectification and complaints test data, built through the real services; and
the URLconf the tests reach the pages and the API through."""

import datetime as dt

import pytest

from tests.factories import subjects as people
from tests.factories.cases import Team, accepted, at, licence_item, open_tasks, submitted
from yimen.cases import services as cases
from yimen.cases.models import Case
from yimen.catalog.models import DeliveryMode, HandlingType, ItemVersion, Role, StageKind
from yimen.oversight.models.ratings import Rating, RatingChannel, RatingTag
from yimen.oversight.services import ratings as services
from yimen.subjects.models import Account

# A November without holidays: Monday the 3rd to Friday the 28th are all working days.
MONDAY = dt.date(2025, 11, 3)


@pytest.fixture(autouse=True)
def sandbox(settings, tmp_path):
    """Imported by the test modules: uploads under tmp_path, fast passwords, the SMS outbox."""
    people.sandbox(settings, tmp_path)


def day(n: int) -> dt.date:
    """The n-th calendar day after MONDAY."""
    return MONDAY + dt.timedelta(days=n)


def supervisor() -> Account:
    return people.staff(Role.SUPERVISOR, name="纪检监督员")


def instant_item(code: str = "220105-MZJ-009") -> ItemVersion:
    return licence_item(code, handling_type=HandlingType.INSTANT, name="居住证签注")


def finished_instant(crew: Team, version: ItemVersion, on: dt.date = MONDAY) -> Case:
    """An instant item done at the window: the clerk is its only handler."""
    case = submitted(crew, version, day=on)
    return cases.case_complete_instant(case=case, clerk=crew.clerk, now=at(on, 11))


def finished_committed(
    crew: Team, version: ItemVersion, *, accepted_on: dt.date, finished_on: dt.date
) -> Case:
    """Accepted at the window, reviewed, decided, issued and delivered electronically."""
    case = accepted(crew, version, day=accepted_on)
    done = at(finished_on, 9)
    for task in open_tasks(case):
        if task.stage_kind != StageKind.DECISION:
            reviewer = crew.reviewers[task.department.code]
            cases.task_complete(task=task, actor=reviewer, opinion="材料齐全，符合条件", now=done)
    case = cases.case_decide(case=case, approver=crew.approver, grant=True, reason="准予", now=done)
    case = cases.case_issue_licence(case=case, actor=crew.approver, now=done)
    return cases.case_deliver(case=case, actor=crew.clerk, mode=DeliveryMode.ELECTRONIC, now=done)


def rate(case: Case, crew: Team, level: int, *, on: dt.date = MONDAY, **fields) -> Rating:
    """The applicant rates on a computer; a bad rating gives a reason."""
    if level >= 4:
        fields.setdefault("tags", [RatingTag.RUDE])
    return services.rating_submit(
        case=case,
        rater=crew.applicant,
        level=level,
        channel=fields.pop("channel", RatingChannel.PC),
        now=at(on, 15),
        **fields,
    )
