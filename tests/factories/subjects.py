"""Subjects, accounts, staff and locker documents, built through the subjects services."""

import datetime as dt
import io
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone
from reportlab.pdfgen.canvas import Canvas

from yimen.catalog.models import Department, Role, ServiceCenter
from yimen.subjects import services
from yimen.subjects.demo import DEMO_PASSWORD, resident_id, uscc
from yimen.subjects.models import Account, LockerEntry, Organisation, Person, Subject

PASSWORD = DEMO_PASSWORD
_sequence = itertools.count(11)
_phones = itertools.count(13900000001)


def sandbox(settings, tmp_path) -> None:
    """Uploads under tmp_path, the phone sign-in backend, the demo SMS outbox, and a fast
    password hasher."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUTHENTICATION_BACKENDS = ["yimen.subjects.auth_backends.PhoneBackend"]
    settings.YIMEN_SMS_BACKEND = "yimen.subjects.sms.OutboxBackend"


def today() -> dt.date:
    return timezone.localdate()


def new_resident_id(birth: str = "19800101") -> str:
    return resident_id(birth, f"{next(_sequence) % 1000:03d}")


def person(name: str = "张桂兰", *, birth: str = "19530312", phone: str = "") -> Person:
    return services.person_upsert(name=name, resident_id=new_resident_id(birth), phone=phone)[0]


def account(username: str | None = None, *, phone: str | None = None, name: str = "") -> Account:
    phone = phone or str(next(_phones))
    return Account.objects.create_user(
        username=username or phone, phone=phone, password=PASSWORD, name=name
    )


def citizen(name: str = "张桂兰", *, birth: str = "19530312") -> tuple[Account, Person]:
    """A signed-up person: an account linked to a registered person."""
    signed_up = account(name=name)
    registered = person(name, birth=birth, phone=signed_up.phone)
    registered.account = signed_up
    registered.save()
    return signed_up, registered


def organisation(
    name: str = "吉林省东盛建筑工程有限公司",
    *,
    representative: Person | None = None,
    body: str = "91220105MA14X2Q5T",
    org_type: str = Organisation.Type.ENTERPRISE,
) -> Organisation:
    representative = representative or person("陈志强", birth="19720830")
    return services.organisation_upsert(
        name=name,
        uscc=uscc(body),
        org_type=org_type,
        legal_representative_id=representative.code,
    )[0]


def center(code: str = "QZX", level: str = ServiceCenter.Level.DISTRICT) -> ServiceCenter:
    return ServiceCenter.objects.get_or_create(
        code=code,
        defaults={
            "name": {"QZX": "二道区政务服务中心"}.get(code, f"{code}公共服务中心"),
            "level": level,
            "address": "长春市二道区",
            "hours": "工作日 8:30–16:30",
        },
    )[0]


def staff(
    role: str = Role.CLERK,
    *,
    center: ServiceCenter | None = None,
    department: Department | None = None,
    name: str = "刘晓梅",
) -> Account:
    member = account(f"staff-{next(_sequence)}", name=name)
    services.staff_role_assign(account=member, role=role, center=center, department=department)
    return member


def document(text: str = "扫描件", name: str = "scan.pdf") -> ContentFile:
    """A one-page PDF titled `text` (the same text, the same bytes); no text, an empty file."""
    if not text:
        return ContentFile(b"", name=name)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setTitle(text)
    canvas.drawString(100, 700, "scan")
    canvas.save()
    return ContentFile(buffer.getvalue(), name=name)


def stored(
    subject: Subject,
    kind_code: str = "id_card",
    *,
    verified_by: Account | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    text: str | None = None,
    source: str = LockerEntry.Source.SUBMITTED,
) -> LockerEntry:
    """A verified document in the subject's locker (the kind must exist in the catalog)."""
    return services.locker_store(
        subject,
        kind_code,
        document(text or f"{kind_code} of {subject.pk} until {valid_until}"),
        source,
        verified_by or staff(Role.CLERK),
        valid_from or today() - dt.timedelta(days=10),
        valid_until,
        origin_item_code="220105-MZJ-001",
        origin_ref="YM-2026-000001",
    )


def grant(principal: Subject, agent: Account, *, days: int = 30, **kwargs):
    """An all-items authorisation for `days` from today, given at the window."""
    return services.authorisation_grant(
        granted_by=kwargs.pop("granted_by", None) or staff(Role.CLERK),
        principal=principal,
        agent=agent,
        valid_until=today() + dt.timedelta(days=days),
        all_items=kwargs.pop("all_items", True),
        **kwargs,
    )


def bearer(account: Account, name: str = "测试") -> dict:
    """Test client headers carrying a new API token of `account`."""
    _token, raw = services.token_create(account=account, name=name)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
