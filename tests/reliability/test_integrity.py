"""`yimen check-integrity`: silent on data the services made, loud on each invariant broken."""

import datetime as dt

import pytest
from django.core.management import call_command

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import subjects as people
from yimen.cases import services as cases
from yimen.cases.models import CaseEvent, CaseMaterial, Decision, Task
from yimen.catalog.models import MaterialSpec, StageSpec
from yimen.licences.models import DocumentKind, SealUse
from yimen.maintenance import integrity_problems
from yimen.oversight.models.audit import AuditEntry

pytestmark = pytest.mark.django_db


def problems() -> dict[str, list[str]]:
    """Each problem as "object：message", by the invariant it breaks."""
    found: dict[str, list[str]] = {}
    for problem in integrity_problems():
        found.setdefault(problem.code, []).append(str(problem))
    return found


def run_command(capsys) -> tuple[int, str]:
    try:
        call_command("check-integrity")
    except SystemExit as exit_:
        return exit_.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


def overwrite(field_file, content: bytes = b"%PDF-1.7 not what was sealed") -> None:
    with open(field_file.path, "wb") as file:
        file.write(content)


# --- clean data --------------------------------------------------------------------------


def test_a_day_of_work_through_the_services_breaks_no_invariant(crew, delivered, capsys):
    senior, _newborn = make.family_bundle()
    instant = cases.case_submit(
        actor=crew.clerk,
        subject=crew.person,
        item_code=senior.item.code,
        channel="window",
        form={"residency": "本市户籍"},
        provided=("id_card", "photo"),
    )
    cases.case_complete_instant(case=instant, clerk=crew.clerk)
    refused = make.submitted(crew, delivered.version, key="refused")
    cases.case_refuse(
        case=refused,
        clerk=crew.clerk,
        reason="不属于本机关职权范围",
        legal_basis="行政许可法第32条",
    )
    make.accepted(crew, delivered.version)
    people.stored(crew.person, "lease")

    assert problems() == {}
    assert run_command(capsys) == (0, "完整性检查通过：未发现问题。\n")


# --- each invariant broken on purpose ----------------------------------------------------


def test_a_published_version_without_materials_or_stages(db):
    version = catalog.published("220105-MZJ-009")
    MaterialSpec.objects.filter(version=version).delete()
    StageSpec.objects.filter(version=version).delete()

    assert problems() == {
        "version_without_materials": [
            "事项 220105-MZJ-009 第 1 版：已发布的事项版本没有申请材料。"
        ],
        "version_without_stages": ["事项 220105-MZJ-009 第 1 版：已发布的事项版本没有办理环节。"],
    }


def test_a_case_without_events(crew, food):
    case = make.submitted(crew, food)
    CaseEvent.objects.filter(case=case).delete()

    assert problems() == {"case_without_events": [f"办件 {case.case_no}：办件没有任何办件日志。"]}


def test_a_gap_in_a_cases_event_numbers(crew, food):
    case = make.accepted(crew, food)
    case.events.filter(seq=2).update(seq=3)

    assert problems() == {
        "case_event_gap": [f"办件 {case.case_no}：办件日志编号不连续：共 2 条，编号从 1 到 3。"]
    }


def test_a_decided_case_whose_decision_was_never_recorded(licence):
    licence.case.events.filter(action="decide").update(action="complete_task")

    assert problems() == {
        "decision_without_event": [
            f"办件 {licence.case.case_no}：办件已作出决定，但办件日志中没有审批决定。"
        ]
    }


def test_a_completed_case_with_open_tasks(delivered):
    Task.objects.filter(case=delivered).update(status=Task.Status.OPEN)

    assert problems() == {
        "ended_case_open_tasks": [f"办件 {delivered.case_no}：办件已结束，仍有 2 项待办任务。"]
    }


def test_an_uploaded_material_whose_file_is_gone(crew, food):
    case = make.submitted(crew, food)
    CaseMaterial.objects.filter(case=case, spec__kind__code="lease").update(
        file="cases/gone/lease.pdf"
    )

    assert problems() == {
        "case_material_file": [f"办件 {case.case_no}：租赁合同：文件 cases/gone/lease.pdf 不存在。"]
    }


def test_a_licence_on_a_case_that_was_not_granted(licence):
    type(licence.case).objects.filter(pk=licence.case_id).update(decision=Decision.DENY)

    assert problems() == {
        "licence_without_grant": [
            f"证照 {licence.number}：所属办件 {licence.case.case_no} 没有准予许可的决定。"
        ]
    }


def test_a_licence_whose_file_is_gone_or_altered(licence, capsys):
    """The registry and the seal's record of the licence name the same file: both notice."""
    use = SealUse.objects.get(kind=DocumentKind.LICENCE)
    name = licence.file.name
    licence.file.storage.delete(name)
    assert problems() == {
        "licence_file": [f"证照 {licence.number}：文件 {name} 不存在。"],
        "sealed_file": [f"用印记录 {use.pk}（电子证照）：文件 {name} 不存在。"],
    }

    overwrite(licence.file)
    altered = f"文件 {name} 的 SHA-256 与登记的不符：文件已被改动。"
    assert problems() == {
        "licence_file": [f"证照 {licence.number}：{altered}"],
        "sealed_file": [f"用印记录 {use.pk}（电子证照）：{altered}"],
    }
    assert run_command(capsys) == (
        1,
        f"完整性检查发现 2 处问题：\n  - 证照 {licence.number}：{altered}\n"
        f"  - 用印记录 {use.pk}（电子证照）：{altered}\n",
    )


def test_a_sealed_decision_whose_file_was_altered(licence):
    decision = SealUse.objects.get(kind=DocumentKind.GRANT)
    overwrite(decision.file)

    assert problems() == {
        "sealed_file": [
            f"用印记录 {decision.pk}（准予行政许可决定书）："
            f"文件 {decision.file.name} 的 SHA-256 与登记的不符：文件已被改动。"
        ]
    }


def test_a_locker_document_whose_file_is_gone_or_altered(crew, food):
    entry = people.stored(crew.person, "lease")
    overwrite(entry.file, b"another lease")
    assert problems() == {
        "locker_file": [
            f"材料库材料 {entry.pk}（租赁合同）："
            f"文件 {entry.file.name} 的 SHA-256 与登记的不符：文件已被改动。"
        ]
    }

    entry.file.storage.delete(entry.file.name)
    assert problems() == {
        "locker_file": [f"材料库材料 {entry.pk}（租赁合同）：文件 {entry.file.name} 不存在。"]
    }


def test_an_altered_audit_entry(crew, food, capsys):
    make.submitted(crew, food, day=dt.date(2025, 9, 26))
    AuditEntry.objects.filter(seq=1).update(actor="account:999")

    assert problems() == {"audit_altered": ["审计链第 1 条：第 1 条的内容与哈希不符：已被篡改。"]}
    code, out = run_command(capsys)
    assert code == 1
    assert "审计链第 1 条：第 1 条的内容与哈希不符：已被篡改。" in out
