"""The material locker: a document handed in once is reused, never asked for again."""

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.factories import public_catalog
from tests.factories import subjects as make
from yimen.catalog.models import MaterialSpec, Role
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.subjects import selectors, services
from yimen.subjects.models import DelegatedAct, LockerEntry, LockerReuse

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    return public_catalog.build()


def reused_kinds(rows) -> dict[str, bool]:
    return {row.spec.kind.code: row.reused for row in rows}


def test_a_verified_document_is_stored_with_its_hash_and_source(catalog):
    _account, grandma = make.citizen()
    clerk = make.staff(Role.CLERK)
    scan = make.document("身份证正反面")
    entry = services.locker_store(
        grandma,
        "id_card",
        scan,
        LockerEntry.Source.SUBMITTED,
        clerk,
        dt.date(2020, 5, 1),
        dt.date(2040, 5, 1),
        origin_item_code=public_catalog.ELDERLY,
        origin_ref="YM-2026-000001",
    )
    content = scan.open("rb").read()
    assert entry.sha256 == hashlib.sha256(content).hexdigest()
    with entry.file.open("rb") as stored:
        assert stored.read() == content
    assert (entry.size, entry.verified_by, entry.title, entry.filename) == (
        len(content),
        clerk,
        "居民身份证",
        "scan.pdf",
    )
    assert default_storage.exists(entry.file.name)
    # Stored under a random name, never the one it was uploaded with.
    assert re.fullmatch(r"locker/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", entry.file.name)
    # The same file again is kept once.
    again = services.locker_store(
        grandma, "id_card", make.document("身份证正反面"), "submitted", clerk, dt.date(2020, 5, 1)
    )
    assert again == entry and LockerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "source", "verifier", "until", "code"),
    [
        ("no_such_kind", "submitted", "clerk", None, "unknown_material_kind"),
        ("id_card", "scanned", "clerk", None, "invalid_source"),
        ("id_card", "submitted", None, None, "verifier_required"),
        ("id_card", "submitted", "clerk", dt.date(2019, 1, 1), "invalid_period"),
    ],
)
def test_a_bad_store_is_refused_and_nothing_is_kept(catalog, kind, source, verifier, until, code):
    _account, grandma = make.citizen()
    verified_by = make.staff(Role.CLERK) if verifier else None
    with pytest.raises(InvalidInput) as excinfo:
        services.locker_store(
            grandma, kind, make.document(), source, verified_by, dt.date(2020, 1, 1), until
        )
    assert excinfo.value.code == code
    assert not LockerEntry.objects.exists()


def test_only_verifying_staff_store_documents_and_imports_need_no_verifier(catalog):
    account, grandma = make.citizen()
    with pytest.raises(PermissionDenied):
        make.stored(grandma, verified_by=make.staff(Role.SUPERVISOR))
    with pytest.raises(PermissionDenied):
        make.stored(grandma, verified_by=account)
    imported = services.locker_store(
        grandma, "hukou", make.document(), "imported", None, dt.date(2020, 1, 1)
    )
    assert imported.verified_by is None
    with pytest.raises(InvalidInput) as excinfo:
        services.locker_store(
            grandma, "hukou", make.document(""), "imported", None, dt.date(2020, 1, 1)
        )
    assert excinfo.value.message == "材料文件是空的。"


def test_a_material_submitted_for_one_item_is_reused_for_another(catalog):
    account, grandma = make.citizen()
    make.stored(grandma, "id_card")
    make.stored(grandma, "hukou")
    elderly = selectors.locker_prefill(grandma, catalog.elderly)
    assert reused_kinds(elderly) == {"id_card": True, "hukou": True, "photo": False}
    newborn = selectors.locker_prefill(grandma, catalog.newborn_insurance)
    assert reused_kinds(newborn) == {"id_card": True, "birth_cert": False}
    [id_card] = [row for row in newborn if row.reused]
    assert (id_card.entry.source, id_card.entry.origin_item_code) == (
        "submitted",
        public_catalog.ELDERLY,
    )
    reuse = services.locker_record_reuse(
        id_card.entry,
        item_code=public_catalog.NEWBORN_INSURANCE,
        case_ref="YM-2026-000002",
        actor=account,
    )
    assert (reuse.actor, reuse.authorisation) == (account, None)
    assert selectors.locker_reuse_count() == 1


def test_an_expired_material_is_not_reused(catalog):
    account, grandma = make.citizen()
    entry = make.stored(grandma, "id_card", valid_until=make.today() + dt.timedelta(days=5))
    assert reused_kinds(selectors.locker_prefill(grandma, catalog.newborn_insurance))["id_card"]
    six_days_on = make.today() + dt.timedelta(days=6)
    rows = selectors.locker_prefill(grandma, catalog.newborn_insurance, on=six_days_on)
    assert reused_kinds(rows) == {"id_card": False, "birth_cert": False}
    with pytest.raises(IllegalAction) as excinfo:
        services.locker_record_reuse(
            entry, item_code="220105-YBJ-001", case_ref="YM-3", actor=account, on=six_days_on
        )
    assert excinfo.value.message == "该材料已过期或已作废，不能复用，请重新提交。"
    assert selectors.locker_reuse_count() == 0


def test_the_newest_valid_material_is_chosen_and_a_renewed_one_is_reused_again(catalog):
    _account, grandma = make.citizen()
    make.stored(grandma, "id_card", valid_until=make.today() - dt.timedelta(days=1))
    renewed = make.stored(grandma, "id_card", valid_until=make.today() + dt.timedelta(days=3650))
    [id_card, _birth] = selectors.locker_prefill(grandma, catalog.newborn_insurance)
    assert id_card.entry == renewed


def test_a_revoked_material_is_not_reused(catalog):
    _account, grandma = make.citizen()
    clerk = make.staff(Role.CLERK)
    entry = make.stored(grandma, "id_card", verified_by=clerk)
    with pytest.raises(InvalidInput):
        services.locker_revoke(entry, " ", actor=clerk)
    services.locker_revoke(entry, "证件已挂失", actor=clerk)
    assert not reused_kinds(selectors.locker_prefill(grandma, catalog.elderly))["id_card"]
    with pytest.raises(IllegalAction):
        services.locker_revoke(entry, "再次作废", actor=clerk)


def test_a_spec_that_is_not_reusable_is_always_asked_for(catalog):
    _account, grandma = make.citizen()
    make.stored(grandma, "photo")
    draft = public_catalog.make.draft("220105-MZJ-009", materials=(("photo", "照片"),))
    MaterialSpec.objects.filter(version=draft).update(reusable=False)
    version = public_catalog.publish(draft)
    assert reused_kinds(selectors.locker_prefill(grandma, version)) == {"photo": False}
    assert reused_kinds(selectors.locker_prefill(grandma, catalog.elderly))["photo"]


def test_another_subjects_locker_is_not_used(catalog):
    _account, grandma = make.citizen()
    _son_account, son = make.citizen("李建国", birth="19790506")
    make.stored(son, "id_card")
    assert not any(row.reused for row in selectors.locker_prefill(grandma, catalog.elderly))


def test_a_reuse_by_an_agent_records_both_people(catalog):
    _account, grandson = make.citizen("李沐阳", birth="20251208")
    grandma_account, _grandma = make.citizen()
    authorisation = make.grant(grandson, grandma_account)
    entry = make.stored(grandson, "id_card")
    reuse = services.locker_record_reuse(
        entry, item_code=public_catalog.NEWBORN_INSURANCE, case_ref="YM-4", actor=grandma_account
    )
    assert (reuse.actor, reuse.authorisation, reuse.entry.subject.pk) == (
        grandma_account,
        authorisation,
        grandson.pk,
    )
    act = DelegatedAct.objects.get()
    assert (act.actor, act.principal.pk, act.action) == (
        grandma_account,
        grandson.pk,
        "locker_reuse",
    )
    with pytest.raises(PermissionDenied):
        services.locker_record_reuse(
            entry, item_code=public_catalog.ELDERLY, case_ref="YM-5", actor=make.account()
        )
    assert LockerReuse.objects.count() == 1


def test_a_clerk_reads_a_subjects_locker_only_while_serving_its_case(catalog):
    mzj = public_catalog.make.department("MZJ")
    ybj = public_catalog.make.department("YBJ")
    reviewer = make.staff(Role.REVIEWER, department=mzj)
    other_reviewer = make.staff(Role.REVIEWER, department=ybj)
    _account, grandma = make.citizen()
    _son_account, son = make.citizen("李建国", birth="19790506")
    make.stored(grandma, "id_card")
    make.stored(son, "id_card")

    with pytest.raises(PermissionDenied) as excinfo:
        selectors.locker_entries(reviewer, grandma)
    assert (excinfo.value.code, excinfo.value.message) == (
        "locker_access_denied",
        "只有在为该主体办理办件期间才能查看其材料库。",
    )
    services.locker_grant_access(reviewer, grandma, "YM-2026-000010")
    assert len(selectors.locker_entries(reviewer, grandma)) == 1
    # The case opens this subject's locker, to this clerk only.
    with pytest.raises(PermissionDenied):
        selectors.locker_entries(reviewer, son)
    with pytest.raises(PermissionDenied):
        selectors.locker_entries(other_reviewer, grandma)
    assert services.locker_revoke_access(reviewer, grandma, "YM-2026-000010") == 1
    with pytest.raises(PermissionDenied):
        selectors.locker_entries(reviewer, grandma)


def test_a_grant_ends_when_it_expires():
    _account, grandma = make.citizen()
    clerk = make.staff(Role.CLERK)
    services.locker_grant_access(
        clerk, grandma, "YM-7", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert selectors.locker_entries(clerk, grandma) == []
    later = timezone.now() + dt.timedelta(hours=2)
    with time_machine.travel(later), pytest.raises(PermissionDenied):
        selectors.locker_entries(clerk, grandma)


def test_only_serving_staff_get_a_grant():
    _account, grandma = make.citizen()
    for outsider in (make.account(), make.staff(Role.REGULATOR), make.staff(Role.CATALOG_ADMIN)):
        with pytest.raises(PermissionDenied):
            services.locker_grant_access(outsider, grandma, "YM-8")


def test_the_subject_and_its_agents_read_the_locker_and_strangers_do_not(catalog):
    grandma_account, grandma = make.citizen()
    son, _son_person = make.citizen("李建国", birth="19790506")
    entry = make.stored(grandma, "id_card")
    assert selectors.locker_entries(grandma_account, grandma) == [entry]
    with pytest.raises(PermissionDenied):
        selectors.locker_entry_for(son, entry.pk)
    make.grant(grandma, son)
    assert selectors.locker_entry_for(son, entry.pk) == entry
    assert selectors.locker_entries(son, grandma, source="issued") == []


def test_a_grid_worker_reads_the_locker_of_whoever_authorised_them(catalog):
    grandma_account, grandma = make.citizen()
    grid_worker = make.staff(Role.GRID_WORKER)
    entry = make.stored(grandma, "id_card")
    with pytest.raises(PermissionDenied) as excinfo:
        selectors.locker_entries(grid_worker, grandma)
    assert excinfo.value.code == "locker_access_denied"
    make.grant(grandma, grid_worker, granted_by=grandma_account)
    assert selectors.locker_entries(grid_worker, grandma) == [entry]
    reuse = services.locker_record_reuse(
        entry, item_code=public_catalog.ELDERLY, case_ref="YM-9", actor=grid_worker
    )
    assert reuse.authorisation.agent == grid_worker
