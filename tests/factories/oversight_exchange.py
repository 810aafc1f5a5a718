"""Regulators, their subscriptions, and licences granted and revoked through the real
services, so notices arise the way they do in production. Importing this module connects
the audit and exchange receivers.

It also serves as a URLconf (`pytest.mark.urls`) that mounts the exchange's pages and API
router beside the project's own URLs.
"""

import datetime as dt

from tests.factories import cases as make
from tests.factories import subjects as people
from yimen.cases import services as cases
from yimen.cases.models import Case
from yimen.catalog.models import Department, ItemVersion, Role
from yimen.licences import services as licences
from yimen.licences.models import Licence, Seal
from yimen.oversight.models.exchange import RegulatorSubscription
from yimen.oversight.services import exchange
from yimen.subjects.models import Account

DECIDED_ON = dt.date(2025, 11, 5)
SECRET = "s3cret-key-for-tests"


def sandbox(settings, tmp_path) -> None:
    """Uploads and the anchor file under tmp_path, the embedded ECDSA seal, short backoff."""
    people.sandbox(settings, tmp_path)
    settings.YIMEN_SEAL_ALGORITHM = "ecdsa"
    settings.YIMEN_SEAL_PKCS12 = ""
    settings.YIMEN_SEAL_PKCS11_LIB = ""
    settings.YIMEN_TSA_URL = ""
    settings.YIMEN_PUBLIC_URL = "https://zwfw.example.cn"
    settings.YIMEN_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"
    settings.YIMEN_OUTBOX_BACKOFF_SECONDS = 30
    settings.YIMEN_OUTBOX_BACKOFF_CAP_SECONDS = 600
    settings.YIMEN_OUTBOX_MAX_ATTEMPTS = 3
    settings.YIMEN_OUTBOX_TIMEOUT_SECONDS = 1


def regulator_department(code: str = "SCJG", name: str = "区市场监督管理局") -> Department:
    return Department.objects.get_or_create(
        code=code, defaults={"name": name, "is_regulator": True}
    )[0]


def regulator(department: Department, name: str = "王建国") -> Account:
    return people.staff(Role.REGULATOR, department=department, name=name)


def supervisor() -> Account:
    return people.staff(Role.SUPERVISOR, name="赵监督")


def subscribed(
    version: ItemVersion, department: Department, webhook_url: str = ""
) -> RegulatorSubscription:
    """The department's regulator subscribes to the version's item; a webhook gets SECRET."""
    subscription = exchange.subscription_save(
        actor=regulator(department),
        department=department,
        item_code=version.item.code,
        webhook_url=webhook_url,
    )
    if webhook_url:
        RegulatorSubscription.objects.filter(pk=subscription.pk).update(secret=SECRET)
        subscription.refresh_from_db()
    return subscription


def granted_case(crew: make.Team, version: ItemVersion) -> Case:
    case = make.accepted(crew, version, day=DECIDED_ON - dt.timedelta(days=2))
    cases.task_complete(task=make.open_tasks(case)[0], actor=crew.reviewers["MZJ"])
    return cases.case_decide(
        case=case, approver=crew.approver, grant=True, reason="经审查，符合法定条件。"
    )


def licence(crew: make.Team, version: ItemVersion) -> Licence:
    """A licence issued for a freshly granted case (the seal is made on first use)."""
    if not Seal.objects.exists():
        licences.seal_init()
    return licences.licence_issue(case=granted_case(crew, version), actor=crew.approver)


def revoked(crew: make.Team, issued: Licence, reason: str = "经营场所与许可不符。") -> Licence:
    return licences.licence_revoke(licence=issued, approver=crew.approver, reason=reason)
