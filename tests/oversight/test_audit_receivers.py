"""What is audited: case events, catalog publications and cancellations, seal uses, licence
revocations and staff sign-ins, each appended with the act that made it."""

import datetime as dt

import pytest
from django.db import transaction

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import oversight_exchange as factories
from tests.factories import subjects as people
from yimen import lastly
from yimen.cases import services as case_services
from yimen.catalog import services as catalog_services
from yimen.catalog.models import Role
from yimen.licences.models import SealUse
from yimen.oversight.models.audit import AuditEntry
from yimen.oversight.selectors.audit import audit_verify

pytestmark = pytest.mark.django_db
Kind = AuditEntry.Kind
DAY = dt.date(2025, 9, 26)  # the day `make.submitted` files on


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    factories.sandbox(settings, tmp_path)


@pytest.fixture
def crew():
    return make.team()


@pytest.fixture
def food():
    return make.licence_item("220105-SCJ-006", name="食品经营许可证核发")


def entries(kind: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=kind).order_by("seq"))


def test_every_case_event_is_appended_with_its_actor(crew, food):
    case = make.accepted(crew, food)
    events = entries(Kind.CASE_EVENT)
    assert [e.object_ref for e in events] == [f"case:{case.case_no}#1", f"case:{case.case_no}#2"]
    assert [e.payload["action"] for e in events] == ["submit", "accept"]
    assert events[1].actor == f"account:{crew.clerk.pk}"
    assert events[1].payload["to_state"] == case.state
    assert audit_verify().intact


def test_a_case_event_rolled_back_leaves_no_audit_entry(crew, food):
    with pytest.raises(RuntimeError), transaction.atomic():
        make.submitted(crew, food)
        assert entries(Kind.CASE_EVENT)
        raise RuntimeError
    assert not entries(Kind.CASE_EVENT)
    assert audit_verify().intact


def test_publishing_and_cancelling_an_item_are_appended(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = catalog.published("220105-MZJ-009")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.item_cancel(item=version.item, reason="并入一件事办理", actor="管理员甲")
    published, cancelled = entries(Kind.VERSION_PUBLISHED), entries(Kind.ITEM_CANCELLED)
    assert [e.object_ref for e in published] == ["item:220105-MZJ-009@v1"]
    assert published[0].actor == "catalog-admin"
    assert cancelled[0].payload["reason"] == "并入一件事办理"
    assert cancelled[0].actor == "管理员甲"


def test_seal_uses_and_a_revocation_are_appended_once(crew, food):
    licence = factories.licence(crew, food)
    uses = entries(Kind.SEAL_USED)
    sealed = {(u.kind, u.sha256) for u in SealUse.objects.all()}
    assert len(sealed) == 2 and ("licence", licence.sha256) in sealed
    assert {(e.payload["document"], e.payload["sha256"]) for e in uses} == sealed
    assert all(e.actor == f"account:{crew.approver.pk}" for e in uses)
    assert licence.number in {e.payload["number"] for e in uses}

    factories.revoked(crew, licence, reason="以欺骗手段取得许可。")
    licence.refresh_from_db()
    licence.save()
    revoked = entries(Kind.LICENCE_REVOKED)
    assert [e.object_ref for e in revoked] == [f"licence:{licence.number}"]
    assert revoked[0].payload["reason"] == "以欺骗手段取得许可。"
    assert revoked[0].actor == f"account:{crew.approver.pk}"
    assert audit_verify().intact


def sign_in(client, login: str, password: str = people.PASSWORD):
    return client.post(
        "/accounts/login/", {"action": "password", "login": login, "password": password}
    )


def test_staff_sign_ins_are_appended_and_citizens_are_not(client, settings):
    settings.YIMEN_STAFF_SECOND_FACTOR = False  # about the audit entry, not the second factor
    clerk = people.staff(Role.CLERK)
    citizen = people.account()
    assert sign_in(client, clerk.username).status_code == 302
    assert sign_in(client, citizen.phone).status_code == 302
    signed_in = entries(Kind.STAFF_SIGN_IN)
    assert [e.actor for e in signed_in] == [f"account:{clerk.pk}"]
    assert signed_in[0].payload["ip"] == "127.0.0.1"


def test_a_failed_staff_sign_in_is_appended_with_the_phone_masked(client):
    clerk = people.staff(Role.CLERK)
    assert sign_in(client, clerk.phone, "wrong-password").status_code == 422
    assert sign_in(client, "13800000000", "wrong-password").status_code == 422
    failed = entries(Kind.SIGN_IN_FAILED)
    assert [e.object_ref for e in failed] == [f"account:{clerk.pk}"]
    login = failed[0].payload["login"]
    assert clerk.phone not in login and login == f"{clerk.phone[:3]}****{clerk.phone[-4:]}"


def test_case_events_of_one_transaction_are_chained_in_order_at_its_end(crew, food):
    with lastly.atomic():
        cases = [make.submitted(crew, food) for _ in range(20)]
        for case in cases[:5]:
            case_services.case_accept(case=case, clerk=crew.clerk, now=make.at(DAY, 11))
        assert not entries(Kind.CASE_EVENT)
    submits = [f"case:{c.case_no}#1" for c in cases]
    accepts = [f"case:{c.case_no}#2" for c in cases[:5]]
    assert [e.object_ref for e in entries(Kind.CASE_EVENT)] == submits + accepts
    assert audit_verify().intact
