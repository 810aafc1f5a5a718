"""Ratings as the applicant and the staff meet them: who may rate what and how often, whom
a rating is attributed to, the SMS link, and a bad rating's rectification and appeal."""

import datetime as dt
import re

import pytest
import time_machine

from tests.factories import catalog
from tests.factories import oversight_ratings as make
from tests.factories import subjects as people
from tests.factories.cases import accepted, at, licence_item, team
from tests.factories.oversight_ratings import MONDAY, day, sandbox  # noqa: F401
from yimen.cases.clocks import WarningLevel
from yimen.catalog.models import Role
from yimen.errors import IllegalAction, InvalidInput, NotFound, PermissionDenied
from yimen.oversight.models.ratings import (
    Rating,
    RatingAppeal,
    RatingChannel,
    RatingInvite,
    Rectification,
    RectificationStep,
)
from yimen.oversight.selectors import ratings as selectors
from yimen.oversight.services import ratings as services
from yimen.subjects.models import SmsMessage

pytestmark = pytest.mark.django_db
Step = Rectification.Step


@pytest.fixture
def crew():
    return team()


@pytest.fixture
def finished(crew):
    return make.finished_instant(crew, make.instant_item())


# --- who may rate what, and how often --------------------------------------------------


def test_a_rating_is_attributed_to_every_department_and_staff_member_who_handled_the_case(crew):
    fire = catalog.department("XFJ", "消防救援大队")
    crew.reviewers["XFJ"] = people.staff(Role.REVIEWER, department=fire)
    version = licence_item(parallel=(catalog.department(), fire))
    case = make.finished_committed(crew, version, accepted_on=day(0), finished_on=day(3))

    rating = make.rate(case, crew, 2, on=day(3))

    assert {d.code for d in rating.departments.all()} == {"MZJ", "XFJ"}
    assert set(rating.staff.all()) == {
        crew.clerk,
        crew.approver,
        crew.reviewers["MZJ"],
        crew.reviewers["XFJ"],
    }
    assert crew.applicant not in rating.staff.all()
    assert rating.item == case.version.item
    assert not Rectification.objects.exists()


def test_one_rating_per_case_per_rater(crew, finished):
    first = make.rate(finished, crew, 1, comment="很快")
    with pytest.raises(IllegalAction) as refused:
        make.rate(finished, crew, 5, comment="改主意了")
    assert refused.value.code == "already_rated"
    assert list(Rating.objects.values_list("pk", "level", "comment")) == [(first.pk, 1, "很快")]
    assert not Rectification.objects.exists()

    agent, _ = people.citizen("李建国", birth="19800101")
    people.grant(crew.person, agent)
    services.rating_submit(case=finished, rater=agent, level=2, channel=RatingChannel.MOBILE)
    assert Rating.objects.filter(case=finished).count() == 2


def test_only_a_finished_case_can_be_rated(crew):
    case = accepted(crew, licence_item(), day=MONDAY)
    with pytest.raises(IllegalAction) as refused:
        make.rate(case, crew, 1)
    assert refused.value.code == "case_not_finished"
    assert "办结后才能评价" in refused.value.message and case.case_no in refused.value.message
    assert not Rating.objects.exists()


def test_only_the_applicant_or_their_agent_may_rate(finished):
    stranger, _ = people.citizen("王五", birth="19900101")
    with pytest.raises(NotFound):
        services.rating_submit(case=finished, rater=stranger, level=1, channel=RatingChannel.PC)
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"level": 0}, "invalid_level", "level"),
        ({"level": 6}, "invalid_level", "level"),
        ({"level": "1"}, "invalid_level", "level"),
        ({"level": 2, "channel": "fax"}, "invalid_channel", "channel"),
        ({"level": 2, "tags": ["fast", "cheap"]}, "invalid_tags", "tags"),
        ({"level": 2, "comment": "长" * 1001}, "comment_too_long", "comment"),
        ({"level": 4, "tags": [], "comment": "  "}, "reason_required", "comment"),
    ],
)
def test_bad_rating_input_is_refused_with_its_field(crew, finished, fields, code, field):
    fields = {"channel": RatingChannel.PC, **fields}
    with pytest.raises(InvalidInput) as refused:
        services.rating_submit(case=finished, rater=crew.applicant, **fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message
    assert not Rating.objects.exists()


# --- the SMS link -----------------------------------------------------------------------


def _link_token(text: str) -> str:
    return re.search(r"/r/([^/]+)/", text)[1]


def test_a_finished_case_texts_its_applicant_a_one_time_link(
    crew, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make.finished_instant(crew, make.instant_item())
    message = SmsMessage.objects.get()
    assert message.phone == crew.person.phone
    assert case.case_no in message.text

    rating = services.rating_submit_by_link(
        token=_link_token(message.text), level=5, comment="窗口人员态度冷淡", now=at(MONDAY, 16)
    )
    assert (rating.channel, rating.rater, rating.rater_phone) == (
        RatingChannel.SMS,
        crew.applicant,
        crew.person.phone,
    )
    assert rating.rectification.step == Step.VERIFY
    assert RatingInvite.objects.get().used_at is not None

    with pytest.raises(IllegalAction) as used:
        services.rating_submit_by_link(token=_link_token(message.text), level=1)
    assert used.value.code == "link_used"
    with pytest.raises(IllegalAction) as again:
        make.rate(case, crew, 1)
    assert again.value.code == "already_rated"
    assert Rating.objects.count() == 1


def test_a_case_still_open_sends_no_link(crew, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        accepted(crew, licence_item(), day=MONDAY)
    assert not SmsMessage.objects.exists()


def test_a_forged_or_expired_link_is_refused(crew, finished, settings):
    invite = services.rating_invite_send(case_id=finished.pk)
    token = services.rating_link_token(invite)
    with pytest.raises(NotFound) as forged:
        services.rating_submit_by_link(token=token[:-2] + "xx", level=1)
    assert forged.value.code == "link_invalid"

    settings.YIMEN_RATING_LINK_DAYS = 30
    with (
        time_machine.travel(dt.datetime.now() + dt.timedelta(days=31)),
        pytest.raises(IllegalAction) as expired,
    ):
        services.rating_submit_by_link(token=token, level=1)
    assert expired.value.code == "link_expired"
    assert not Rating.objects.exists()


def test_no_link_without_an_sms_gateway(crew, finished, settings):
    settings.YIMEN_SMS_BACKEND = ""
    assert services.rating_invite_send(case_id=finished.pk) is None
    assert not RatingInvite.objects.exists()


# --- rectification ------------------------------------------------------------------------


def _travel(on: dt.date, hour: int = 10):
    return time_machine.travel(at(on, hour), tick=False)


@pytest.mark.parametrize(
    ("handling", "outcome"),
    [("rectify", Rectification.Outcome.RECTIFIED), ("explain", Rectification.Outcome.EXPLAINED)],
)
def test_a_bad_rating_goes_through_every_rectification_step(crew, finished, handling, outcome):
    boss = make.supervisor()
    rating = make.rate(finished, crew, 5, comment="让我跑了三趟")  # Monday
    rectification = rating.rectification
    assert (rectification.step, rectification.step_due) == (Step.VERIFY, day(1))
    assert rectification.department == finished.department

    with _travel(day(1)):  # Tuesday: due today, not late
        assert selectors.overdue_steps() == []
        assert selectors.step_warning(rectification) == WarningLevel.NORMAL
    with _travel(day(2)):  # Wednesday: one working day late
        [late] = selectors.overdue_steps()
        assert (late.rating, late.warning) == (rating, WarningLevel.YELLOW)
        services.rectification_act(
            rectification=rectification, actor=crew.approver, action="verify", note="属实"
        )
    rectification.refresh_from_db()
    assert (rectification.step, rectification.step_due) == (Step.RECTIFY, day(9))

    with _travel(day(3)):
        services.rectification_act(
            rectification=rectification, actor=crew.approver, action=handling, note="已约谈窗口"
        )
    rectification.refresh_from_db()
    assert (rectification.step, rectification.step_due) == (Step.FOLLOW_UP, day(7))
    assert rectification.outcome == outcome

    with _travel(day(4)):
        services.rectification_act(
            rectification=rectification,
            actor=crew.approver,
            action="follow_up",
            note="电话回访，评价人表示认可",
            rater_satisfied=True,
        )
    with _travel(day(7)):
        services.rectification_act(
            rectification=rectification, actor=boss, action="close", note="整改到位"
        )
    rectification.refresh_from_db()
    assert rectification.step == Step.CLOSED and rectification.closed_at is not None
    assert rectification.rater_satisfied is True and rectification.step_due is None
    steps = list(rectification.steps.all())
    assert [s.action for s in steps] == ["verify", handling, "follow_up", "close"]
    assert [s.late for s in steps] == [True, False, False, False]
    assert steps[-1].done_by == boss
    with _travel(day(30)):
        assert selectors.overdue_steps() == []
        assert selectors.step_warning(rectification) is None


def test_a_step_long_overdue_turns_red(crew, finished, settings):
    settings.YIMEN_RECTIFICATION_RED_AFTER_DAYS = 2
    rating = make.rate(finished, crew, 4)  # verify due Tuesday
    with _travel(day(3)):  # Thursday: two working days late
        [late] = selectors.overdue_steps()
        assert late.warning == WarningLevel.YELLOW
    with _travel(day(4)):  # Friday: three
        [late] = selectors.overdue_steps()
        assert late.warning == WarningLevel.RED
    with _travel(day(5)):  # Saturday: still three working days
        assert selectors.step_warning(rating.rectification) == WarningLevel.RED


def test_step_limits_come_from_the_settings(crew, finished, settings):
    settings.YIMEN_RECTIFICATION_DAYS = {"verify": 3}
    rating = make.rate(finished, crew, 4)
    assert rating.rectification.step_due == day(3)


def test_steps_go_in_order_and_only_for_whom_they_belong_to(crew, finished):
    rating = make.rate(finished, crew, 4)
    rectification = rating.rectification
    other = people.staff(Role.APPROVER, department=catalog.department("YBJ", "区医疗保障局"))
    attempts = [
        (crew.approver, "follow_up", "回访", IllegalAction, "wrong_step"),
        (crew.approver, "close", "办结", PermissionDenied, "forbidden"),
        (other, "verify", "核实", PermissionDenied, "forbidden"),
        (crew.clerk, "verify", "核实", PermissionDenied, "forbidden"),
        (crew.approver, "verify", "  ", InvalidInput, "note_required"),
        (crew.approver, "approve", "同意", InvalidInput, "invalid_action"),
    ]
    for actor, action, note, error, code in attempts:
        with pytest.raises(error) as refused:
            services.rectification_act(
                rectification=rectification, actor=actor, action=action, note=note
            )
        assert refused.value.code == code
    rectification.refresh_from_db()
    assert rectification.step == Step.VERIFY
    assert not RectificationStep.objects.exists()


def test_a_follow_up_records_whether_the_rater_is_satisfied(crew, finished):
    rectification = make.rate(finished, crew, 4).rectification
    for action in ("verify", "explain"):
        services.rectification_act(
            rectification=rectification, actor=crew.approver, action=action, note="已办"
        )
    with pytest.raises(InvalidInput) as refused:
        services.rectification_act(
            rectification=rectification, actor=crew.approver, action="follow_up", note="已回访"
        )
    assert refused.value.field == "rater_satisfied"
    rectification.refresh_from_db()
    assert rectification.step == Step.FOLLOW_UP


# --- appeals -----------------------------------------------------------------------------


def _appeal(rating, crew):
    return services.rating_appeal(
        rating=rating, actor=crew.approver, kind="malicious", reason="评价人未办理过该业务"
    )


def test_an_upheld_appeal_closes_the_rectification_and_keeps_the_rating_visible(crew, finished):
    rating = make.rate(finished, crew, 5)
    appeal = _appeal(rating, crew)
    with pytest.raises(PermissionDenied):
        services.rating_appeal_decide(appeal=appeal, supervisor=crew.approver, upheld=True, note="")
    services.rating_appeal_decide(
        appeal=appeal, supervisor=make.supervisor(), upheld=True, note="经核查系恶意差评"
    )
    appeal.refresh_from_db()
    assert appeal.status == RatingAppeal.Status.UPHELD and appeal.decision_note
    rating.rectification.refresh_from_db()
    assert rating.rectification.step == Step.CLOSED
    assert rating.rectification.outcome == Rectification.Outcome.APPEAL_UPHELD
    assert selectors.ratings_for_staff(make.supervisor()) == [rating]
    assert not Rating.objects.counted().exists()


def test_a_refused_appeal_leaves_the_rectification_where_it_stands(crew, finished):
    rating = make.rate(finished, crew, 5)
    services.rectification_act(
        rectification=rating.rectification, actor=crew.approver, action="verify", note="待查"
    )
    appeal = _appeal(rating, crew)
    boss = make.supervisor()
    services.rating_appeal_decide(appeal=appeal, supervisor=boss, upheld=False, note="评价属实")
    rating.rectification.refresh_from_db()
    assert rating.rectification.step == Step.RECTIFY
    assert list(Rating.objects.counted()) == [rating]
    with pytest.raises(IllegalAction) as twice:
        services.rating_appeal_decide(appeal=appeal, supervisor=boss, upheld=True, note="再议")
    assert twice.value.code == "appeal_decided"
    appeal.refresh_from_db()
    assert appeal.status == RatingAppeal.Status.REFUSED


def test_who_may_appeal_what(crew, finished):
    good = make.rate(finished, crew, 1)
    with pytest.raises(IllegalAction) as not_bad:
        _appeal(good, crew)
    assert not_bad.value.code == "not_appealable"

    second = make.finished_instant(crew, make.instant_item("220105-MZJ-010"))
    bad = make.rate(second, crew, 4)
    with pytest.raises(InvalidInput) as no_kind:
        services.rating_appeal(rating=bad, actor=crew.approver, kind="", reason="误评")
    assert no_kind.value.field == "kind"
    with pytest.raises(PermissionDenied):
        services.rating_appeal(rating=bad, actor=crew.clerk, kind="mistaken", reason="误评")
    _appeal(bad, crew)
    with pytest.raises(IllegalAction) as twice:
        _appeal(bad, crew)
    assert twice.value.code == "already_appealed"
    assert RatingAppeal.objects.count() == 1
