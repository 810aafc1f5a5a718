"""Application and intake: forms, materials, accept, correction, 容缺, refuse, instant."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from tests.factories import subjects as people
from tests.factories.cases import at, licence_item, submitted
from yimen.cases import selectors, services
from yimen.cases.models import Case, CaseMaterial, Channel
from yimen.catalog.models import FormField, HandlingType
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.subjects.models import LockerReuse

D = dt.date
pytestmark = pytest.mark.django_db


def test_accept_fixes_a_readable_case_number_owner_and_events(crew, licence):
    case = submitted(crew, licence, day=D(2025, 11, 3))
    assert case.case_no == "220105-20251103-000001"
    assert submitted(crew, licence, day=D(2025, 11, 3)).case_no.endswith("-000002")

    services.case_accept(case=case, clerk=crew.clerk, now=at(D(2025, 11, 3), 11))
    case.refresh_from_db()
    assert (case.state, case.owner, case.accepted_on) == ("in_progress", crew.clerk, D(2025, 11, 3))
    events = list(case.events.values_list("seq", "action", "from_state", "to_state", "actor"))
    assert events == [
        (1, "submit", "", "submitted", crew.clerk.pk),
        (2, "accept", "submitted", "in_progress", crew.clerk.pk),
    ]


def test_form_is_checked_field_by_field_and_nothing_is_saved(crew):
    version = licence_item("220105-SCJ-009", name="门头招牌设置")
    with pytest.raises(InvalidInput) as refused:
        services.case_submit(
            actor=crew.clerk,
            subject=crew.person,
            item_code=version.item.code,
            channel=Channel.WINDOW,
            form={"colour": "红"},
        )
    assert refused.value.code == "form_invalid"
    assert [d["field"] for d in refused.value.details] == ["shop_name", ""]
    assert "店铺名称为必填项" in refused.value.message
    assert not Case.objects.exists()


def test_form_field_rules(db):
    from yimen.cases.formdata import clean_form

    fields = [
        FormField(key="area", label="经营面积", field_type="number", min_value=1, max_value=500),
        FormField(key="kind", label="经营类别", field_type="choice", choices=["餐饮", "零售"]),
        FormField(key="opened", label="开业日期", field_type="date"),
        FormField(
            key="phone",
            label="联系电话",
            field_type="text",
            pattern=r"1\d{10}",
            help_text="11位手机号",
        ),
    ]
    good = {"area": "35.5", "kind": "餐饮", "opened": "2025-10-09", "phone": "13900000001"}
    assert clean_form(fields, good)["area"] == "35.5"
    with pytest.raises(InvalidInput) as refused:
        clean_form(fields, {"area": "900", "kind": "网吧", "opened": "10/9", "phone": "123"})
    messages = [d["message"] for d in refused.value.details]
    assert messages == [
        "经营面积不能大于500。",
        "经营类别只能选择：餐饮、零售。",
        "开业日期须为日期，格式如 2026-01-31。",
        "联系电话格式不正确（11位手机号）。",
    ]


def test_the_locker_fills_what_it_can_and_each_reuse_is_recorded(crew, licence):
    people.stored(crew.person, "id_card", valid_from=D(2025, 1, 1))
    case = submitted(crew, licence, provided=("lease",))
    statuses = dict(case.materials.values_list("spec__kind__code", "status"))
    assert statuses == {"id_card": "reused", "floor_plan": "missing", "lease": "provided"}
    reuse = LockerReuse.objects.get()
    assert (reuse.case_ref, reuse.actor) == (case.case_no, crew.clerk)


def test_submitting_twice_with_the_same_key_makes_one_case(crew, licence):
    first = submitted(crew, licence, channel=Channel.ONLINE, key="k-1")
    again = submitted(crew, licence, channel=Channel.ONLINE, key="k-1")
    assert first.pk == again.pk
    assert Case.objects.count() == 1
    assert submitted(crew, licence, channel=Channel.ONLINE, key="k-2").pk != first.pk


def test_online_submission_for_a_stranger_is_refused(crew, licence):
    stranger, _person = people.citizen("李四", birth="19900101")
    with pytest.raises(PermissionDenied):
        services.case_submit(
            actor=stranger,
            subject=crew.person,
            item_code=licence.item.code,
            channel=Channel.ONLINE,
            form={"shop_name": "x"},
        )
    assert not Case.objects.exists()


def test_accept_refuses_incomplete_materials(crew, licence):
    case = submitted(crew, licence, provided=("id_card",))
    with pytest.raises(IllegalAction) as refused:
        services.case_accept(case=case, clerk=crew.clerk)
    assert refused.value.code == "materials_incomplete"
    assert "经营场所平面图、租赁合同" in refused.value.message
    case.refresh_from_db()
    assert case.state == "submitted" and case.events.count() == 1


def test_one_notice_lists_every_deficiency_and_a_second_is_a_violation(crew, licence):
    case = submitted(crew, licence, provided=("id_card",), day=D(2025, 11, 3))
    notice = services.case_request_correction(
        case=case, clerk=crew.clerk, notes=["申请表未签字"], now=at(D(2025, 11, 3))
    )
    assert [d["material"] or d["note"] for d in notice.deficiencies] == [
        "经营场所平面图",
        "租赁合同",
        "申请表未签字",
    ]
    assert not notice.is_violation

    with pytest.raises(IllegalAction) as incomplete:
        services.case_supply_correction(
            case=case, actor=crew.clerk, provided=["floor_plan"], channel=Channel.WINDOW
        )
    assert incomplete.value.code == "correction_incomplete"
    services.case_supply_correction(
        case=case,
        actor=crew.clerk,
        provided=["lease", "floor_plan"],
        channel=Channel.WINDOW,
        now=at(D(2025, 11, 6)),
    )

    with pytest.raises(InvalidInput) as no_reason:
        services.case_request_correction(case=case, clerk=crew.clerk, notes=["照片不清晰"])
    assert no_reason.value.code == "reason_required"
    second = services.case_request_correction(
        case=case,
        clerk=crew.clerk,
        notes=["照片不清晰"],
        reason="原件核验发现问题",
        now=at(D(2025, 11, 6), 15),
    )
    assert second.is_violation
    assert list(selectors.correction_violations()) == [case]
    assert case.events.get(action="request_correction", data__violation=True)


def test_after_correction_acceptance_dates_from_completion(crew, licence):
    case = submitted(crew, licence, provided=("id_card",), day=D(2025, 11, 3))
    services.case_request_correction(case=case, clerk=crew.clerk, now=at(D(2025, 11, 3)))
    services.case_supply_correction(
        case=case,
        actor=crew.applicant,
        provided=["lease", "floor_plan"],
        channel=Channel.ONLINE,
        now=at(D(2025, 11, 12)),
    )
    services.case_accept(case=case, clerk=crew.clerk, now=at(D(2025, 11, 13)))
    case.refresh_from_db()
    assert (case.accepted_on, case.deemed_accepted) == (D(2025, 11, 12), False)
    assert case.deadline == D(2025, 11, 26)
    assert selectors.visit_count(case) == 1  # the correction came online


def test_pending_material_blocks_the_decision_until_it_arrives(crew, licence):
    case = submitted(crew, licence, provided=("id_card", "lease"), day=D(2025, 11, 3))
    with pytest.raises(InvalidInput) as not_tolerable:
        services.case_accept_pending(
            case=case, clerk=crew.clerk, pending={"lease": D(2025, 11, 20)}
        )
    assert not_tolerable.value.code == "not_tolerable"
    with pytest.raises(InvalidInput):
        services.case_accept_pending(
            case=case,
            clerk=crew.clerk,
            pending={"floor_plan": D(2025, 11, 3)},
            now=at(D(2025, 11, 3)),
        )

    services.case_accept_pending(
        case=case, clerk=crew.clerk, pending={"floor_plan": D(2025, 11, 20)}, now=at(D(2025, 11, 3))
    )
    review = case.tasks.get()
    services.task_complete(task=review, actor=crew.reviewers["MZJ"], opinion="同意")
    with pytest.raises(IllegalAction) as blocked:
        services.case_decide(case=case, approver=crew.approver, grant=True, reason="符合条件")
    assert blocked.value.code == "pending_material"
    assert "经营场所平面图" in blocked.value.message

    services.case_supply_pending(
        case=case,
        actor=crew.clerk,
        kind_code="floor_plan",
        channel=Channel.WINDOW,
        now=at(D(2025, 11, 10)),
    )
    services.case_decide(case=case, approver=crew.approver, grant=True, reason="符合条件")
    case.refresh_from_db()
    assert (case.state, case.decision) == ("decided", "grant")
    assert case.materials.get(spec__kind__code="floor_plan").status == CaseMaterial.Status.PROVIDED


def test_refuse_needs_a_reason_and_a_legal_basis(crew, licence):
    case = submitted(crew, licence)
    with pytest.raises(InvalidInput) as refused:
        services.case_refuse(case=case, clerk=crew.clerk, reason="不属于本机关职权", legal_basis="")
    assert refused.value.field == "legal_basis"
    services.case_refuse(
        case=case,
        clerk=crew.clerk,
        reason="不属于本机关职权",
        legal_basis="《行政许可法》第三十二条第一款第二项",
    )
    case.refresh_from_db()
    assert case.state == "refused" and case.filing.completed_at is not None
    with pytest.raises(IllegalAction) as illegal:
        services.case_accept(case=case, clerk=crew.clerk)
    assert illegal.value.code == "illegal_state"
    assert "不予受理" in illegal.value.message and "受理" in illegal.value.message


def test_an_instant_item_is_finished_in_one_window_action(crew):
    version = licence_item(
        "220105-SCJ-005", name="临时占道备案", handling_type=HandlingType.INSTANT
    )
    case = submitted(crew, version, day=D(2025, 11, 3))
    services.case_complete_instant(case=case, clerk=crew.clerk, now=at(D(2025, 11, 3), 10))
    case.refresh_from_db()
    assert (case.state, case.decision, case.deadline) == ("completed", "grant", D(2025, 11, 3))
    assert selectors.visit_count(case) == 1


def test_a_committed_item_cannot_be_finished_on_the_spot(crew, licence):
    case = submitted(crew, licence)
    with pytest.raises(IllegalAction) as refused:
        services.case_complete_instant(case=case, clerk=crew.clerk)
    assert refused.value.code == "not_instant"


def test_no_intake_decision_in_5_working_days_counts_as_accepted_on_receipt(crew, licence):
    on_time = submitted(crew, licence, day=D(2025, 9, 26))
    late = submitted(crew, licence, day=D(2025, 9, 25))
    # 5 working days after 9-25: 9-26, 9-28 (Sun, worked), 9-29, 9-30, 10-9.
    assert services.cases_deem_overdue_intakes(now=at(D(2025, 10, 9))) == []
    assert services.cases_deem_overdue_intakes(now=at(D(2025, 10, 10))) == [late.case_no]
    late.refresh_from_db()
    assert (late.state, late.accepted_on, late.deemed_accepted) == (
        "in_progress",
        D(2025, 9, 25),
        True,
    )
    assert late.events.last().action == "deem_accepted" and late.events.last().actor is None
    on_time.refresh_from_db()
    assert on_time.state == "submitted"


def test_a_late_manual_acceptance_is_flagged_and_dated_from_receipt(crew, licence):
    case = submitted(crew, licence, day=D(2025, 11, 3))
    services.case_accept(case=case, clerk=crew.clerk, now=at(D(2025, 11, 14)))
    case.refresh_from_db()
    assert (case.accepted_on, case.deemed_accepted) == (D(2025, 11, 3), True)


def test_only_a_clerk_accepts(crew, licence):
    case = submitted(crew, licence)
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, clerk=crew.reviewers["MZJ"])
    case.refresh_from_db()
    assert case.state == "submitted"


def test_the_daily_command_deems_overdue_applications_accepted(crew, licence):
    case = submitted(crew, licence, day=D(2025, 9, 1))
    out = StringIO()
    with time_machine.travel(at(D(2025, 9, 15))):
        call_command("cases-deem-accepted", stdout=out)
    case.refresh_from_db()
    assert case.deemed_accepted and case.state == "in_progress"
    assert case.case_no in out.getvalue() and "视为受理：1 件" in out.getvalue()
