"""Stages and tasks, parallel review, decision, licence, delivery, visits and bundles."""

import datetime as dt

import pytest

from tests.factories import subjects as people
from tests.factories.cases import (
    ALL_MATERIALS,
    accepted,
    at,
    bundle,
    family_bundle,
    licence_item,
    open_tasks,
)
from yimen.cases import selectors, services
from yimen.cases.models import Case, Channel, Task, Visit
from yimen.catalog.models import Role
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.subjects.selectors import has_locker_grant

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def parallel_case(crew, health_and_fire):
    for department in health_and_fire:
        crew.reviewers[department.code] = people.staff(Role.REVIEWER, department=department)
    version = licence_item("220105-SCJ-003", parallel=health_and_fire, inspection=True)
    return accepted(crew, version, day=D(2025, 11, 3))


def _task_of(case, department_code):
    return case.tasks.get(department__code=department_code, status=Task.Status.OPEN)


def test_parallel_review_joins_only_when_every_department_is_done(crew, parallel_case):
    case = parallel_case
    assert sorted(t.department.code for t in open_tasks(case)) == ["WJJ", "XFJ"]

    services.task_complete(task=_task_of(case, "WJJ"), actor=crew.reviewers["WJJ"], opinion="同意")
    assert [t.stage_name for t in open_tasks(case)] == ["审查"]
    assert not case.pauses.exists()

    services.task_complete(task=_task_of(case, "XFJ"), actor=crew.reviewers["XFJ"], opinion="同意")
    assert [t.stage_name for t in open_tasks(case)] == ["现场踏勘"]
    assert case.events.filter(action="complete_task").count() == 2


def test_a_reviewer_acts_only_for_their_own_department(crew, parallel_case):
    with pytest.raises(PermissionDenied):
        services.task_complete(task=_task_of(parallel_case, "WJJ"), actor=crew.reviewers["XFJ"])
    assert len(open_tasks(parallel_case)) == 2


def test_two_people_acting_on_one_task_one_wins_and_the_other_is_told(crew, parallel_case):
    seen_by_first = _task_of(parallel_case, "WJJ")
    seen_by_second = Task.objects.get(pk=seen_by_first.pk)
    colleague = crew.reviewers["WJJ"]
    other = people.staff(Role.REVIEWER, department=seen_by_first.department, name="王强")
    services.task_complete(task=seen_by_first, actor=colleague, opinion="同意")

    with pytest.raises(IllegalAction) as conflict:
        services.task_complete(task=seen_by_second, actor=other, opinion="不同意")
    assert conflict.value.code == "task_conflict"
    assert "刘晓梅" in conflict.value.message
    task = Task.objects.get(pk=seen_by_first.pk)
    assert (task.done_by, task.opinion) == (colleague, "同意")
    assert parallel_case.events.filter(action="complete_task").count() == 1


def test_a_stale_case_version_is_refused(crew, licence):
    case = accepted(crew, licence, day=D(2025, 11, 3))
    stale = case.lock_version
    services.case_extend(case=case, approver=crew.approver, days=2, reason="复杂")
    with pytest.raises(IllegalAction) as conflict:
        services.case_suspend(
            case=case, actor=crew.approver, kind="hearing", reason="听证", expected_version=stale
        )
    assert conflict.value.code == "conflict"
    assert not case.pauses.exists()


def test_a_department_returns_the_case_to_an_earlier_stage(crew, parallel_case):
    case = parallel_case
    for code in ("WJJ", "XFJ"):
        services.task_complete(
            task=_task_of(case, code), actor=crew.reviewers[code], now=at(D(2025, 11, 4))
        )
    inspection = open_tasks(case)[0]
    with pytest.raises(InvalidInput):
        services.task_return(task=inspection, actor=crew.inspector, to_stage_order=2, reason="")
    services.task_return(
        task=inspection,
        actor=crew.inspector,
        to_stage_order=2,
        reason="消防通道与图纸不符",
        now=at(D(2025, 11, 5)),
    )
    assert sorted(t.department.code for t in open_tasks(case)) == ["WJJ", "XFJ"]
    assert case.tasks.filter(status=Task.Status.RETURNED).count() == 1
    assert case.pauses.get().ended_on == D(2025, 11, 5)
    assert case.events.last().data["reason"] == "消防通道与图纸不符"


def test_the_decision_waits_for_every_stage(crew, licence):
    case = accepted(crew, licence, day=D(2025, 11, 3))
    with pytest.raises(IllegalAction) as early:
        services.case_decide(case=case, approver=crew.approver, grant=True, reason="符合")
    assert early.value.code == "stages_open"
    services.task_complete(task=open_tasks(case)[0], actor=crew.reviewers["MZJ"])
    with pytest.raises(IllegalAction) as decide_task:
        services.task_complete(task=open_tasks(case)[0], actor=crew.approver)
    assert decide_task.value.code == "use_decide"


def _granted(crew, version):
    case = accepted(crew, version, day=D(2025, 11, 3))
    services.task_complete(task=open_tasks(case)[0], actor=crew.reviewers["MZJ"])
    services.case_decide(case=case, approver=crew.approver, grant=True, reason="符合条件")
    return case


def test_grant_issue_and_collect_at_the_window_counts_two_visits(crew, licence):
    case = _granted(crew, licence)
    with pytest.raises(IllegalAction) as not_issued:
        services.case_deliver(case=case, actor=crew.clerk, mode="window")
    assert not_issued.value.code == "licence_not_issued"
    services.case_issue_licence(case=case, actor=crew.approver, licence_ref="JY22201050001")
    services.case_deliver(case=case, actor=crew.clerk, mode="window", now=at(D(2025, 11, 10)))
    case.refresh_from_db()
    assert (case.state, case.delivery_mode, case.licence_ref) == (
        "completed",
        "window",
        "JY22201050001",
    )
    assert selectors.visit_count(case) == 2
    assert [e.action for e in case.events.all()][-3:] == ["decide", "issue_licence", "deliver"]


def test_online_with_post_delivery_has_zero_visits(crew, licence):
    case = services.case_submit(
        actor=crew.applicant,
        subject=crew.person,
        item_code=licence.item.code,
        channel=Channel.ONLINE,
        form={"shop_name": "老王面馆"},
        provided=ALL_MATERIALS,
        now=at(D(2025, 11, 3)),
    )
    services.case_accept(case=case, clerk=crew.clerk, now=at(D(2025, 11, 3)))
    services.task_complete(task=open_tasks(case)[0], actor=crew.reviewers["MZJ"])
    services.case_decide(case=case, approver=crew.approver, grant=True, reason="符合条件")
    services.case_issue_licence(case=case, actor=crew.approver)
    with pytest.raises(InvalidInput) as no_tracking:
        services.case_deliver(case=case, actor=crew.clerk, mode="post")
    assert no_tracking.value.field == "tracking_no"
    services.case_deliver(case=case, actor=crew.clerk, mode="post", tracking_no="SF1234567890")
    case.refresh_from_db()
    assert case.state == "completed" and selectors.visit_count(case) == 0


def test_a_denial_is_delivered_without_a_licence(crew, licence):
    case = accepted(crew, licence, day=D(2025, 11, 3))
    services.task_complete(task=open_tasks(case)[0], actor=crew.reviewers["MZJ"])
    services.case_decide(case=case, approver=crew.approver, grant=False, reason="选址不符合规划")
    with pytest.raises(IllegalAction) as no_licence:
        services.case_issue_licence(case=case, actor=crew.approver)
    assert no_licence.value.code == "not_granted"
    services.case_deliver(case=case, actor=crew.clerk, mode="electronic")
    case.refresh_from_db()
    assert (case.state, case.decision) == ("completed", "deny")


def test_a_bundle_makes_linked_cases_counts_one_visit_and_completes_with_them(crew):
    food = licence_item("220105-SCJ-011", name="食品经营许可")
    sign = licence_item("220105-CGJ-012", name="门头招牌设置")
    bundle("OPEN-RESTAURANT", food, sign)
    filing = services.bundle_submit(
        actor=crew.clerk,
        subject=crew.person,
        bundle_code="OPEN-RESTAURANT",
        channel=Channel.WINDOW,
        forms={c: {"shop_name": "老王面馆"} for c in (food.item.code, sign.item.code)},
        provided=ALL_MATERIALS,
        now=at(D(2025, 11, 3)),
    )
    cases = list(filing.cases.order_by("pk"))
    assert [c.version.item.code for c in cases] == [food.item.code, sign.item.code]
    for case in cases:
        services.case_accept(case=case, clerk=crew.clerk, now=at(D(2025, 11, 3)))
        services.task_complete(task=open_tasks(case)[0], actor=crew.reviewers["MZJ"])
        services.case_decide(case=case, approver=crew.approver, grant=True, reason="符合")
        services.case_issue_licence(case=case, actor=crew.approver)
    services.case_deliver(case=cases[0], actor=crew.clerk, mode="window", now=at(D(2025, 11, 7)))
    filing.refresh_from_db()
    assert filing.completed_at is None
    services.case_deliver(
        case=cases[1], actor=crew.clerk, mode="window", now=at(D(2025, 11, 7), 11)
    )
    filing.refresh_from_db()
    assert filing.completed_at is not None
    # Submitting together, then collecting both licences on one trip: two visits, not four.
    assert selectors.filing_visit_count(filing) == 2
    assert [selectors.visit_count(c) for c in cases] == [2, 2]


def test_submitting_a_bundle_twice_with_one_key_makes_it_once(crew):
    food = licence_item("220105-SCJ-021")
    bundle("B2", food)
    kwargs = dict(
        actor=crew.applicant,
        subject=crew.person,
        bundle_code="B2",
        channel=Channel.ONLINE,
        forms={food.item.code: {"shop_name": "x"}},
        idempotency_key="same",
        now=at(D(2025, 11, 3)),
    )
    assert services.bundle_submit(**kwargs).pk == services.bundle_submit(**kwargs).pk
    assert Case.objects.count() == 1


# --- a bundle for two people ------------------------------------------------------------


@pytest.fixture
def family(crew):
    """张大娘 (the crew's citizen) walks in with her grandson's papers."""
    senior, newborn = family_bundle()
    grandson = people.person("李沐阳", birth="20251208")
    people.stored(grandson, "birth_certificate", valid_from=D(2025, 1, 1))
    return senior, newborn, grandson


def _family_filing(crew, family, **kwargs):
    senior, newborn, grandson = family
    options = {
        "actor": crew.clerk,
        "subject": crew.person,
        "bundle_code": "220105-YJS-001",
        "channel": Channel.WINDOW,
        "forms": {
            senior.item.code: {"residency": "本市户籍"},
            newborn.item.code: {"baby_name": "李沐阳"},
        },
        "provided": ["id_card", "photo"],
        "subjects": {newborn.item.code: grandson},
        "now": at(D(2025, 11, 3), 9),
    }
    return services.bundle_submit(**(options | kwargs))


def test_a_bundle_item_for_her_grandson_is_his_case_and_one_visit_covers_both(crew, family):
    grandson = family[2]
    filing = _family_filing(crew, family)
    old_age, insurance = filing.cases.order_by("pk")
    assert filing.subject_id == crew.person.pk
    assert (old_age.subject_id, insurance.subject_id) == (crew.person.pk, grandson.pk)
    assert insurance.materials.get(spec__kind__code="birth_certificate").status == "reused"
    assert has_locker_grant(crew.clerk, grandson)

    for case in (old_age, insurance):
        services.case_complete_instant(case=case, clerk=crew.clerk, now=at(D(2025, 11, 3), 9))
    filing.refresh_from_db()
    assert filing.completed_at is not None
    assert selectors.filing_visit_count(filing) == 1
    assert Visit.objects.get().subject_id == crew.person.pk
    assert [selectors.visit_count(c) for c in (old_age, insurance)] == [1, 1]
    assert not has_locker_grant(crew.clerk, grandson)


def test_an_item_not_in_the_bundle_is_refused_and_nothing_is_filed(crew, family):
    _senior, _newborn, grandson = family
    with pytest.raises(InvalidInput) as refused:
        _family_filing(crew, family, subjects={"220105-SCJ-001": grandson})
    assert refused.value.code == "bundle_item_unknown"
    assert "不包含事项：220105-SCJ-001" in refused.value.message
    assert not Case.objects.exists()


def test_every_items_form_problems_are_told_at_once_with_their_item(crew, family):
    senior, newborn, _grandson = family
    with pytest.raises(InvalidInput) as refused:
        _family_filing(crew, family, forms={senior.item.code: {"residency": "火星"}})
    assert refused.value.code == "form_invalid"
    assert [(d["item"], d["field"]) for d in refused.value.details] == [
        (senior.item.code, "residency"),
        (newborn.item.code, "baby_name"),
    ]
    assert "【老年人优待证办理】户籍情况只能选择：本市户籍、外埠常住。" in refused.value.message
    assert not Case.objects.exists()


def test_an_organisation_cannot_stand_in_for_a_person_item(crew, family):
    _senior, newborn, _grandson = family
    with pytest.raises(InvalidInput) as refused:
        _family_filing(crew, family, subjects={newborn.item.code: people.organisation()})
    assert refused.value.code == "subject_type_mismatch"
    assert not Case.objects.exists()


def test_online_the_grandsons_item_needs_his_authorisation(crew, family):
    _senior, _newborn, grandson = family
    online = {"actor": crew.applicant, "channel": Channel.ONLINE, "now": None}
    with pytest.raises(PermissionDenied) as refused:
        _family_filing(crew, family, **online)
    assert refused.value.code == "not_authorised"
    assert not Case.objects.exists()

    people.grant(grandson, crew.applicant)
    filing = _family_filing(crew, family, **online)
    assert sorted(filing.cases.values_list("subject_id", flat=True)) == sorted(
        [crew.person.pk, grandson.pk]
    )
    assert selectors.filing_visit_count(filing) == 0
