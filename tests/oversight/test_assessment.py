"""The internal assessment: on a small month of work, every score equals the rule applied
by hand."""

import datetime as dt
from collections import Counter

import pytest

from tests.factories import catalog
from tests.factories import oversight_ratings as make
from tests.factories.cases import at, licence_item, submitted, team
from tests.factories.oversight_ratings import sandbox  # noqa: F401
from yimen.cases import services as cases
from yimen.cases.models import Channel
from yimen.errors import InvalidInput, PermissionDenied
from yimen.oversight.selectors.assessment import RULE, assessment, parse_month, score
from yimen.oversight.services import complaints, ratings

pytestmark = pytest.mark.django_db
SEPTEMBER = dt.date(2025, 9, 1)


def sept(n: int) -> dt.date:
    return dt.date(2025, 9, n)


def _second_correction(crew, version):
    """A case asked for correction twice: the second notice breaks 一次性告知."""
    case = submitted(crew, version, day=sept(3), provided=("id_card",))
    cases.case_request_correction(case=case, clerk=crew.clerk, now=at(sept(3)))
    cases.case_supply_correction(
        case=case,
        actor=crew.clerk,
        provided=["floor_plan", "lease"],
        channel=Channel.WINDOW,
        now=at(sept(4)),
    )
    cases.case_request_correction(
        case=case,
        clerk=crew.clerk,
        notes=["申请表未签字"],
        reason="首次告知遗漏",
        now=at(sept(4), 14),
    )


def _month_of_work(crew):
    """September for department MZJ and its clerk, reviewer and approver:
    one bad rating (−5), another overturned on appeal (not counted), one 非常满意 (+1);
    two overdue cases (−2 each): one finished late, one deemed accepted and never finished;
    two violations (−3 each): a second correction notice, the late intake;
    one founded complaint (−2), one unfounded (not counted);
    and a bad rating in October (not counted)."""
    instant, committed = make.instant_item(), licence_item()
    bad = make.finished_instant(crew, instant, sept(1))
    make.rate(bad, crew, 5, on=sept(1))
    make.rate(make.finished_instant(crew, instant, sept(2)), crew, 1, on=sept(2))
    make.finished_committed(crew, committed, accepted_on=sept(1), finished_on=sept(17))
    submitted(crew, committed, day=sept(1), channel=Channel.ONLINE)
    cases.cases_deem_overdue_intakes(now=at(sept(10)))
    _second_correction(crew, committed)

    overturned = make.rate(make.finished_instant(crew, instant, sept(5)), crew, 4, on=sept(5))
    appeal = ratings.rating_appeal(
        rating=overturned, actor=crew.approver, kind="mistaken", reason="评价人误选"
    )
    boss = make.supervisor()
    ratings.rating_appeal_decide(appeal=appeal, supervisor=boss, upheld=True, note="属误评")

    for founded, target in ((True, {"case_no": bad.case_no}), (False, {})):
        complaint = complaints.complaint_submit(
            target="case" if target else "staff",
            staff_no="" if target else crew.clerk.username,
            content="办事拖拉",
            phone="13812345678",
            now=at(sept(8)),
            **target,
        )
        complaints.complaint_answer(
            complaint=complaint, actor=boss, answer="已核查", founded=founded, now=at(sept(10))
        )
    make.rate(make.finished_instant(crew, instant, sept(30)), crew, 4, on=dt.date(2025, 10, 9))
    return boss


def _by_ref(scores):
    return {s.ref: s for s in scores}


def test_every_score_is_the_rule_applied_by_hand():
    crew = team()
    catalog.department("YBJ", "区医疗保障局")
    boss = _month_of_work(crew)

    result = assessment(boss, SEPTEMBER, today=dt.date(2025, 10, 15))

    departments = _by_ref(result.departments)
    mzj = departments["MZJ"]
    assert {x.term.key: x.count for x in mzj.lines} == {
        "bad_rating": 1,
        "overdue_case": 2,
        "violation": 2,
        "upheld_complaint": 1,
        "very_satisfied": 1,
    }
    assert mzj.total == 100 - 5 - 2 * 2 - 3 * 2 - 2 + 1 == 84
    assert departments["YBJ"].total == 100
    staff = _by_ref(result.staff)
    assert staff[crew.clerk.username].total == 100 - 5 - 2 - 3 + 1 == 91
    assert staff[crew.reviewers["MZJ"].username].total == 100 - 2 == 98
    assert staff[crew.approver.username].total == 100 - 2 == 98
    assert set(staff) == {
        crew.clerk.username,
        crew.reviewers["MZJ"].username,
        crew.approver.username,
    }


def test_an_overdue_case_counts_only_once_its_deadline_has_passed():
    crew = team()
    make.finished_committed(crew, licence_item(), accepted_on=sept(1), finished_on=sept(17))
    boss = make.supervisor()
    before = _by_ref(assessment(boss, SEPTEMBER, today=sept(15)).departments)
    after = _by_ref(assessment(boss, SEPTEMBER, today=sept(16)).departments)
    assert (before["MZJ"].total, after["MZJ"].total) == (100, 98)


def test_the_bonus_for_very_satisfied_ratings_is_capped():
    assert score("区民政局", "MZJ", Counter(very_satisfied=12)).total == RULE.base + 10
    assert score("区民政局", "MZJ", Counter(very_satisfied=3, bad_rating=1)).total == 98


def test_only_supervisors_see_the_assessment():
    crew = team()
    with pytest.raises(PermissionDenied):
        assessment(crew.approver, SEPTEMBER)


@pytest.mark.parametrize("text", ["2025-13", "2025/09", "九月", "25-9"])
def test_a_month_must_be_year_dash_month(text):
    with pytest.raises(InvalidInput) as refused:
        parse_month(text)
    assert refused.value.field == "month"
    assert parse_month("2025-9") == SEPTEMBER
    assert parse_month("", today=dt.date(2025, 9, 17)) == SEPTEMBER
