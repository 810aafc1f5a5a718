"""Licence numbers are taken in a short transaction of their own, so licences are
rendered and sealed side by side; a number that ends on no licence is kept with the
reason, and `check-integrity` accounts for every number up to the counter."""

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from tests.licences import helpers
from yimen.cases.states import CaseState
from yimen.errors import IllegalAction
from yimen.licences import seal, selectors, services, signing
from yimen.licences.models import Licence, LicenceNumberTaken, LicenceSequence, SealUse
from yimen.oversight.models.audit import AuditEntry
from yimen.oversight.selectors.audit import audit_verify

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one write transaction at a time; row locks are PostgreSQL's",
)


def locker_refuses(*args):
    raise IllegalAction("locker_unavailable", "材料库暂时无法写入。")


def number_problems() -> list:
    return [p for p in selectors.integrity_problems() if p.code.startswith("licence_number")]


def issued_numbers() -> list[str]:
    return list(Licence.objects.order_by("number").values_list("number", flat=True))


@pytest.mark.django_db
def test_a_number_whose_licence_cannot_be_sealed_is_kept_with_the_reason(
    crew, food, the_seal, monkeypatch
):
    case = helpers.granted_case(crew, food)
    refusal = IllegalAction("tsa_unavailable", "时间戳服务暂时无法访问，文书未盖章，请稍后重试。")

    def unavailable(*args, **kwargs):
        raise refusal

    with monkeypatch.context() as patched:
        patched.setattr(signing, "sign_pdf", unavailable)
        with pytest.raises(IllegalAction):
            services.licence_issue(case=case, actor=crew.approver, now=helpers.ISSUED_AT)
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and case.licence_ref == ""
    assert not Licence.objects.exists() and not SealUse.objects.exists()
    voided = LicenceNumberTaken.objects.get()
    assert (voided.number, voided.case, voided.void_reason) == (
        "220105-2025-000001",
        case,
        refusal.message,
    )
    licence = services.licence_issue(case=case, actor=crew.approver, now=helpers.ISSUED_AT)
    assert licence.number == "220105-2025-000002"
    assert number_problems() == []


@pytest.mark.django_db
def test_a_number_whose_registration_fails_is_kept_and_nothing_of_the_licence_stays(
    crew, food, the_seal, monkeypatch
):
    case = helpers.granted_case(crew, food)
    with monkeypatch.context() as patched:
        patched.setattr(services, "_store_in_locker", locker_refuses)
        with pytest.raises(IllegalAction):
            services.licence_issue(case=case, actor=crew.approver, now=helpers.ISSUED_AT)
    case.refresh_from_db()
    assert (case.state, case.licence_ref) == (CaseState.DECIDED, "")
    assert not Licence.objects.exists() and not SealUse.objects.exists()
    assert LicenceNumberTaken.objects.get().void_reason == "材料库暂时无法写入。"
    assert number_problems() == []


@pytest.mark.django_db
def test_a_registered_licence_leaves_no_taken_number_behind(crew, food, the_seal):
    helpers.issued(crew, food)
    helpers.issued(crew, food)
    assert issued_numbers() == ["220105-2025-000001", "220105-2025-000002"]
    assert not LicenceNumberTaken.objects.exists()


@pytest.mark.django_db
def test_integrity_names_a_number_on_no_licence_and_an_issue_that_stopped_part_way(
    crew, food, the_seal
):
    licence = helpers.issued(crew, food)
    LicenceSequence.objects.update(value=3)  # two numbers taken, their records lost
    stalled = LicenceNumberTaken.objects.create(
        number="220105-2025-000004",
        case=licence.case,
        taken_at=timezone.now() - dt.timedelta(hours=2),
        taken_by=crew.approver,
    )
    LicenceSequence.objects.update(value=4)
    problems = {p.code: p for p in number_problems()}
    assert set(problems) == {"licence_number_missing", "licence_number_unfinished"}
    assert "220105-2025-000002、220105-2025-000003" in problems["licence_number_missing"].message
    assert stalled.number in problems["licence_number_unfinished"].obj
    stalled.void_reason = "制证中断，经核实作废。"
    stalled.save()
    assert {p.code for p in number_problems()} == {"licence_number_missing"}


def voids() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=AuditEntry.Kind.LICENCE_NUMBER_VOIDED))


@pytest.mark.django_db
def test_a_failed_issue_voids_its_number_in_the_audit_chain(crew, food, the_seal, monkeypatch):
    case = helpers.granted_case(crew, food)
    monkeypatch.setattr(services, "_store_in_locker", locker_refuses)
    with pytest.raises(IllegalAction):
        services.licence_issue(case=case, actor=crew.approver, now=helpers.ISSUED_AT)
    (entry,) = voids()
    assert (entry.actor, entry.object_ref) == (
        f"account:{crew.approver.pk}",
        "licence-number:220105-2025-000001",
    )
    assert entry.payload == {"case": case.pk, "reason": "材料库暂时无法写入。"}
    assert audit_verify().intact


def stalled_number(crew, food, hours: float) -> LicenceNumberTaken:
    licence = helpers.issued(crew, food)
    LicenceSequence.objects.update(value=2)
    return LicenceNumberTaken.objects.create(
        number="220105-2025-000002",
        case=licence.case,
        taken_at=timezone.now() - dt.timedelta(hours=hours),
        taken_by=crew.approver,
    )


@pytest.mark.django_db
def test_an_approver_voids_a_number_whose_issuing_stopped_and_integrity_is_whole_again(
    crew, food, the_seal
):
    stalled = stalled_number(crew, food, hours=2)
    assert {p.code for p in number_problems()} == {"licence_number_unfinished"}

    call_command(
        "licence-number-void", stalled.number, "--reason", "服务器重启，制证中断", "--by",
        crew.approver.username,
    )  # fmt: skip

    stalled.refresh_from_db()
    assert (stalled.void_reason, stalled.voided_by) == ("服务器重启，制证中断", crew.approver)
    assert number_problems() == []
    assert [e.payload["reason"] for e in voids()] == ["服务器重启，制证中断"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "hours", "reason", "who", "said"),
    [
        ("220105-2025-000002", 2, "", "approver", "请填写作废原因"),
        ("220105-2025-000009", 2, "重启", "approver", "没有未完成的取号记录"),
        ("220105-2025-000002", 0.1, "重启", "approver", "可能仍在制证中"),
        ("220105-2025-000002", 2, "重启", "clerk", "您没有办理此项业务的权限"),
        ("220105-2025-000002", 2, "重启", "nobody", "没有名为“nobody”的有效账号"),
    ],
)
def test_voiding_a_number_refuses_what_it_cannot_void_and_changes_nothing(
    crew, food, the_seal, number, hours, reason, who, said
):
    stalled = stalled_number(crew, food, hours=hours)
    username = getattr(crew, who).username if who != "nobody" else who
    with pytest.raises(CommandError) as refused:
        call_command("licence-number-void", number, "--reason", reason, "--by", username)
    assert said in str(refused.value)
    stalled.refresh_from_db()
    assert stalled.void_reason == "" and voids() == []


@pytest.mark.django_db
def test_a_voided_number_is_not_voided_again(crew, food, the_seal):
    stalled = stalled_number(crew, food, hours=2)
    services.licence_number_void(number=stalled.number, actor=crew.approver, reason="重启")
    with pytest.raises(IllegalAction) as refused:
        services.licence_number_void(number=stalled.number, actor=crew.approver, reason="再次")
    assert refused.value.code == "number_void" and len(voids()) == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_counter_is_free_while_a_licence_is_rendered_and_sealed(
    crew, food, the_seal, monkeypatch
):
    first, second = helpers.granted_case(crew, food), helpers.granted_case(crew, food)
    taken = []

    def take_the_counter():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT value FROM licences_licencesequence FOR UPDATE NOWAIT")
            taken.append(True)
        finally:
            connection.close()

    sign = signing.sign_pdf

    def sign_while_another_takes_the_counter(*args, **kwargs):
        other = threading.Thread(target=take_the_counter)
        other.start()
        other.join()
        return sign(*args, **kwargs)

    monkeypatch.setattr(signing, "sign_pdf", sign_while_another_takes_the_counter)
    services.licence_issue(case=first, actor=crew.approver, now=helpers.ISSUED_AT)
    services.licence_issue(case=second, actor=crew.approver, now=helpers.ISSUED_AT)
    assert taken == [True] * 4  # the licence and the decision of each
    assert issued_numbers() == ["220105-2025-000001", "220105-2025-000002"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_licences_issued_at_once_get_consecutive_numbers(crew, food, the_seal):
    granted = [helpers.granted_case(crew, food) for _ in range(6)]
    barrier, failures = threading.Barrier(3), []

    def approver(cases):
        try:
            barrier.wait()
            for case in cases:
                services.licence_issue(case=case, actor=crew.approver, now=helpers.ISSUED_AT)
        except Exception as error:  # reported below, where the test can fail on it
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approver, args=(granted[i::3],)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert issued_numbers() == [f"220105-2025-{n:06d}" for n in range(1, 7)]
    assert not LicenceNumberTaken.objects.exists() and number_problems() == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_approvers_issuing_one_case_at_once_make_one_licence(crew, food, the_seal, monkeypatch):
    case = helpers.granted_case(crew, food)
    both_checked, outcomes = threading.Barrier(2, timeout=30), []
    active_seal = seal.active_seal

    def seal_once_both_are_past_the_check():
        both_checked.wait()
        return active_seal()

    def approver():
        try:
            services.licence_issue(case=case, actor=crew.approver, now=helpers.ISSUED_AT)
            outcomes.append("issued")
        except IllegalAction as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    monkeypatch.setattr(seal, "active_seal", seal_once_both_are_past_the_check)
    threads = [threading.Thread(target=approver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["illegal_state", "issued"]
    licence = Licence.objects.get()
    voided = LicenceNumberTaken.objects.get()
    assert {licence.number, voided.number} == {"220105-2025-000001", "220105-2025-000002"}
    assert voided.void_reason and number_problems() == []
