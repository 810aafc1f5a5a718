"""Case numbers: readable, one per case, consecutive without gaps, and taken last in a
filing, so that applications filed at the same time do not wait for one another."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.db.models.signals import post_save

from tests.factories import subjects as people
from tests.factories.cases import FAMILY_BUNDLE, at, family_bundle, submitted
from yimen.cases import services
from yimen.cases.models import Case, CaseEvent, Channel
from yimen.catalog.models import Role
from yimen.errors import PermissionDenied
from yimen.oversight.models.audit import AuditEntry
from yimen.oversight.selectors.audit import audit_verify
from yimen.subjects.models import DelegatedAct, LockerAccessGrant, LockerReuse

DAY = people.today()  # authorisations and locker documents run from today
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one write transaction at a time; row locks are PostgreSQL's",
)


def numbers() -> list[str]:
    return list(Case.objects.order_by("case_no").values_list("case_no", flat=True))


def day_numbers(*counts: int) -> list[str]:
    return [f"220105-{DAY:%Y%m%d}-{n:06d}" for n in counts]


@pytest.mark.django_db
def test_an_application_refused_at_the_end_takes_no_number(crew, licence):
    submitted(crew, licence, day=DAY)
    stranger = people.staff(Role.GRID_WORKER, name="林秀芳")
    with pytest.raises(PermissionDenied):
        services.case_submit(
            actor=stranger,
            subject=crew.person,
            item_code=licence.item.code,
            channel=Channel.ASSISTED,
            form={"shop_name": "老王面馆"},
            now=at(DAY),
        )
    submitted(crew, licence, day=DAY)
    assert numbers() == day_numbers(1, 2)


@pytest.mark.django_db
def test_a_bundle_takes_consecutive_numbers_in_its_items_order(crew, licence):
    senior, newborn = family_bundle()
    submitted(crew, licence, day=DAY)
    filing = services.bundle_submit(
        actor=crew.clerk,
        subject=crew.person,
        bundle_code=FAMILY_BUNDLE,
        channel=Channel.WINDOW,
        forms={
            senior.item.code: {"residency": "本市户籍"},
            newborn.item.code: {"baby_name": "乐乐"},
        },
        provided=["id_card", "photo", "birth_certificate"],
        now=at(DAY),
    )
    filed = filing.cases.order_by("pk")
    assert [c.case_no for c in filed] == day_numbers(2, 3)
    assert [c.version.item.code for c in filed] == [senior.item.code, newborn.item.code]


@pytest.mark.django_db
def test_everything_a_filing_records_names_the_case_by_its_number(crew, licence):
    people.stored(crew.person, "id_card")
    at_window = submitted(crew, licence, day=DAY)
    grid_worker = people.staff(Role.GRID_WORKER, name="林秀芳")
    people.grant(crew.person, grid_worker)
    assisted = services.case_submit(
        actor=grid_worker,
        subject=crew.person,
        item_code=licence.item.code,
        channel=Channel.ASSISTED,
        form={"shop_name": "老王面馆"},
        provided=["floor_plan", "lease"],
        now=at(DAY),
    )
    assert [at_window.case_no, assisted.case_no] == day_numbers(1, 2)
    assert LockerAccessGrant.objects.get(staff=crew.clerk).case_ref == at_window.case_no
    assert sorted(LockerReuse.objects.values_list("case_ref", flat=True)) == day_numbers(1, 2)
    assert set(DelegatedAct.objects.values_list("case_ref", flat=True)) == {assisted.case_no}
    refs = AuditEntry.objects.filter(kind=AuditEntry.Kind.CASE_EVENT).order_by("seq")
    assert [e.object_ref for e in refs] == [f"case:{n}#1" for n in day_numbers(1, 2)]
    assert audit_verify().intact


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_applications_filed_at_once_get_consecutive_numbers(crew, licence):
    barrier, failures = threading.Barrier(4), []

    def citizen():
        try:
            barrier.wait()
            for _ in range(5):
                submitted(crew, licence, day=DAY, channel=Channel.ONLINE)
        except Exception as error:  # reported below, where the test can fail on it
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=citizen) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert numbers() == day_numbers(*range(1, 21))
    refs = AuditEntry.objects.filter(kind=AuditEntry.Kind.CASE_EVENT)
    assert sorted(e.object_ref for e in refs) == [f"case:{n}#1" for n in numbers()]
    assert audit_verify().intact


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_counter_and_the_audit_head_stay_free_while_a_case_is_being_filed(crew, licence):
    """Halfway through a filing (its event written) another transaction can still take
    the day's counter and the audit chain's head without waiting."""
    submitted(crew, licence, day=DAY, channel=Channel.ONLINE)  # the day's counter exists
    taken = []

    def take_both_rows():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT value FROM cases_casenumbersequence FOR UPDATE NOWAIT")
                cursor.execute("SELECT seq FROM oversight_audithead FOR UPDATE NOWAIT")
            taken.append(True)
        finally:
            connection.close()

    def meanwhile(sender, instance, created, **kwargs):
        if instance.action == "submit":
            other = threading.Thread(target=take_both_rows)
            other.start()
            other.join()

    post_save.connect(meanwhile, sender=CaseEvent, dispatch_uid="test-meanwhile")
    try:
        submitted(crew, licence, day=DAY, channel=Channel.ONLINE)
    finally:
        post_save.disconnect(sender=CaseEvent, dispatch_uid="test-meanwhile")
    assert taken == [True]
    assert numbers() == day_numbers(1, 2)
    assert audit_verify().intact
