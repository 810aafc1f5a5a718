"""Every write to a case. Each service is one transaction that locks the case row,
checks the state table, and writes exactly one case event. Its steps that lock a row
every transaction needs (the audit chain's head) run last (`lastly.atomic`).
"""

import datetime as dt
import os
import uuid
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen import counters, lastly
from yimen.cases import clocks, selectors
from yimen.cases.formdata import clean_form
from yimen.cases.models import (
    ApplicationDraft,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberSequence,
    Channel,
    ClockPause,
    CorrectionNotice,
    Decision,
    Filing,
    Task,
    Visit,
)
from yimen.cases.selectors import VISIT_CHANNELS
from yimen.cases.states import TERMINAL, TRANSITIONS, CaseState, target_state
from yimen.catalog.models import (
    DeliveryMode,
    HandlingType,
    ItemVersion,
    MaterialSpec,
    Role,
    StageKind,
    StageSpec,
    SubjectType,
)
from yimen.catalog.selectors import bundle_view, current_version, frozen_parts
from yimen.errors import IllegalAction, InvalidInput, NotFound
from yimen.subjects import permissions
from yimen.subjects import selectors as subject_selectors
from yimen.subjects import services as subject_services
from yimen.subjects.models import Account, LockerEntry, Subject
from yimen.subjects.selectors import locker_prefill
from yimen.uploads import CheckedUpload, check_upload, random_name
from yimen.worktime.selectors import get_calendar

Status = CaseMaterial.Status
Necessity = MaterialSpec.Necessity

# Stages handled by their own actions rather than by tasks.
NON_TASK_STAGES = frozenset({StageKind.ACCEPT, StageKind.ISSUE, StageKind.DELIVER})
TASK_PERMISSION = {
    Role.CLERK: "case.accept",
    Role.REVIEWER: "case.review",
    Role.INSPECTOR: "case.inspect",
    Role.APPROVER: "case.decide",
}


# What an action may change: every field but the form, which is sealed once, when the
# case is filed, and never written again.
ACTION_FIELDS = [
    f.name for f in Case._meta.concrete_fields if not f.primary_key and f.name != "form_data"
]


class Conflict(IllegalAction):
    """Someone else changed the case or task first; nothing of this request was saved."""


# --- shared steps -----------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _required_text(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{field}_required", message, field=field)
    return value


def lock_case(case_pk: int) -> Case:
    """The case, locked; only its own row: every case of an item shares the version's."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("version", "version__item", "filing")
        .get(pk=case_pk)
    )


def require_version(case: Case, expected_version: int | None) -> None:
    """Refuse when the caller acted on an older view of the case than the one stored."""
    if expected_version is not None and expected_version != case.lock_version:
        raise Conflict("conflict", _("办件已被他人更新，请刷新后重试。您本次的操作未保存。"))


def _begin(case: Case, action: str, expected_version: int | None) -> str:
    """Check the state table (and the caller's view of the case); return the state left."""
    require_version(case, expected_version)
    case.require_state(*TRANSITIONS[action][0], action=action)
    return case.state


def _finish(
    case: Case, action: str, actor: Account | None, now: dt.datetime, from_state: str, **data
) -> CaseEvent:
    """Save the case under a new lock version and write the action's event."""
    case.state = target_state(action, from_state)
    case.lock_version += 1  # the case row is locked (`lock_case`) until the commit
    case.save(update_fields=ACTION_FIELDS)
    last = case.events.aggregate(seq=Max("seq"))["seq"] or 0
    return CaseEvent.objects.create(
        case=case,
        seq=last + 1,
        action=action,
        from_state=from_state,
        to_state=case.state,
        actor=actor,
        at=now,
        data=data,
    )


def _ensure_any(actor: Account, perms: Iterable[str], obj) -> None:
    perms = list(perms)
    if not any(permissions.can(actor, p, obj) for p in perms):
        permissions.ensure_can(actor, perms[0], obj)


def _take_ownership(case: Case, clerk: Account) -> None:
    """首问负责人: the first clerk to take the case answers for it; they may read the locker."""
    if case.owner_id is None:
        case.owner = clerk
    subject_services.locker_grant_access(clerk, case.subject, case.case_no)


def _take_case_numbers(today: dt.date, count: int) -> list[str]:
    """The day's next `count` numbers, without gaps. The day's counter row stays locked
    until the commit, so a filing takes them as its last statements: applications filed
    at the same time wait for one another only for that moment."""
    key = f"{settings.YIMEN_AREA_CODE}-{today:%Y%m%d}"
    last = counters.advance(CaseNumberSequence, count, key=key)
    return [f"{key}-{value:06d}" for value in range(last - count + 1, last + 1)]


def _unnumbered() -> str:
    """A stand-in for the case number until the filing takes its numbers; never committed."""
    return f"~{uuid.uuid4().hex[:29]}"


def _record_visit(cases: list[Case], purpose: str, center, now: dt.datetime) -> Visit:
    """One trip per applicant per day: a second case handled on the same trip joins it.
    The applicant who makes the trip is the filing's: a bundle item for a grandson is
    brought by his grandmother."""
    subject = cases[0].filing.subject
    visit = Visit.objects.filter(subject=subject, at__date=timezone.localdate(now)).first()
    if visit is None:
        visit = Visit.objects.create(subject=subject, purpose=purpose, center=center, at=now)
    visit.cases.add(*cases)
    return visit


def _missing(case: Case, necessities: Iterable[str]) -> list[CaseMaterial]:
    return list(
        case.materials.filter(status=Status.MISSING, spec__necessity__in=list(necessities))
        .select_related("spec")
        .order_by("spec__order")
    )


def _names(materials: Iterable[CaseMaterial]) -> str:
    return "、".join(m.spec.name for m in materials)


def _require_complete(case: Case) -> None:
    missing = _missing(case, [Necessity.REQUIRED, Necessity.TOLERABLE])
    if missing:
        raise IllegalAction(
            "materials_incomplete",
            _("材料不齐全（缺少：%(m)s），请一次性告知补正，或对容缺材料办理容缺受理。")
            % {"m": _names(missing)},
            details=[m.spec.kind.code for m in missing],
        )


def _ensure_may_hand_in(actor: Account, case: Case, channel: str, action: str) -> None:
    if channel == Channel.WINDOW:
        permissions.ensure_can(actor, "case.accept", case)
        _take_ownership(case, actor)
    else:
        subject_services.act_for(
            actor=actor,
            subject=case.subject,
            action=action,
            item_code=case.version.item.code,
            case_ref=case.case_no,
        )


def _mark_provided(case: Case, kind_codes: Iterable[str], statuses, now: dt.datetime) -> int:
    return case.materials.filter(
        spec__kind__code__in=list(kind_codes), status__in=list(statuses)
    ).update(status=Status.PROVIDED, supplied_at=now, due_on=None)


# --- clocks ----------------------------------------------------------------------------


def _recompute_deadlines(case: Case) -> None:
    """Deadlines from the acceptance date, the extension and every pause period."""
    calendar = get_calendar()
    pauses = [(p.started_on, p.ended_on) for p in case.pauses.all()]
    found = [
        clocks.deadline(case.accepted_on, days, case.extension_days, pauses, calendar)
        for days in (case.version.committed_limit_days, case.version.legal_limit_days)
    ]
    case.deadline, case.legal_deadline = (d.date if d else None for d in found)
    case.deadline_provisional = any(d is not None and d.provisional for d in found)


def _pause(case: Case, kind: str, reason: str, actor, now, stage_order=None) -> ClockPause:
    return ClockPause.objects.create(
        case=case,
        kind=kind,
        reason=reason,
        stage_order=stage_order,
        started_on=timezone.localdate(now),
        started_by=actor,
    )


def _end_pauses(case: Case, now: dt.datetime, reason: str, **filters) -> int:
    return case.pauses.filter(ended_on__isnull=True, **filters).update(
        ended_on=timezone.localdate(now), end_reason=reason
    )


# --- application ----------------------------------------------------------------------


def _existing_filing(actor: Account, key: str) -> Filing | None:
    if not key:
        return None
    return Filing.objects.filter(submitted_by=actor, idempotency_key=key).first()


def _ensure_may_apply(actor: Account, subject: Subject, channel: str) -> None:
    if channel not in Channel.values:
        raise InvalidInput(
            "invalid_channel", _("申请渠道“%(c)s”无效。") % {"c": channel}, field="channel"
        )
    if channel == Channel.WINDOW:
        permissions.ensure_can(actor, "case.accept")
    elif channel == Channel.ASSISTED:
        permissions.ensure_can(actor, "case.assist")


def _ensure_subject_fits(version: ItemVersion, subject: Subject) -> None:
    if version.subject_type not in (SubjectType.BOTH, subject.kind):
        raise InvalidInput(
            "subject_type_mismatch",
            _("事项“%(n)s”的服务对象是%(t)s，该主体不能申请。")
            % {"n": version.name, "t": version.get_subject_type_display()},
            field="subject",
        )


class _Part(NamedTuple):
    """One item of a filing: its version, cleaned form, materials handed in, and whom it is for."""

    version: ItemVersion
    form: dict
    provided: set[str]
    subject: Subject


class _Opened(NamedTuple):
    """A case just opened under a stand-in number, and the locker documents it reuses."""

    case: Case
    reused: list[LockerEntry]


def _open_case(filing: Filing, part: _Part, center, now) -> _Opened:
    """The case, its materials and its first event, under a stand-in number (see
    `_number_cases`). The event stays on the case for the answer to the applicant."""
    today = timezone.localdate(now)
    version = part.version
    actor = filing.submitted_by
    case = Case.objects.create(
        case_no=_unnumbered(),
        filing=filing,
        version=version,
        subject=part.subject,
        department=version.lead_department,
        center=center,
        channel=filing.channel,
        form_data=part.form,
        # At a window the clerk takes the applicant in front of them: 首问负责人.
        owner=actor if filing.channel == Channel.WINDOW else None,
        received_at=now,
        intake_from=today,
    )
    reused = _attach_materials(case, part.provided, now)
    case.opening_event = CaseEvent.objects.create(
        case=case,
        seq=1,
        action="submit",
        to_state=case.state,
        actor=actor,
        at=now,
        data={"channel": filing.channel, "item": version.item.code, "version": version.number},
    )
    return _Opened(case, reused)


def _attach_materials(case: Case, provided: set[str], now) -> list[LockerEntry]:
    """The locker answers what it can; the rest is handed in or missing. Each reuse is
    recorded under the case's number once it has one (`_record_acts`)."""
    rows = []
    for row in locker_prefill(case.subject, case.version, on=timezone.localdate(now)):
        if row.entry is not None:
            status = Status.REUSED
        else:
            status = Status.PROVIDED if row.spec.kind.code in provided else Status.MISSING
        rows.append(
            CaseMaterial(
                case=case,
                spec=row.spec,
                status=status,
                locker_entry=row.entry,
                supplied_at=now if status != Status.MISSING else None,
            )
        )
    CaseMaterial.objects.bulk_create(rows)
    return [row.locker_entry for row in rows if row.locker_entry is not None]


def _number_cases(opened: list[_Opened], today: dt.date) -> None:
    """Give the filing's cases their numbers, then record what names them by number."""
    for (case, reused), number in zip(opened, _take_case_numbers(today, len(opened)), strict=True):
        case.case_no = number
        Case.objects.filter(pk=case.pk).update(case_no=number)
        _record_acts(case, reused, today)


def _record_acts(case: Case, reused: list[LockerEntry], today: dt.date) -> None:
    """Who filed the case for whom, and the locker documents it reuses, by its number."""
    actor, version = case.filing.submitted_by, case.version
    if case.channel == Channel.WINDOW:
        # The applicant stands at the window; the clerk checks who they are.
        subject_services.locker_grant_access(actor, case.subject, case.case_no)
    else:
        # Online, on a kiosk, or assisted by a grid worker: the applicant themself, or
        # an agent under a valid authorisation (the act is recorded with both people).
        subject_services.act_for(
            actor=actor,
            subject=case.subject,
            action="case_submit",
            item_code=version.item.code,
            case_ref=case.case_no,
        )
    for entry in reused:
        subject_services.locker_record_reuse(
            entry, item_code=version.item.code, case_ref=case.case_no, actor=actor, on=today
        )


def _file(
    *, actor, subject, channel, idempotency_key, center, now, parts: list[_Part], bundle=None
) -> tuple[Filing, list[Case]]:
    """Create the filing and its cases, or return the ones this idempotency key already made.

    The case numbers are taken last (the day's counter stays locked until the commit),
    and the audit entries after them (`lastly`).
    """
    _ensure_may_apply(actor, subject, channel)
    for part in parts:
        _ensure_subject_fits(part.version, part.subject)
    try:
        with lastly.atomic():
            filing = Filing.objects.create(
                bundle=bundle,
                subject=subject,
                submitted_by=actor,
                channel=channel,
                idempotency_key=idempotency_key,
                submitted_at=now,
            )
            opened = [_open_case(filing, part, center, now) for part in parts]
            cases = [case for case, _reused in opened]
            if channel in VISIT_CHANNELS:
                _record_visit(cases, Visit.Purpose.SUBMIT, center, now)
            _number_cases(opened, timezone.localdate(now))
    except IntegrityError:
        existing = _existing_filing(actor, idempotency_key)
        if existing is None:
            raise
        return existing, list(existing.cases.order_by("pk"))
    return filing, cases


def case_submit(
    *,
    actor: Account,
    subject: Subject,
    item_code: str,
    channel: str,
    form: dict | None = None,
    provided: Iterable[str] = (),
    idempotency_key: str = "",
    center=None,
    now: dt.datetime | None = None,
) -> Case:
    """Apply for one item under its version in force today. The same key makes one case.

    At a window the clerk files for the walk-in in front of them; on every other
    channel the actor is the subject itself or acts under its valid authorisation.
    """
    now = _now(now)
    existing = _existing_filing(actor, idempotency_key)
    if existing is not None:
        return existing.cases.order_by("pk").first()
    version = current_version(item_code, timezone.localdate(now))
    cleaned = clean_form(list(version.form_fields.all()), form or {})
    _filing, cases = _file(
        actor=actor,
        subject=subject,
        channel=channel,
        idempotency_key=idempotency_key,
        center=center,
        now=now,
        parts=[_Part(version, cleaned, set(provided), subject)],
    )
    return cases[0]


def bundle_submit(
    *,
    actor: Account,
    subject: Subject,
    bundle_code: str,
    channel: str,
    forms: dict[str, dict] | None = None,
    provided: Iterable[str] = (),
    subjects: dict[str, Subject] | None = None,
    idempotency_key: str = "",
    center=None,
    now: dt.datetime | None = None,
) -> Filing:
    """一件事: one case per item, filed together; a material handed in once serves them all.

    `subjects` names, by item code, an item filed for someone else than `subject` (a
    grandmother's bundle with her grandson's 医保): that case is his, the filing and
    its visit stay hers.
    """
    now = _now(now)
    existing = _existing_filing(actor, idempotency_key)
    if existing is not None:
        return existing
    view = bundle_view(bundle_code, timezone.localdate(now))
    if not view.versions:
        raise IllegalAction("bundle_empty", _("该一件事目前没有可办理的事项。"))
    forms, subjects, provided = forms or {}, subjects or {}, set(provided)
    _refuse_unknown_items(view, {**forms, **subjects})
    cleaned = _clean_bundle_forms(view.versions, forms)
    parts = [
        _Part(v, cleaned[v.item.code], provided, subjects.get(v.item.code, subject))
        for v in view.versions
    ]
    filing, _cases = _file(
        actor=actor,
        subject=subject,
        channel=channel,
        idempotency_key=idempotency_key,
        center=center,
        now=now,
        parts=parts,
        bundle=view.bundle,
    )
    return filing


def _refuse_unknown_items(view, by_item: dict) -> None:
    unknown = "、".join(sorted(set(by_item) - {v.item.code for v in view.versions}))
    if unknown:
        raise InvalidInput(
            "bundle_item_unknown",
            _("一件事“%(b)s”不包含事项：%(c)s。") % {"b": view.bundle.name, "c": unknown},
            field="forms",
        )


def _clean_bundle_forms(versions: list[ItemVersion], forms: dict[str, dict]) -> dict[str, dict]:
    """Every item's form checked; the problems of all of them told at once, each with its item."""
    cleaned, problems, details = {}, [], []
    for version in versions:
        code = version.item.code
        try:
            cleaned[code] = clean_form(list(version.form_fields.all()), forms.get(code, {}))
        except InvalidInput as error:
            problems.append(f"【{version.name}】" + "；".join(d["message"] for d in error.details))
            details += [{"item": code, **d} for d in error.details]
    if problems:
        raise InvalidInput(
            "form_invalid",
            _("申请表填写有误：%(e)s") % {"e": "".join(problems)},
            field=details[0]["field"] or None,
            details=details,
        )
    return cleaned


# --- intake ---------------------------------------------------------------------------


def _work_stages(version: ItemVersion) -> list[StageSpec]:
    return [s for s in frozen_parts(version).stages.all() if s.kind not in NON_TASK_STAGES]


def _open_stage(case: Case, stage: StageSpec, actor, now) -> None:
    """Open the stage's tasks: one per parallel department, else the responsible one."""
    departments = list(stage.parallel_departments.all()) or [
        stage.department or case.version.lead_department
    ]
    Task.objects.bulk_create(
        Task(
            case=case,
            stage_order=stage.order,
            stage_kind=stage.kind,
            stage_name=stage.name,
            role=stage.role,
            department=department,
            opened_at=now,
        )
        for department in departments
    )
    if stage.stops_clock:
        _pause(case, ClockPause.Kind.STAGE, stage.name, actor, now, stage_order=stage.order)


def _open_stage_after(case: Case, order: int, actor, now) -> None:
    following = [s for s in _work_stages(case.version) if s.order > order]
    if following:
        _open_stage(case, following[0], actor, now)


def _accept(case: Case, actor, now: dt.datetime) -> dict:
    """Start the clock. Late intake counts from receipt; after a correction, from completion."""
    today = timezone.localdate(now)
    case.deemed_accepted = clocks.intake_overdue(case.intake_from, today, get_calendar())
    corrected = case.corrections.exists()
    case.accepted_on = case.intake_from if case.deemed_accepted or corrected else today
    _open_stage_after(case, -1, actor, now)
    _recompute_deadlines(case)
    return {
        "accepted_on": case.accepted_on.isoformat(),
        "deemed": case.deemed_accepted,
        "deadline": case.deadline.isoformat() if case.deadline else None,
    }


def case_accept(
    *, case: Case, clerk: Account, now: dt.datetime | None = None, expected_version=None
) -> Case:
    """受理: a complete application; the case number and the committed deadline are fixed."""
    now = _now(now)
    permissions.ensure_can(clerk, "case.accept", case)
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "accept", expected_version)
        _require_complete(case)
        _take_ownership(case, clerk)
        data = _accept(case, clerk, now)
        _finish(case, "accept", clerk, now, from_state, **data)
    return case


def case_accept_pending(
    *,
    case: Case,
    clerk: Account,
    pending: dict[str, dt.date],
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """容缺受理: accept while tolerable materials (kind code -> due date) are still to come."""
    now = _now(now)
    permissions.ensure_can(clerk, "case.accept", case)
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "accept_pending", expected_version)
        _mark_pending(case, pending, timezone.localdate(now))
        _require_complete(case)
        _take_ownership(case, clerk)
        data = _accept(case, clerk, now)
        data["pending"] = {code: due.isoformat() for code, due in pending.items()}
        _finish(case, "accept_pending", clerk, now, from_state, **data)
    return case


def _mark_pending(case: Case, pending: dict[str, dt.date], today: dt.date) -> None:
    if not pending:
        raise InvalidInput("pending_required", _("请列明容缺后补的材料及补交期限。"))
    missing = {m.spec.kind.code: m for m in _missing(case, [Necessity.TOLERABLE])}
    for code, due in pending.items():
        if code not in missing:
            raise InvalidInput(
                "not_tolerable",
                _("材料“%(k)s”不是本事项可容缺后补的缺件材料。") % {"k": code},
                field="pending",
            )
        if not isinstance(due, dt.date) or due <= today:
            raise InvalidInput(
                "pending_due_invalid",
                _("容缺材料“%(m)s”的补交期限须晚于今天。") % {"m": missing[code].spec.name},
                field="pending",
            )
        material = missing[code]
        material.status, material.due_on = Status.PENDING, due
        material.save(update_fields=["status", "due_on"])


def case_request_correction(
    *,
    case: Case,
    clerk: Account,
    notes: Iterable[str] = (),
    reason: str = "",
    now: dt.datetime | None = None,
    expected_version=None,
) -> CorrectionNotice:
    """一次性告知: ONE notice listing every missing material and every other deficiency.

    A second notice on the same case needs a reason and is recorded as a violation.
    """
    now = _now(now)
    permissions.ensure_can(clerk, "case.accept", case)
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "request_correction", expected_version)
        deficiencies = [
            {"kind": m.spec.kind.code, "material": m.spec.name}
            for m in _missing(case, [Necessity.REQUIRED, Necessity.TOLERABLE])
        ] + [{"kind": "", "material": "", "note": n.strip()} for n in notes if n.strip()]
        if not deficiencies:
            raise InvalidInput("no_deficiency", _("材料已齐全，没有需要补正的内容；请直接受理。"))
        number = case.corrections.count() + 1
        if number > 1:
            reason = _required_text(
                reason, "reason", _("已一次性告知过补正内容；再次要求补正须写明理由。")
            )
        notice = CorrectionNotice.objects.create(
            case=case,
            number=number,
            deficiencies=deficiencies,
            reason=reason.strip(),
            is_violation=number > 1,
            issued_by=clerk,
            issued_at=now,
        )
        _take_ownership(case, clerk)
        _finish(
            case,
            "request_correction",
            clerk,
            now,
            from_state,
            notice=number,
            deficiencies=deficiencies,
            violation=notice.is_violation,
        )
    return notice


def case_supply_correction(
    *,
    case: Case,
    actor: Account,
    provided: Iterable[str],
    channel: str,
    center=None,
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """The applicant brings what the notice asked for; the intake clock restarts that day.

    A material handed in before may come again, corrected (the notice named a deficiency
    other than a missing material): it then carries the time it came again, and the
    case's events keep each time it was handed in."""
    now = _now(now)
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "supply_correction", expected_version)
        _ensure_may_hand_in(actor, case, channel, "case_supply_correction")
        provided = set(provided)
        _mark_provided(case, provided, [Status.MISSING, Status.PROVIDED], now)
        still = _missing(case, [Necessity.REQUIRED])
        if still:
            raise IllegalAction(
                "correction_incomplete",
                _("补正材料仍不齐全，缺少：%(m)s。") % {"m": _names(still)},
                details=[m.spec.kind.code for m in still],
            )
        case.intake_from = timezone.localdate(now)
        case.corrections.filter(resolved_at__isnull=True).update(resolved_at=now)
        if channel in VISIT_CHANNELS:
            _record_visit([case], Visit.Purpose.CORRECTION, center, now)
        _finish(case, "supply_correction", actor, now, from_state, provided=sorted(provided))
    return case


def case_refuse(
    *,
    case: Case,
    clerk: Account,
    reason: str,
    legal_basis: str,
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """不予受理, with the reason and its legal basis."""
    now = _now(now)
    permissions.ensure_can(clerk, "case.accept", case)
    reason = _required_text(reason, "reason", _("不予受理须写明理由。"))
    legal_basis = _required_text(legal_basis, "legal_basis", _("不予受理须写明法律依据。"))
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "refuse", expected_version)
        _take_ownership(case, clerk)
        case.refuse_reason, case.refuse_basis, case.completed_at = reason, legal_basis, now
        _finish(case, "refuse", clerk, now, from_state, reason=reason, legal_basis=legal_basis)
        _case_ended(case, now)
    return case


def case_complete_instant(
    *, case: Case, clerk: Account, now: dt.datetime | None = None, expected_version=None
) -> Case:
    """即办件: accepted, granted and completed in one window action."""
    now = _now(now)
    permissions.ensure_can(clerk, "case.accept", case)
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "complete_instant", expected_version)
        if case.version.handling_type != HandlingType.INSTANT:
            raise IllegalAction("not_instant", _("该事项是承诺件，不能当场办结。"))
        _require_complete(case)
        _take_ownership(case, clerk)
        case.accepted_on = timezone.localdate(now)
        _recompute_deadlines(case)
        case.decision, case.decided_at, case.completed_at = Decision.GRANT, now, now
        case.delivery_mode = DeliveryMode.WINDOW
        _finish(case, "complete_instant", clerk, now, from_state)
        _case_ended(case, now)
    return case


def cases_deem_overdue_intakes(*, now: dt.datetime | None = None) -> list[str]:
    """The law's intake clock: with no intake decision within 5 working days the
    application counts as accepted on the day it was received (and is flagged)."""
    now = _now(now)
    today, calendar = timezone.localdate(now), get_calendar()
    candidates = Case.objects.filter(state=CaseState.SUBMITTED).values_list("pk", "intake_from")
    deemed = []
    for pk, intake_from in candidates.iterator():
        if not clocks.intake_overdue(intake_from, today, calendar):
            continue
        with lastly.atomic():
            case = lock_case(pk)
            if case.state != CaseState.SUBMITTED:
                continue
            from_state = case.state
            data = _accept(case, None, now)
            _finish(case, "deem_accepted", None, now, from_state, **data)
            deemed.append(case.case_no)
    return deemed


def case_supply_pending(
    *,
    case: Case,
    actor: Account,
    kind_code: str,
    channel: str,
    center=None,
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """A material accepted as 容缺 arrives; the decision is blocked until all have."""
    now = _now(now)
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "supply_pending", expected_version)
        _ensure_may_hand_in(actor, case, channel, "case_supply_pending")
        if not _mark_provided(case, [kind_code], [Status.PENDING], now):
            raise InvalidInput(
                "not_pending",
                _("材料“%(k)s”不是本办件待补交的容缺材料。") % {"k": kind_code},
                field="kind",
            )
        if channel in VISIT_CHANNELS:
            _record_visit([case], Visit.Purpose.PENDING_MATERIAL, center, now)
        _finish(case, "supply_pending", actor, now, from_state, kind=kind_code)
    return case


# --- process --------------------------------------------------------------------------


def _locked_task(task: Task, revision: int | None) -> tuple[Case, Task]:
    """Lock the case, then re-read the task: someone may have finished it meanwhile."""
    case = lock_case(task.case_id)
    fresh = Task.objects.select_related("done_by").get(pk=task.pk)
    expected = task.revision if revision is None else revision
    if fresh.status != Task.Status.OPEN or fresh.revision != expected:
        who = fresh.done_by or _("他人")
        raise Conflict(
            "task_conflict",
            _("该任务已由%(w)s处理，请刷新后查看。您本次的操作未保存。") % {"w": who},
        )
    return case, fresh


def _ensure_task_permission(actor: Account, task: Task) -> None:
    permissions.ensure_can(actor, TASK_PERMISSION.get(task.role, "case.review"), task)


def task_complete(
    *,
    task: Task,
    actor: Account,
    opinion: str = "",
    revision: int | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """A department finishes its task; the stage closes when every parallel task is done."""
    now = _now(now)
    _ensure_task_permission(actor, task)
    with lastly.atomic():
        case, task = _locked_task(task, revision)
        from_state = _begin(case, "complete_task", None)
        _refuse_while_suspended(case)
        if task.stage_kind == StageKind.DECISION:
            raise IllegalAction("use_decide", _("决定环节请通过“审批决定”办理。"))
        task.status, task.done_at, task.done_by = Task.Status.DONE, now, actor
        task.opinion, task.revision = opinion.strip(), task.revision + 1
        task.save()
        stage_done = not case.tasks.filter(
            stage_order=task.stage_order, status=Task.Status.OPEN
        ).exists()
        if stage_done:
            _end_pauses(case, now, task.stage_name, stage_order=task.stage_order)
            _open_stage_after(case, task.stage_order, actor, now)
            _recompute_deadlines(case)
        _finish(
            case,
            "complete_task",
            actor,
            now,
            from_state,
            task=task.pk,
            stage=task.stage_name,
            department=task.department.code,
            stage_done=stage_done,
        )
    return task


def task_return(
    *,
    task: Task,
    actor: Account,
    to_stage_order: int,
    reason: str,
    revision: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """退回: a department sends the case back to an earlier stage, with a reason."""
    now = _now(now)
    _ensure_task_permission(actor, task)
    reason = _required_text(reason, "reason", _("退回须写明理由。"))
    with lastly.atomic():
        case, task = _locked_task(task, revision)
        from_state = _begin(case, "return_stage", None)
        _refuse_while_suspended(case)
        earlier = {s.order: s for s in _work_stages(case.version) if s.order < task.stage_order}
        if to_stage_order not in earlier:
            raise InvalidInput(
                "invalid_return_stage", _("只能退回到本环节之前的办理环节。"), field="stage"
            )
        case.tasks.filter(status=Task.Status.OPEN).update(
            status=Task.Status.RETURNED, done_at=now, done_by=actor, revision=F("revision") + 1
        )
        Task.objects.filter(pk=task.pk).update(opinion=reason)
        _end_pauses(case, now, reason, kind=ClockPause.Kind.STAGE)
        _open_stage(case, earlier[to_stage_order], actor, now)
        _recompute_deadlines(case)
        _finish(
            case,
            "return_stage",
            actor,
            now,
            from_state,
            from_stage=task.stage_name,
            to_stage=earlier[to_stage_order].name,
            department=task.department.code,
            reason=reason,
        )
    return case


SUSPENSION_KINDS = frozenset(ClockPause.Kind.values) - {ClockPause.Kind.STAGE}
PROCESS_PERMISSIONS = ("case.review", "case.inspect", "case.decide")


def _refuse_while_suspended(case: Case) -> None:
    """Stage work waits while an ad-hoc special procedure holds the case."""
    if case.pauses.filter(ended_on__isnull=True, kind__in=SUSPENSION_KINDS).exists():
        raise IllegalAction(
            "suspended", _("办件处于特别程序中，请先结束特别程序（恢复计时）再继续办理。")
        )


def case_suspend(
    *,
    case: Case,
    actor: Account,
    kind: str,
    reason: str,
    now: dt.datetime | None = None,
    expected_version=None,
) -> ClockPause:
    """特别程序: stop the clock for an inspection, expert review, test, hearing or notice."""
    now = _now(now)
    _ensure_any(actor, PROCESS_PERMISSIONS, case)
    if kind not in SUSPENSION_KINDS:
        raise InvalidInput("invalid_kind", _("特别程序类型无效。"), field="kind")
    reason = _required_text(reason, "reason", _("启动特别程序须写明理由。"))
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "suspend", expected_version)
        if case.pauses.filter(ended_on__isnull=True).exists():
            raise IllegalAction("already_paused", _("办件已在特别程序中，计时已暂停。"))
        pause = _pause(case, kind, reason, actor, now)
        _recompute_deadlines(case)
        _finish(case, "suspend", actor, now, from_state, kind=kind, reason=reason)
    return pause


def case_resume(
    *,
    case: Case,
    actor: Account,
    reason: str = "",
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """The special procedure ends; the clock runs again and the deadline moves by its length."""
    now = _now(now)
    _ensure_any(actor, PROCESS_PERMISSIONS, case)
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "resume", expected_version)
        if not _end_pauses(case, now, reason.strip(), kind__in=SUSPENSION_KINDS):
            raise IllegalAction("not_paused", _("办件没有进行中的特别程序。"))
        _recompute_deadlines(case)
        _finish(case, "resume", actor, now, from_state, reason=reason.strip())
    return case


def case_extend(
    *,
    case: Case,
    approver: Account,
    days: int,
    reason: str,
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """延长审批: once, by at most the version's extension days; the deadline moves."""
    now = _now(now)
    permissions.ensure_can(approver, "case.decide", case)
    reason = _required_text(reason, "reason", _("延长审批须写明理由。"))
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "extend", expected_version)
        if case.extension_days:
            raise IllegalAction("already_extended", _("本办件已延长过一次，不能再次延长。"))
        limit = case.version.extension_days
        if not isinstance(days, int) or not 1 <= days <= limit:
            raise InvalidInput(
                "invalid_extension",
                _("延长天数须为1至%(n)s个工作日。") % {"n": limit},
                field="days",
            )
        case.extension_days, case.extension_reason = days, reason
        _recompute_deadlines(case)
        _finish(case, "extend", approver, now, from_state, days=days, reason=reason)
    return case


def _require_decidable(case: Case) -> None:
    pending = list(case.materials.filter(status=Status.PENDING).select_related("spec"))
    if pending:
        raise IllegalAction(
            "pending_material",
            _("容缺材料尚未补齐（%(m)s），不能作出决定。") % {"m": _names(pending)},
        )
    if case.pauses.filter(ended_on__isnull=True).exists():
        raise IllegalAction("clock_paused", _("办件在特别程序中，请先恢复计时再作决定。"))
    unfinished = case.tasks.filter(status=Task.Status.OPEN).exclude(stage_kind=StageKind.DECISION)
    if unfinished.exists():
        names = "、".join(sorted({t.stage_name for t in unfinished}))
        raise IllegalAction(
            "stages_open", _("尚有环节未完成（%(s)s），不能作出决定。") % {"s": names}
        )


def case_decide(
    *,
    case: Case,
    approver: Account,
    grant: bool,
    reason: str,
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """The approver grants or denies, with reasons."""
    now = _now(now)
    permissions.ensure_can(approver, "case.decide", case)
    reason = _required_text(reason, "reason", _("审批决定须写明理由。"))
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "decide", expected_version)
        _require_decidable(case)
        case.tasks.filter(status=Task.Status.OPEN).update(
            status=Task.Status.DONE,
            done_at=now,
            done_by=approver,
            opinion=reason,
            revision=F("revision") + 1,
        )
        case.decision = Decision.GRANT if grant else Decision.DENY
        case.decision_reason, case.decided_at = reason, now
        _finish(case, "decide", approver, now, from_state, decision=case.decision, reason=reason)
    return case


def case_issue_licence(
    *,
    case: Case,
    actor: Account,
    licence_ref: str = "",
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """制证: record the licence granted (its document comes from the licences app)."""
    now = _now(now)
    _ensure_any(actor, ("case.decide", "case.accept"), case)
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "issue_licence", expected_version)
        if case.decision != Decision.GRANT:
            raise IllegalAction("not_granted", _("不予许可的办件不制发证照。"))
        case.licence_ref = licence_ref.strip() or case.case_no
        _finish(case, "issue_licence", actor, now, from_state, licence=case.licence_ref)
    return case


def case_deliver(
    *,
    case: Case,
    actor: Account,
    mode: str,
    tracking_no: str = "",
    center=None,
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """送达: pickup at a window (a visit), post with a tracking number, or electronic."""
    now = _now(now)
    permissions.ensure_can(actor, "case.accept", case)
    with lastly.atomic():
        case = lock_case(case.pk)
        from_state = _begin(case, "deliver", expected_version)
        if case.decision == Decision.GRANT and not case.licence_ref:
            raise IllegalAction("licence_not_issued", _("证照尚未制发，不能送达。"))
        if mode not in case.version.delivery_modes:
            raise InvalidInput(
                "delivery_mode_unavailable", _("本事项不提供该送达方式。"), field="mode"
            )
        if mode == DeliveryMode.POST:
            tracking_no = _required_text(tracking_no, "tracking_no", _("快递送达须填写快递单号。"))
        if mode == DeliveryMode.WINDOW:
            _record_visit([case], Visit.Purpose.COLLECT, center, now)
        case.delivery_mode, case.tracking_no, case.completed_at = mode, tracking_no.strip(), now
        _finish(case, "deliver", actor, now, from_state, mode=mode, tracking_no=case.tracking_no)
        _case_ended(case, now)
    return case


def _case_ended(case: Case, now: dt.datetime) -> None:
    """A completed or refused case closes the subject's locker to the staff who served it,
    and completes its filing when every other case of the filing has ended too."""
    served = Account.objects.filter(
        locker_grants__subject_id=case.subject_id,
        locker_grants__case_ref=case.case_no,
        locker_grants__revoked_at__isnull=True,
    ).distinct()
    for staff in served:
        subject_services.locker_revoke_access(staff, case.subject, case.case_no)
    if not case.filing.cases.exclude(state__in=TERMINAL).exists():
        Filing.objects.filter(pk=case.filing_id).update(completed_at=now)


# --- online supply ----------------------------------------------------------------------


def _check_upload(kind_code: str, file) -> CheckedUpload:
    """Size, type by content, no hidden programs (`yimen.uploads`); the refusal names the
    material's field."""
    if not file:
        raise InvalidInput("empty_file", _("上传的文件是空的。"), field=kind_code)
    return check_upload(file, field=kind_code)


def _save_upload(case: Case, kind_code: str, file, checked: CheckedUpload) -> None:
    """Kept under a random name with the extension its content gives (`_check_upload`)."""
    name = default_storage.save(f"cases/{case.case_no}/{random_name(checked)}", file)
    case.materials.filter(spec__kind__code=kind_code).update(file=name)


def case_supply_online(
    *,
    case: Case,
    actor: Account,
    files: dict,
    now: dt.datetime | None = None,
    expected_version=None,
) -> Case:
    """The applicant uploads what a correction notice or a 容缺 acceptance asked for
    (material kind code -> file). Each file is kept with its case material once the
    supply itself went through the usual service."""
    now = _now(now)
    if not files:
        raise InvalidInput("file_required", _("请至少上传一份材料。"))
    checked = {code: _check_upload(code, file) for code, file in files.items()}
    with lastly.atomic():
        case = lock_case(case.pk)
        if case.state == CaseState.CORRECTION:
            case = case_supply_correction(
                case=case,
                actor=actor,
                provided=list(files),
                channel=Channel.ONLINE,
                now=now,
                expected_version=expected_version,
            )
        else:
            for code in files:
                case = case_supply_pending(
                    case=case,
                    actor=actor,
                    kind_code=code,
                    channel=Channel.ONLINE,
                    now=now,
                    expected_version=expected_version,
                )
                expected_version = None
        for code, file in files.items():
            _save_upload(case, code, file, checked[code])
    return case


# --- online applications ------------------------------------------------------------------

ONLINE_CHANNELS = frozenset({Channel.ONLINE, Channel.MOBILE})
FORM_VALUE_MAX = 2000
Step = ApplicationDraft.Step


def _ensure_may_file_online(account: Account, subject: Subject, versions) -> None:
    """The account may apply online for the subject: every item is offered online (网办深度
    Ⅲ级 or more) and serves the subject, and the account is the subject or authorised
    for every item. Nothing is recorded: the acts are recorded when the cases are filed."""
    selectors.ensure_offered_online(versions)
    for version in versions:
        _ensure_subject_fits(version, subject)
    if not subject_selectors.speaks_for(account, subject):
        for version in versions:
            subject_selectors.valid_authorisation(account, subject, item_code=version.item.code)


def _locked_draft(draft: ApplicationDraft, account: Account) -> ApplicationDraft:
    return selectors.draft_for(account, draft.pk, for_update=True)


def draft_start(
    *, account: Account, subject_id: int, item_code: str = "", bundle_code: str = ""
) -> ApplicationDraft:
    """Step 1 of an online application: whom it is for. The draft then waits for the form."""
    versions = selectors.application_versions(item_code=item_code, bundle_code=bundle_code)
    subject = subject_selectors.subject_for_viewer(account, subject_id)
    _ensure_may_file_online(account, subject, versions)
    return ApplicationDraft.objects.create(
        account=account,
        item_code="" if bundle_code else item_code,
        bundle_code=bundle_code,
        subject=subject,
        step=Step.FORM,
        key=uuid.uuid4().hex,
    )


def draft_choose_applicant(
    *, draft: ApplicationDraft, account: Account, subject_id: int
) -> ApplicationDraft:
    """Change whom a saved application is for; what was typed and uploaded stays."""
    subject = subject_selectors.subject_for_viewer(account, subject_id)
    _ensure_may_file_online(account, subject, selectors.draft_versions(draft))
    with transaction.atomic():
        draft = _locked_draft(draft, account)
        draft.subject = subject
        draft.step = max(draft.step, Step.FORM)
        draft.save(update_fields=["subject", "step", "updated_at"])
    return draft


def _typed_values(fields, typed: dict) -> dict:
    """What was typed into the given fields, as text, blanks left out."""
    values = {}
    for field in fields:
        value = str(typed.get(field.key, "")).strip()[:FORM_VALUE_MAX]
        if value:
            values[field.key] = value
    return values


def _typed_form(versions, draft: ApplicationDraft, typed: dict) -> dict:
    """The draft's form as typed: an item's fields, or each bundle item's under its code."""
    if not draft.is_bundle:
        return _typed_values(versions[0].form_fields.all(), typed)
    return {
        v.item.code: _typed_values(v.form_fields.all(), typed.get(v.item.code) or {})
        for v in versions
    }


def _check_draft_form(versions, draft: ApplicationDraft) -> None:
    """The checks the window's filing applies (yimen.cases.formdata), all problems at once."""
    if draft.is_bundle:
        _clean_bundle_forms(versions, draft.form_data)
    else:
        clean_form(list(versions[0].form_fields.all()), draft.form_data)


def draft_save_form(
    *, draft: ApplicationDraft, account: Account, typed: dict, advance: bool = True
) -> ApplicationDraft:
    """Step 2: keep what was typed, even when it is wrong; move on only when it passes.
    Raises InvalidInput listing every problem, after saving."""
    versions = selectors.draft_versions(draft)
    with transaction.atomic():
        draft = _locked_draft(draft, account)
        draft.form_data = _typed_form(versions, draft, typed)
        problem = None
        if advance:
            try:
                _check_draft_form(versions, draft)
            except InvalidInput as error:
                problem = error
            else:
                draft.step = max(draft.step, Step.MATERIALS)
        draft.save(update_fields=["form_data", "step", "updated_at"])
    if problem is not None:
        raise problem
    return draft


def _store_draft_file(draft: ApplicationDraft, kind_code: str, file) -> dict:
    checked = _check_upload(kind_code, file)
    name = default_storage.save(f"drafts/{draft.pk}/{random_name(checked)}", file)
    return {"name": name, "filename": os.path.basename(file.name or "")[:100], "size": checked.size}


def _required_missing(draft: ApplicationDraft, versions) -> InvalidInput | None:
    missing = [m for m in selectors.draft_materials(draft, versions) if m.needed]
    if not missing:
        return None
    details = [
        {"field": m.kind_code, "message": _("请上传“%(m)s”。") % {"m": m.name}} for m in missing
    ]
    return InvalidInput(
        "materials_missing",
        _("还缺少必要材料：%(m)s。") % {"m": "、".join(m.name for m in missing)},
        field=missing[0].kind_code,
        details=details,
    )


def draft_save_materials(
    *, draft: ApplicationDraft, account: Account, files: dict, advance: bool = True
) -> ApplicationDraft:
    """Step 3: keep each good upload (material kind code -> file), replacing an earlier one;
    move on when every required material is in the locker or uploaded. Raises InvalidInput
    naming each file refused and each material still needed, after saving the rest."""
    versions = selectors.draft_versions(draft)
    asked = {m.kind_code for m in selectors.draft_materials(draft, versions)}
    with transaction.atomic():
        draft = _locked_draft(draft, account)
        stored, problems = {}, []
        for code, file in files.items():
            try:
                if code not in asked:
                    raise InvalidInput("material_unknown", _("本申请不需要该材料。"), field=code)
                stored[code] = _store_draft_file(draft, code, file)
            except InvalidInput as error:
                problems.append({"field": code, "message": error.message})
        replaced = [draft.uploads[c]["name"] for c in stored if c in draft.uploads]
        draft.uploads = {**draft.uploads, **stored}
        if not problems and advance:
            missing = _required_missing(draft, versions)
            if missing:
                problems = missing.details
            else:
                draft.step = max(draft.step, Step.REVIEW)
        draft.save(update_fields=["uploads", "step", "updated_at"])
        transaction.on_commit(lambda: _delete_files(replaced))
    if problems:
        raise InvalidInput(
            "materials_invalid",
            _("材料有误：%(e)s") % {"e": "；".join(p["message"] for p in problems)},
            field=problems[0]["field"],
            details=problems,
        )
    return draft


def draft_remove_upload(
    *, draft: ApplicationDraft, account: Account, kind_code: str
) -> ApplicationDraft:
    """Take back an uploaded file; a required material then has to be uploaded again."""
    with transaction.atomic():
        draft = _locked_draft(draft, account)
        removed = draft.uploads.pop(kind_code, None)
        if removed is None:
            raise InvalidInput("upload_not_found", _("没有上传过该材料。"), field=kind_code)
        draft.step = min(draft.step, Step.MATERIALS)
        draft.save(update_fields=["uploads", "step", "updated_at"])
        transaction.on_commit(lambda: _delete_files([removed["name"]]))
    return draft


def draft_delete(*, draft: ApplicationDraft, account: Account) -> None:
    """Delete a draft and the files uploaded to it."""
    with transaction.atomic():
        draft = _locked_draft(draft, account)
        names = [u["name"] for u in draft.uploads.values()]
        draft.delete()
        transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _attach_uploads(cases: Iterable[Case], uploads: dict) -> None:
    """Each uploaded file, copied to every case that was given it (not answered by the
    locker), the way an online supply keeps its files."""
    for case in cases:
        given = case.materials.filter(
            status=Status.PROVIDED, spec__kind__code__in=list(uploads)
        ).values_list("spec__kind__code", flat=True)
        for code in given:
            with default_storage.open(uploads[code]["name"], "rb") as stored:
                file = File(stored, name=uploads[code]["name"])
                _save_upload(case, code, file, _check_upload(code, file))


def draft_submit(
    *,
    account: Account,
    draft_id: int,
    channel: str,
    key: str,
    now: dt.datetime | None = None,
) -> Filing:
    """Step 4: file the draft as a case (or a bundle's cases) with its uploads, and delete
    the draft. A second press of the button (same key) returns the filing the first made."""
    if channel not in ONLINE_CHANNELS:
        raise InvalidInput(
            "invalid_channel", _("申请渠道“%(c)s”无效。") % {"c": channel}, field="channel"
        )
    with lastly.atomic():
        try:
            draft = _locked_draft(ApplicationDraft(pk=draft_id), account)
        except NotFound:
            # Already submitted by an earlier press of the same button?
            done = selectors.filing_by_key(account, key)
            if done is None:
                raise
            return done
        versions = selectors.draft_versions(draft, timezone.localdate(now))
        _ensure_may_file_online(account, draft.subject, versions)
        missing = _required_missing(draft, versions)
        if missing:
            raise missing
        # Only the fields of the versions in force today: one retired since is dropped.
        form = _typed_form(versions, draft, draft.form_data)
        filing = _submit_draft(draft, account, channel, form, now)
        _attach_uploads(filing.cases.all(), draft.uploads)
        names = [u["name"] for u in draft.uploads.values()]
        draft.delete()
        transaction.on_commit(lambda: _delete_files(names))
    return filing


def _submit_draft(
    draft: ApplicationDraft, account: Account, channel: str, form: dict, now
) -> Filing:
    common = {
        "actor": account,
        "subject": draft.subject,
        "channel": channel,
        "provided": set(draft.uploads),
        "idempotency_key": draft.key,
        "now": now,
    }
    if draft.is_bundle:
        return bundle_submit(bundle_code=draft.bundle_code, forms=form, **common)
    case = case_submit(item_code=draft.item_code, form=form, **common)
    return case.filing
