"""Reads of subjects, accounts, authorisations and the material locker.

Reads that reveal a subject's data check who is asking and raise
PermissionDenied, so pages and the API cannot forget to.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.catalog.models import ItemVersion, MaterialSpec
from yimen.catalog.selectors import frozen_parts
from yimen.errors import InvalidInput, NotFound, PermissionDenied
from yimen.subjects import permissions, validators
from yimen.subjects.masking import mask_phone
from yimen.subjects.models import (
    Account,
    ApiToken,
    Authorisation,
    LockerAccessGrant,
    LockerEntry,
    LockerReuse,
    Organisation,
    Person,
    SmsMessage,
    Subject,
)
from yimen.subjects.signals import full_id_viewed

# --- accounts -------------------------------------------------------------------------


def account_by_login(login: str) -> Account | None:
    """The account signed in as `login`: a phone number (in any spelling) or a username."""
    login = (login or "").strip()
    try:
        phone = validators.normalise_mobile(login)
    except InvalidInput:
        return Account.objects.filter(username=login).first()
    return Account.objects.filter(Q(phone=phone) | Q(username=phone)).first()


def agent_by_phone(phone: str) -> Account:
    """The account an authorisation is given to, found by its phone number."""
    phone = validators.normalise_mobile(phone, field="agent_phone")
    account = Account.objects.filter(phone=phone, is_active=True).first()
    if account is None:
        raise InvalidInput(
            "agent_unknown",
            _("手机号 %(p)s 尚未注册账号，请受托人先用该手机号登录一次。")
            % {"p": mask_phone(phone)},
            field="agent_phone",
        )
    return account


def tokens_of(account: Account) -> QuerySet[ApiToken]:
    return account.api_tokens.all()


def token_of(account: Account, token_id: int) -> ApiToken:
    token = tokens_of(account).filter(pk=token_id).first()
    if token is None:
        raise NotFound("token_not_found", _("未找到该访问令牌。"))
    return token


def sms_outbox(limit: int = 50) -> list[SmsMessage]:
    return list(SmsMessage.objects.all()[:limit])


# --- subjects -------------------------------------------------------------------------


def person_by_resident_id(resident_id: str) -> Person | None:
    return Person.objects.by_code(validators.normalise_resident_id(resident_id)).first()


def organisation_by_uscc(uscc: str) -> Organisation | None:
    return Organisation.objects.by_code(validators.normalise_uscc(uscc)).first()


def speaks_for(account: Account, subject: Subject) -> bool:
    """True when the account is the subject itself: the person, or an organisation's
    legal representative. Anyone else needs an authorisation."""
    subject = subject.concrete()
    if isinstance(subject, Person):
        return subject.account_id is not None and subject.account_id == account.pk
    return subject.legal_representative.account_id == account.pk


def own_person(account: Account) -> Person | None:
    """The person the account is; no query when the account was read with it."""
    try:
        return account.person
    except Person.DoesNotExist:
        return None


def controlled_subjects(account: Account) -> list[Subject]:
    """The subjects the account speaks for in its own right (it may authorise others)."""
    person = own_person(account)
    if person is None:
        return []
    return [person, *Organisation.objects.filter(legal_representative=person).order_by("name")]


def subjects_acting_for(account: Account, on: dt.date | None = None) -> list[Subject]:
    """Every subject the account may act for today: its own person, the organisations it
    represents, then those that authorised it; each group by name. One query."""
    on = on or timezone.localdate()
    own = Person.objects.filter(account=account).values("pk")
    represented = Organisation.objects.filter(legal_representative__account=account).values("pk")
    authorising = Authorisation.objects.filter(
        agent=account, revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on
    ).values("principal")
    found = [
        s.concrete()
        for s in Subject.objects.select_related("person", "organisation")
        .filter(pk__in=own.union(represented, authorising.order_by(), all=True))
        .order_by("name", "pk")
    ]
    person = next((s for s in found if isinstance(s, Person) and s.account_id == account.pk), None)

    def group(subject: Subject) -> int:
        if subject is person:
            return 0
        if person and getattr(subject, "legal_representative_id", None) == person.pk:
            return 1
        return 2

    return sorted(found, key=group)  # stable: by name within each group


def subject_for_viewer(account: Account, subject_id: int | None) -> Subject:
    """The subject a citizen's page is about: their own person unless they pick another
    subject they may act for."""
    if subject_id is not None:
        for subject in subjects_acting_for(account):
            if subject.pk == subject_id:
                return subject
        raise PermissionDenied("not_authorised", _("您未获得该主体的委托，不能代为办理。"))
    own = own_person(account)
    if own is not None:
        return own
    allowed = subjects_acting_for(account)  # without a person of their own: whom they act for
    if not allowed:
        raise NotFound(
            "no_subject",
            _("您的账号尚未关联实名信息，请携带身份证到综合窗口办理实名关联。"),
        )
    return allowed[0]


@dataclass(frozen=True)
class SubjectView:
    """A subject as one viewer may see it: masked unless the viewer needs the whole value."""

    subject: Subject
    full: bool

    @property
    def code(self) -> str:
        return self.subject.code if self.full else self.subject.masked_code

    @property
    def phone(self) -> str:
        phone = getattr(self.subject.concrete(), "phone", "")
        return phone if self.full else mask_phone(phone)


def subject_by_id(subject_id: int, kind: str | None = None) -> Subject:
    subjects = Subject.objects.select_related("person", "organisation").filter(pk=subject_id)
    subject = subjects.filter(kind=kind).first() if kind else subjects.first()
    if subject is None:
        raise NotFound("subject_not_found", _("未找到该主体。"))
    return subject.concrete()


def staff_view(viewer: Account, subject: Subject, purpose: str) -> SubjectView:
    """`subject` as a member of staff sees it: masked unless their role needs the whole ID
    and phone. Each whole resident ID shown is announced (`full_id_viewed`) for the audit
    chain, with why it was shown (`purpose`)."""
    full = permissions.can(viewer, "subject.view_full_id")
    if full and isinstance(subject, Person):
        full_id_viewed.send(Subject, viewer=viewer, subject=subject, purpose=purpose)
    return SubjectView(subject, full)


def subject_for_staff(viewer: Account, subject_id: int, kind: str | None = None) -> SubjectView:
    permissions.ensure_can(viewer, "subject.lookup")
    return staff_view(viewer, subject_by_id(subject_id, kind), "lookup")


def subject_search(viewer: Account, query: str, limit: int = 20) -> list[SubjectView]:
    """Staff search by name (masked results) or by an exact ID or USCC (shown as
    `staff_view` shows it)."""
    permissions.ensure_can(viewer, "subject.lookup")
    query = query.strip()
    if not query:
        return []
    subjects = Subject.objects.select_related("person", "organisation")
    exact = exact_code(query)
    if exact:
        kind, code = exact
        found = subjects.filter(kind=kind).by_code(code)
        return [staff_view(viewer, s.concrete(), "search") for s in found]
    matches = subjects.filter(name__icontains=query).order_by("name", "pk")[:limit]
    return [SubjectView(s.concrete(), False) for s in matches]


def exact_code(query: str) -> tuple[str, str] | None:
    """(subject kind, code) when the query is a whole valid resident ID or USCC."""
    for kind, normalise in (
        (Subject.Kind.PERSON, validators.normalise_resident_id),
        (Subject.Kind.ORGANISATION, validators.normalise_uscc),
    ):
        try:
            return kind, normalise(query)
        except InvalidInput:
            continue
    return None


# --- authorisations -------------------------------------------------------------------


def authorisations_given(account: Account) -> QuerySet[Authorisation]:
    """Authorisations given by the subjects the account speaks for."""
    return (
        Authorisation.objects.filter(principal__in=controlled_subjects(account))
        .select_related("principal", "agent")
        .prefetch_related("items")
    )


def authorisations_held(account: Account) -> QuerySet[Authorisation]:
    return (
        Authorisation.objects.filter(agent=account)
        .select_related("principal", "agent")
        .prefetch_related("items")
    )


def authorisation_by_id(authorisation_id: int) -> Authorisation:
    authorisations = Authorisation.objects.select_related("principal", "agent")
    authorisation = authorisations.filter(pk=authorisation_id).first()
    if authorisation is None:
        raise NotFound("authorisation_not_found", _("未找到该委托。"))
    return authorisation


def authorisation_status(authorisation: Authorisation, on: dt.date | None = None) -> str:
    on = on or timezone.localdate()
    if authorisation.revoked_at:
        return _("已撤销")
    if on > authorisation.valid_until:
        return _("已到期")
    if on < authorisation.valid_from:
        return _("未生效")
    return _("有效")


def valid_authorisation(
    actor: Account, subject: Subject, *, item_code: str = "", on: dt.date | None = None
) -> Authorisation:
    """The authorisation under which `actor` may act for `subject` (for `item_code`, if
    given) on `on`, or PermissionDenied saying why not."""
    on = on or timezone.localdate()
    held = list(
        Authorisation.objects.filter(principal=subject, agent=actor).prefetch_related("items")
    )
    valid = [a for a in held if a.is_valid_on(on)]
    for authorisation in valid:
        if _covers(authorisation, item_code):
            return authorisation
    raise _why_not(held, valid, item_code, on)


def _covers(authorisation: Authorisation, item_code: str) -> bool:
    return (
        not item_code
        or authorisation.all_items
        or any(item.code == item_code for item in authorisation.items.all())
    )


def _why_not(held, valid, item_code, on) -> PermissionDenied:
    if valid:
        return PermissionDenied(
            "authorisation_out_of_scope",
            _("委托范围不包括事项 %(c)s，不能代为办理。") % {"c": item_code},
        )
    expired = [a for a in held if a.revoked_at is None and a.valid_until < on]
    if expired:
        last = max(a.valid_until for a in expired)
        return PermissionDenied(
            "authorisation_expired",
            _("委托已于 %(d)s 到期，不能再代为办理。") % {"d": last.isoformat()},
        )
    if any(a.revoked_at for a in held):
        return PermissionDenied("authorisation_revoked", _("委托已被撤销，不能再代为办理。"))
    if held:
        first = min(a.valid_from for a in held)
        return PermissionDenied(
            "authorisation_not_started",
            _("委托自 %(d)s 起生效，目前还不能代为办理。") % {"d": first.isoformat()},
        )
    return PermissionDenied("not_authorised", _("您未获得该主体的委托，不能代为办理。"))


# --- the material locker --------------------------------------------------------------


def has_locker_grant(staff: Account, subject: Subject, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return LockerAccessGrant.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        staff=staff,
        subject=subject,
        revoked_at__isnull=True,
    ).exists()


def ensure_locker_access(viewer: Account, subject: Subject) -> None:
    """The subject itself, its agents, and staff serving one of its cases may read its locker."""
    if speaks_for(viewer, subject) or has_locker_grant(viewer, subject):
        return
    try:
        valid_authorisation(viewer, subject)
    except PermissionDenied:
        if permissions.is_staff_member(viewer):
            raise PermissionDenied(
                "locker_access_denied",
                _("只有在为该主体办理办件期间才能查看其材料库。"),
            ) from None
        raise


def locker_status(entry: LockerEntry, on: dt.date) -> str:
    if entry.revoked_at:
        return _("已作废")
    if entry.valid_until and entry.valid_until < on:
        return _("已过期")
    if entry.valid_from > on:
        return _("未生效")
    return _("有效")


def locker_entries(
    viewer: Account, subject: Subject, *, source: str | None = None
) -> list[LockerEntry]:
    ensure_locker_access(viewer, subject)
    entries = LockerEntry.objects.filter(subject=subject).select_related("kind", "verified_by")
    if source:
        entries = entries.filter(source=source)
    return list(entries)


def locker_entry_for(viewer: Account, entry_id: int) -> LockerEntry:
    entry = LockerEntry.objects.select_related("subject", "kind").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("locker_entry_not_found", _("未找到该材料。"))
    ensure_locker_access(viewer, entry.subject)
    return entry


@dataclass(frozen=True)
class PrefillRow:
    """One material an item asks for, and the locker document that answers it, if any."""

    spec: MaterialSpec
    entry: LockerEntry | None

    @property
    def reused(self) -> bool:
        """无需提交: the applicant is not asked for this material again."""
        return self.entry is not None


def locker_prefill(
    subject: Subject, version: ItemVersion, *, on: dt.date | None = None
) -> list[PrefillRow]:
    """For each material of the version, the subject's usable locker document of that kind.

    Callers check access first (`ensure_locker_access`); this only matches.
    A spec marked not reusable is always asked for.
    """
    on = on or timezone.localdate()
    specs = list(frozen_parts(version).materials.all())
    kinds = {spec.kind_id for spec in specs if spec.reusable}
    newest: dict[int, LockerEntry] = {}
    if kinds:
        held = LockerEntry.objects.filter(subject=subject, kind_id__in=kinds, revoked_at=None)
        usable = (e for e in held.order_by("stored_at", "pk") if e.is_usable_on(on))
        newest = {entry.kind_id: entry for entry in usable}  # a later one replaces an older
    return [PrefillRow(spec, newest.get(spec.kind_id) if spec.reusable else None) for spec in specs]


def locker_reuse_count(
    *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> int:
    """How many documents were not handed in again because the locker held them."""
    reuses = LockerReuse.objects.all()
    if since:
        reuses = reuses.filter(at__gte=since)
    if until:
        reuses = reuses.filter(at__lt=until)
    return reuses.count()


# --- integrity ----------------------------------------------------------------------------


def integrity_problems() -> list:
    """Locker documents whose file is gone or no longer has the SHA-256 it was stored with."""
    from yimen.integrity import Problem, file_fault

    return [
        Problem("locker_file", _("材料库材料 %(id)s（%(t)s）") % {"id": e.pk, "t": e.title}, fault)
        for e in LockerEntry.objects.order_by("pk").iterator()
        if (fault := file_fault(e.file, e.sha256))
    ]
