"""Reads of cases: one case as its viewers see it, visits, warnings and work queues."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.cases import clocks
from yimen.cases.models import (
    ApplicationDraft,
    Case,
    CaseEvent,
    CaseMaterial,
    Channel,
    ClockPause,
    Filing,
    Task,
    Visit,
)
from yimen.cases.states import CaseState, allowed_actions
from yimen.catalog.models import (
    ItemVersion,
    MaterialSpec,
    OnlineDepth,
    Role,
    StageSpec,
    SubjectType,
)
from yimen.catalog.search import catalog_index
from yimen.catalog.selectors import bundle_view, current_version
from yimen.errors import IllegalAction, NotFound, PermissionDenied
from yimen.subjects import permissions
from yimen.subjects.models import Account, LockerEntry, Subject
from yimen.subjects.selectors import (
    locker_prefill,
    subject_for_staff,
    subject_for_viewer,
    subjects_acting_for,
)
from yimen.worktime.calendar import add_workdays, workdays_between
from yimen.worktime.selectors import get_calendar

# Channels where the applicant comes to a service center: each such action is a visit.
VISIT_CHANNELS = frozenset({Channel.WINDOW, Channel.KIOSK})


def yellow_days() -> int:
    return settings.YIMEN_CASE_YELLOW_DAYS


def case_by_no(case_no: str) -> Case:
    case = (
        Case.objects.select_related("version", "version__item", "subject", "department", "owner")
        .filter(case_no=case_no)
        .first()
    )
    if case is None:
        raise NotFound("case_not_found", _("未找到办件 %(n)s。") % {"n": case_no})
    return case


def case_for_viewer(viewer: Account, case_no: str) -> Case:
    """The case, if the viewer is staff serving cases or acts for its subject."""
    case = case_by_no(case_no)
    if permissions.can(viewer, "subject.lookup", case):
        return case
    if any(s.pk == case.subject_id for s in subjects_acting_for(viewer)):
        return case
    raise PermissionDenied("case_forbidden", _("您无权查看该办件。"))


def applicant_subject(actor: Account, subject_id: int | None) -> Subject:
    """Whom an application is for: any subject for staff at a window, else one the actor
    may act for (their own person when none is named)."""
    if subject_id is not None and permissions.is_staff_member(actor):
        return subject_for_staff(actor, subject_id).subject
    return subject_for_viewer(actor, subject_id)


def task_by_id(task_id: int) -> Task:
    task = Task.objects.select_related("case", "department").filter(pk=task_id).first()
    if task is None:
        raise NotFound("task_not_found", _("未找到该任务。"))
    return task


def case_warning(case: Case, today: dt.date | None = None) -> clocks.WarningLevel | None:
    """None for a closed or not yet accepted case; else normal, yellow or red."""
    if not case.is_open or case.accepted_on is None:
        return None
    today = today or timezone.localdate()
    return clocks.warning(case.deadline, today, yellow_days(), get_calendar())


def visit_count(case: Case) -> int:
    return case.visits.count()


def filing_visit_count(filing: Filing) -> int:
    """A trip made for several cases of one bundle counts once."""
    return Visit.objects.filter(cases__filing=filing).distinct().count()


def filing_is_complete(filing: Filing) -> bool:
    return Filing.objects.filter(pk=filing.pk, completed_at__isnull=False).exists()


@dataclass(frozen=True)
class StageView:
    order: int
    name: str
    kind: str
    tasks: list[Task]


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    stages: list[StageView]
    warning: clocks.WarningLevel | None
    clock_paused: bool
    visits: int
    events: list[CaseEvent]
    actions: list[str]
    materials: list[CaseMaterial]


def case_materials(case: Case) -> list[CaseMaterial]:
    """Every material of the case with its spec and kind, in the order the item lists them."""
    return list(case.materials.select_related("spec", "spec__kind").order_by("spec__order", "pk"))


def case_detail(case: Case, today: dt.date | None = None) -> CaseDetail:
    tasks = list(case.tasks.select_related("department", "done_by").order_by("stage_order", "pk"))
    stages: dict[int, StageView] = {}
    for task in tasks:
        view = stages.setdefault(
            task.stage_order, StageView(task.stage_order, task.stage_name, task.stage_kind, [])
        )
        view.tasks.append(task)
    return CaseDetail(
        case=case,
        stages=list(stages.values()),
        warning=case_warning(case, today),
        clock_paused=case.pauses.filter(ended_on__isnull=True).exists(),
        visits=visit_count(case),
        events=list(case.events.select_related("actor").order_by("seq")),
        actions=allowed_actions(case.state),
        materials=case_materials(case),
    )


def filed_case_detail(case: Case) -> CaseDetail:
    """A case as its filing answers the applicant, from what the filing loaded and wrote:
    no task or pause yet, its one event, and the trip when filed at a center; only its
    materials are read back. A case the filing did not open (one read back for a repeated
    idempotency key) is read whole."""
    opening = getattr(case, "opening_event", None)
    if opening is None:
        return case_detail(case)
    return CaseDetail(
        case=case,
        stages=[],
        warning=None,
        clock_paused=False,
        visits=int(case.channel in VISIT_CHANNELS),
        events=[opening],
        actions=allowed_actions(case.state),
        materials=case_materials(case),
    )


def task_queue(account: Account, *, after_id: int | None = None, limit: int = 50) -> QuerySet:
    """Open tasks for the account's roles and departments, oldest first (keyset by id)."""
    roles = permissions.active_roles(account)
    tasks = Task.objects.none()
    for role in roles:
        scoped = Task.objects.filter(status=Task.Status.OPEN, role=role.role)
        if role.department_id:
            scoped = scoped.filter(department_id=role.department_id)
        tasks = tasks | scoped
    if after_id:
        tasks = tasks.filter(pk__gt=after_id)
    return tasks.select_related("case", "department").order_by("pk")[:limit]


def correction_violations() -> QuerySet:
    """Cases asked for correction more than once (一次性告知 broken), for oversight."""
    return (
        Case.objects.filter(corrections__is_violation=True)
        .annotate(notices=Count("corrections"))
        .order_by("-notices", "pk")
    )


# --- pages: queues, a case as its page shows it, my cases ----------------------------


TASK_ROLES = frozenset({Role.REVIEWER, Role.INSPECTOR, Role.APPROVER})
TASK_PERMISSIONS = ("case.review", "case.inspect", "case.decide")


@dataclass(frozen=True)
class Clock:
    """A deadline as a queue row shows it: the level, and working days left (negative: late)."""

    due: dt.date | None
    level: clocks.WarningLevel
    days_left: int | None


def _clock(due: dt.date | None, today: dt.date, calendar) -> Clock:
    if due is None:
        return Clock(None, clocks.WarningLevel.NORMAL, None)
    level = clocks.warning(due, today, yellow_days(), calendar)
    return Clock(due, level, workdays_between(today, due, calendar))


@dataclass(frozen=True)
class IntakeRow:
    case: Case
    clock: Clock


def intake_queue(account: Account, limit: int = 100) -> list[IntakeRow]:
    """Applications waiting for an intake decision at the clerk's centers (and online ones
    not tied to a center), oldest first, each with the law's 5-working-day intake clock."""
    centers = [r.center_id for r in permissions.active_roles(account) if r.role == Role.CLERK]
    if not centers and not account.is_superuser:
        return []
    cases = Case.objects.filter(state__in=[CaseState.SUBMITTED, CaseState.CORRECTION])
    if None not in centers and not account.is_superuser:
        cases = cases.filter(Q(center_id__in=centers) | Q(center__isnull=True))
    cases = cases.select_related("version", "subject").order_by("received_at", "pk")[:limit]
    today, calendar = timezone.localdate(), get_calendar()
    return [
        IntakeRow(case, _clock(clocks.intake_due(case.intake_from, calendar), today, calendar))
        for case in cases
    ]


@dataclass(frozen=True)
class TaskRow:
    task: Task
    clock: Clock
    paused: bool


# What a work-queue row shows; the rest of a case and its version (forms, guide texts) is
# left in the database.
WORK_QUEUE_FIELDS = (
    "stage_name",
    "opened_at",
    "case__case_no",
    "case__deadline",
    "case__version__name",
    "case__subject__name",
    "department__name",
)


def work_queue(account: Account, limit: int = 100, *, after: int | None = None) -> list[TaskRow]:
    """Open tasks for the account's roles and departments, the most urgent deadline first;
    cases whose clock is paused (no deadline for now) come last. `after` is the id of the
    last task of the page before: the rows that follow it in this order."""
    roles = [r for r in permissions.active_roles(account) if r.role in TASK_ROLES]
    if not roles:
        return []
    scope = Q()
    for role in roles:
        department = {"department_id": role.department_id} if role.department_id else {}
        scope |= Q(role=role.role, **department)
    tasks = Task.objects.filter(scope, status=Task.Status.OPEN)
    if after is not None:
        tasks = tasks.filter(_tasks_after(Task.objects.filter(scope), after))
    tasks = (
        tasks.select_related("case", "case__version", "case__subject", "department")
        .only(*WORK_QUEUE_FIELDS)
        .order_by(F("case__deadline").asc(nulls_last=True), "opened_at", "pk")[:limit]
    )
    today, calendar = timezone.localdate(), get_calendar()
    return [
        TaskRow(task, _clock(task.case.deadline, today, calendar), task.case.deadline is None)
        for task in tasks
    ]


def _page_anchor(rows: QuerySet, pk: int, *fields: str) -> tuple:
    """The sort values of the row a page continues after; refused when it is not in `rows`."""
    found = rows.filter(pk=pk).values_list(*fields).first()
    if found is None:
        raise NotFound("page_anchor_not_found", _("翻页位置已失效，请从第一页重新查看。"))
    return found


def _tasks_after(scope: QuerySet, pk: int) -> Q:
    """The tasks after task `pk` in the work queue's order (deadline, nulls last; opened; id)."""
    deadline, opened_at = _page_anchor(scope, pk, "case__deadline", "opened_at")
    later = Q(opened_at__gt=opened_at) | Q(opened_at=opened_at, pk__gt=pk)
    if deadline is None:
        return Q(case__deadline__isnull=True) & later
    return (
        Q(case__deadline__gt=deadline)
        | Q(case__deadline__isnull=True)
        | (Q(case__deadline=deadline) & later)
    )


def staff_touches(viewer: Account, case: Case) -> bool:
    """Staff whose center or department serves the case, or who hold one of its tasks."""
    if permissions.can(viewer, "subject.lookup", case):
        return True
    return any(
        permissions.can(viewer, permission, task)
        for task in case.tasks.only("department_id")
        for permission in TASK_PERMISSIONS
    )


def case_for_page(viewer: Account, case_no: str) -> Case:
    """The case for whoever may see it: staff it touches, its applicant and their agents.
    Anyone else is told it does not exist."""
    case = case_by_no(case_no)
    if staff_touches(viewer, case) or case.subject_id in {
        s.pk for s in subjects_acting_for(viewer)
    }:
        return case
    raise NotFound("case_not_found", _("未找到办件 %(n)s。") % {"n": case_no})


def cases_of_applicant(
    account: Account, limit: int = 100, *, after: int | None = None
) -> list[Case]:
    """Cases of every subject the account acts for, newest first; `after` is the id of the
    last case of the page before."""
    subjects = [s.pk for s in subjects_acting_for(account)]
    cases = Case.objects.filter(subject_id__in=subjects)
    if after is not None:
        (received_at,) = _page_anchor(cases, after, "received_at")
        cases = cases.filter(
            Q(received_at__lt=received_at) | Q(received_at=received_at, pk__lt=after)
        )
    return list(cases.select_related("version", "subject").order_by("-received_at", "-pk")[:limit])


def materials_to_supply(case: Case) -> list[CaseMaterial]:
    """What the applicant still owes: while in correction the missing materials, and when
    the notice asks for other corrections too (a resolution not signed, a form filled in
    wrongly), the materials handed in, any of which may come again corrected; else the
    容缺 ones."""
    Status, Necessity = CaseMaterial.Status, MaterialSpec.Necessity
    if case.state == CaseState.CORRECTION:
        owed = Q(
            status=Status.MISSING, spec__necessity__in=[Necessity.REQUIRED, Necessity.TOLERABLE]
        )
        if _correction_has_notes(case):
            owed |= Q(status=Status.PROVIDED)
    elif case.state == CaseState.IN_PROGRESS:
        owed = Q(status=Status.PENDING)
    else:
        return []
    return list(
        case.materials.filter(owed)
        .select_related("spec", "spec__kind")
        .order_by("spec__order", "pk")
    )


def _correction_has_notes(case: Case) -> bool:
    """The open correction notice lists a deficiency other than a missing material."""
    notice = case.corrections.filter(resolved_at__isnull=True).order_by("-number").first()
    return notice is not None and any(d.get("note") for d in notice.deficiencies)


def case_clock(case: Case) -> Clock | None:
    """The completion clock of an open, accepted case."""
    if not case.is_open or case.accepted_on is None:
        return None
    calendar = get_calendar()
    return _clock(case.deadline, timezone.localdate(), calendar)


def filing_siblings(viewer: Account, case: Case) -> list[Case]:
    """The other cases filed with this one (a bundle), those the viewer may see."""
    others = (
        case.filing.cases.exclude(pk=case.pk).select_related("version", "subject").order_by("pk")
    )
    acting = {s.pk for s in subjects_acting_for(viewer)}
    return [c for c in others if c.subject_id in acting or staff_touches(viewer, c)]


def case_material_file(viewer: Account, case_no: str, material_id: int) -> CaseMaterial:
    """An uploaded material of a case, for whoever may see the case; else it does not exist."""
    case = case_for_page(viewer, case_no)
    material = case.materials.exclude(file="").select_related("spec").filter(pk=material_id).first()
    if material is None:
        raise NotFound("material_file_not_found", _("未找到该材料文件。"))
    return material


@dataclass(frozen=True)
class CasePages:
    """Which case pages an account's work opens to it."""

    window: bool
    work: bool
    mine: bool


def case_pages(account: Account) -> CasePages:
    """The window workbench for clerks, the task queue for reviewers, inspectors and
    approvers, their own cases for citizens."""
    if not permissions.is_staff_member(account) and not account.is_superuser:
        return CasePages(window=False, work=False, mine=True)
    return CasePages(
        window=permissions.can(account, "case.accept"),
        work=any(permissions.can(account, p) for p in TASK_PERMISSIONS),
        mine=False,
    )


# --- special procedures past their maximum ------------------------------------------------


def special_procedure_max_days() -> int:
    """The longest an ad-hoc special procedure may hold a case, in working days."""
    return settings.YIMEN_SPECIAL_PROCEDURE_MAX_DAYS


@dataclass(frozen=True)
class PauseOverrun:
    """An open special procedure that has run past its maximum."""

    pause: ClockPause
    max_days: int
    due: dt.date
    days_over: int

    @property
    def case(self) -> Case:
        return self.pause.case

    @property
    def kind(self) -> str:
        return self.pause.kind

    @property
    def started_on(self) -> dt.date:
        return self.pause.started_on


def overrun_pauses(*, case: Case | None = None, today: dt.date | None = None) -> list[PauseOverrun]:
    """Open special procedures past their maximum, the longest overrun first.

    A stage's procedure may last its catalog `max_days`; an ad-hoc suspension (or a
    stage without a maximum) the `YIMEN_SPECIAL_PROCEDURE_MAX_DAYS` default. A pause
    counts its working days with its first day included, as the deadline does.
    """
    today = today or timezone.localdate()
    pauses = ClockPause.objects.filter(ended_on__isnull=True).select_related(
        "case", "case__version", "case__subject", "case__department"
    )
    if case is not None:
        pauses = pauses.filter(case=case)
    pauses = list(pauses.order_by("started_on", "pk"))
    limits = _stage_limits(pauses)
    default, calendar = special_procedure_max_days(), get_calendar()
    overruns = []
    for pause in pauses:
        max_days = limits.get((pause.case.version_id, pause.stage_order)) or default
        day_before = pause.started_on - dt.timedelta(days=1)
        days_over = workdays_between(day_before, today, calendar) - max_days
        if days_over > 0:
            due = add_workdays(day_before, max_days, calendar).date
            overruns.append(PauseOverrun(pause, max_days, due, days_over))
    return sorted(overruns, key=lambda o: (-o.days_over, o.pause.pk))


def _stage_limits(pauses: list[ClockPause]) -> dict[tuple[int, int], int | None]:
    """(version id, stage order) -> the stage's maximum, for the stage pauses given."""
    stage_pauses = [p for p in pauses if p.kind == ClockPause.Kind.STAGE]
    if not stage_pauses:
        return {}
    stages = StageSpec.objects.filter(
        version_id__in={p.case.version_id for p in stage_pauses},
        order__in={p.stage_order for p in stage_pauses},
    ).values_list("version_id", "order", "max_days")
    return {(version, order): max_days for version, order, max_days in stages}


# --- online applications: drafts ------------------------------------------------------------

# Online application needs 网办深度 Ⅲ级 (accepted online) or more.
ONLINE_DEPTH_MIN = OnlineDepth.ONLINE_ACCEPT
NECESSITY_RANK = {
    MaterialSpec.Necessity.REQUIRED: 0,
    MaterialSpec.Necessity.TOLERABLE: 1,
    MaterialSpec.Necessity.OPTIONAL: 2,
}


def offered_online(versions: list[ItemVersion]) -> bool:
    return bool(versions) and all(v.online_depth >= ONLINE_DEPTH_MIN for v in versions)


def ensure_offered_online(versions: list[ItemVersion]) -> None:
    if not offered_online(versions):
        raise IllegalAction(
            "not_offered_online", _("该事项暂不支持在线申请，请到政务服务中心窗口办理。")
        )


def application_versions(
    *, item_code: str = "", bundle_code: str = "", on: dt.date | None = None
) -> list[ItemVersion]:
    """The versions in force that an online application for an item or a bundle files."""
    if bundle_code:
        return bundle_view(bundle_code, on).versions
    return [current_version(item_code, on)]


def draft_versions(draft: ApplicationDraft, on: dt.date | None = None) -> list[ItemVersion]:
    return application_versions(item_code=draft.item_code, bundle_code=draft.bundle_code, on=on)


def subjects_for_application(account: Account, versions: list[ItemVersion]) -> list[Subject]:
    """The subjects the account acts for that every one of the items serves."""
    return [
        subject
        for subject in subjects_acting_for(account)
        if all(v.subject_type in (SubjectType.BOTH, subject.kind) for v in versions)
    ]


def draft_for(account: Account, draft_id: int, *, for_update: bool = False) -> ApplicationDraft:
    """The account's own draft (row-locked for a service's write if asked); anyone else's
    does not exist."""
    drafts = ApplicationDraft.objects.filter(pk=draft_id, account=account)
    if for_update:
        drafts = drafts.select_for_update()
    draft = drafts.select_related("subject").first()
    if draft is None:
        raise NotFound("draft_not_found", _("未找到该草稿，它可能已提交或已删除。"))
    return draft


@dataclass(frozen=True)
class DraftRow:
    draft: ApplicationDraft
    title: str


def drafts_of(account: Account, limit: int = 50) -> list[DraftRow]:
    """The account's unfinished online applications, the latest saved first."""
    drafts = account.application_drafts.select_related("subject").order_by("-updated_at", "-pk")
    names = _application_names()
    return [DraftRow(d, names.get(d.code, d.code)) for d in drafts[:limit]]


def application_name(code: str) -> str:
    """The name of an item or a bundle, by its code."""
    return _application_names().get(code, code)


def _application_names() -> dict[str, str]:
    index = catalog_index()
    return {e.code: e.name for e in (*index.items, *index.bundles)}


def filing_by_key(account: Account, key: str) -> Filing | None:
    """The filing an earlier press of the same submit button made, if any."""
    if not key:
        return None
    return Filing.objects.filter(submitted_by=account, idempotency_key=key).first()


@dataclass(frozen=True)
class DraftMaterial:
    """A material an online application asks for, once even when several items ask for it:
    answered by the subject's locker (无需提交), by an upload, or still to give."""

    kind_code: str
    name: str
    necessity: str
    for_items: tuple[str, ...]
    entry: LockerEntry | None
    upload: dict | None

    @property
    def needed(self) -> bool:
        """A required material that neither the locker nor an upload gives yet."""
        return (
            self.necessity == MaterialSpec.Necessity.REQUIRED
            and self.entry is None
            and self.upload is None
        )

    @property
    def necessity_label(self) -> str:
        return str(MaterialSpec.Necessity(self.necessity).label)


def draft_materials(
    draft: ApplicationDraft, versions: list[ItemVersion] | None = None
) -> list[DraftMaterial]:
    """The materials of the draft's items for its subject. A kind counts as in the locker
    only when the locker answers it for every item that asks for it."""
    versions = draft_versions(draft) if versions is None else versions
    merged: dict[str, list] = {}
    for version in versions:
        for row in locker_prefill(draft.subject, version):
            merged.setdefault(row.spec.kind.code, []).append((version, row))
    return [_draft_material(code, rows, draft.uploads.get(code)) for code, rows in merged.items()]


def _draft_material(code: str, rows: list, upload: dict | None) -> DraftMaterial:
    specs = [row.spec for _version, row in rows]
    entries = [row.entry for _version, row in rows]
    return DraftMaterial(
        kind_code=code,
        name=specs[0].name,
        necessity=min((s.necessity for s in specs), key=NECESSITY_RANK.__getitem__),
        for_items=tuple(version.name for version, _row in rows),
        entry=entries[0] if all(entries) else None,
        upload=upload,
    )


# --- integrity ----------------------------------------------------------------------------

# The actions that record a decision: an approver's, or an instant item's at the window.
DECISION_ACTIONS = ("decide", "complete_instant")


def integrity_problems() -> list:
    """Cases whose history does not hold together: no events, gaps in the event numbers, a
    decision nobody recorded, open tasks on an ended case, uploaded files gone missing."""
    from django.db.models import Max, Min

    from yimen.cases.states import TERMINAL
    from yimen.integrity import Problem, file_fault

    def problem(code: str, case_no: str, message: str) -> Problem:
        return Problem(code, _("办件 %(n)s") % {"n": case_no}, message)

    cases = Case.objects.order_by("case_no")
    problems = [
        problem("case_without_events", no, _("办件没有任何办件日志。"))
        for no in cases.filter(events__isnull=True).values_list("case_no", flat=True)
    ]
    numbered = cases.annotate(n=Count("events"), first=Min("events__seq"), last=Max("events__seq"))
    problems += [
        problem(
            "case_event_gap",
            c.case_no,
            _("办件日志编号不连续：共 %(n)s 条，编号从 %(f)s 到 %(l)s。")
            % {"n": c.n, "f": c.first, "l": c.last},
        )
        for c in numbered.filter(n__gt=0).exclude(first=1, last=F("n"))
    ]
    decided = cases.filter(
        state__in=[CaseState.DECIDED, CaseState.ISSUED, CaseState.COMPLETED]
    ).exclude(events__action__in=DECISION_ACTIONS)
    problems += [
        problem("decision_without_event", no, _("办件已作出决定，但办件日志中没有审批决定。"))
        for no in decided.values_list("case_no", flat=True)
    ]
    # The filter comes first, so the count is of the open tasks only.
    ended_open = cases.filter(state__in=TERMINAL, tasks__status=Task.Status.OPEN)
    problems += [
        problem(
            "ended_case_open_tasks",
            c.case_no,
            _("办件已结束，仍有 %(n)s 项待办任务。") % {"n": c.n},
        )
        for c in ended_open.annotate(n=Count("tasks"))
    ]
    uploads = CaseMaterial.objects.exclude(file="").select_related("case", "spec")
    for material in uploads.order_by("case__case_no", "pk").iterator():
        if fault := file_fault(material.file):
            problems.append(
                problem(
                    "case_material_file", material.case.case_no, f"{material.spec.name}：{fault}"
                )
            )
    return problems
