"""The case lifecycle's pages: the window workbench, staff queues, a case with its timeline
and the actions its viewer may take, its licence, printable notices and their sealed PDFs,
and a citizen's own cases.

Every write goes through `yimen.cases.services` (制证 through `yimen.licences.services`);
a refusal is shown beside the form it came from, with nothing the applicant typed lost.
"""

import datetime as dt
import functools
import os
import uuid
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yimen.cases import selectors, services
from yimen.cases.models import Case, CaseEvent, CaseMaterial, Channel, ClockPause, Decision, Task
from yimen.cases.states import ACTION_LABELS, TERMINAL, CaseState
from yimen.catalog import search
from yimen.catalog.models import DeliveryMode, FormField, HandlingType, MaterialSpec, Role
from yimen.catalog.selectors import BundleView, bundle_view, current_version
from yimen.errors import DomainError, InvalidInput, NotFound
from yimen.licences import selectors as licence_selectors
from yimen.licences import services as licence_services
from yimen.licences.documents import LetterData, letter_data_for, letters_of, render_letter
from yimen.licences.models import DocumentKind, Licence
from yimen.oversight.selectors import ratings as rating_selectors
from yimen.subjects import permissions, registry
from yimen.subjects.models import Subject
from yimen.subjects.selectors import exact_code, subject_for_staff

TEMPLATES = "portal/cases/"
CLERK_ACTIONS = frozenset(
    {
        "accept",
        "accept_pending",
        "request_correction",
        "refuse",
        "complete_instant",
        "supply_correction",
        "supply_pending",
        "deliver",
    }
)


def case_page(view):
    """Signed-in pages; a refused request shows its Chinese message with the error's status."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return render(request, TEMPLATES + "error.html", {"error": error}, status=error.status)

    return wrapper


def _clerk_center(account):
    roles = [r for r in permissions.active_roles(account) if r.role == Role.CLERK]
    return roles[0].center if roles else None


# --- forms ------------------------------------------------------------------------------


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def _reason(label, required=True) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ActionForm(forms.Form):
    """Every case action carries the version of the case its author saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CorrectionForm(ActionForm):
    notes = forms.CharField(
        label=gettext_lazy("其他需补正的内容（每行一项）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("缺少的材料会自动列入告知书；这里填写表格填写错误等其他问题。"),
    )
    reason = _reason(gettext_lazy("再次告知的理由（仅第二次告知时填写）"), required=False)


class RefuseForm(ActionForm):
    reason = _reason(gettext_lazy("不予受理理由"))
    legal_basis = forms.CharField(label=gettext_lazy("法律依据"), max_length=500)


class PendingForm(ActionForm):
    """One due date per tolerable material still missing; those given a date are 容缺."""

    def __init__(self, *args, materials: list[CaseMaterial], **kwargs):
        super().__init__(*args, **kwargs)
        for material in materials:
            self.fields[material.spec.kind.code] = _date_field(
                _("%(m)s 补交期限") % {"m": material.spec.name}, required=False
            )

    def pending(self) -> dict[str, dt.date]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v}


class MaterialsForm(ActionForm):
    """Which of the owed materials the applicant handed in at the window."""

    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("已收到的材料"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, materials: list[CaseMaterial], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(m.spec.kind.code, m.spec.name) for m in materials]


class UploadForm(ActionForm):
    """The applicant uploads the owed materials; one file field per material."""

    def __init__(self, *args, materials: list[CaseMaterial], **kwargs):
        super().__init__(*args, **kwargs)
        for material in materials:
            self.fields[material.spec.kind.code] = forms.FileField(
                label=material.spec.name, required=False
            )

    def files_given(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v}


class TaskForm(ActionForm):
    task = forms.IntegerField(widget=forms.HiddenInput)


class CompleteTaskForm(TaskForm):
    opinion = _reason(gettext_lazy("办理意见"))


class ReturnForm(TaskForm):
    to_stage = forms.TypedChoiceField(label=gettext_lazy("退回到"), coerce=int)
    reason = _reason(gettext_lazy("退回理由"))

    def __init__(self, *args, stages: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = stages


class SuspendForm(ActionForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("特别程序"),
        choices=[(k.value, k.label) for k in ClockPause.Kind if k != ClockPause.Kind.STAGE],
    )
    reason = _reason(gettext_lazy("启动理由（将书面告知申请人）"))


class ResumeForm(ActionForm):
    reason = _reason(gettext_lazy("恢复说明"), required=False)


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=gettext_lazy("延长工作日数"), min_value=1)
    reason = _reason(gettext_lazy("延长理由"))


class DecideForm(ActionForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("审批决定"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = _reason(gettext_lazy("决定理由"))


class DeliverForm(ActionForm):
    mode = forms.ChoiceField(label=gettext_lazy("送达方式"), widget=forms.RadioSelect)
    tracking_no = forms.CharField(
        label=gettext_lazy("快递单号"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("快递送达时必填。"),
    )

    def __init__(self, *args, modes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [(m, DeliveryMode(m).label) for m in modes]


def _item_field(field: FormField) -> forms.Field:
    """An item's form field on the page. Only presence is checked here; the item's rules are
    the service's (clean_form)."""
    options = {"label": field.label, "required": False, "help_text": field.help_text}
    if field.field_type == FormField.FieldType.CHOICE:
        options["choices"] = [("", "—")] + [(c, c) for c in field.choices]
        return forms.ChoiceField(**options)
    widget = {"type": "date"} if field.field_type == FormField.FieldType.DATE else {}
    return forms.CharField(widget=forms.TextInput(attrs=widget), **options)


def _materials_field(choices: list[tuple[str, str]]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=gettext_lazy("已收取的材料"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=choices,
    )


def _new_key() -> str:
    return uuid.uuid4().hex


class FilingForm(forms.Form):
    """An application handed in at the window. The key makes a second press of the button
    (or a reload) file nothing more."""

    key = forms.CharField(widget=forms.HiddenInput, required=False, initial=_new_key)

    def show_refusal(self, error: DomainError) -> None:
        """Put each problem the service found beside its field."""
        placed = False
        for detail in error.details:
            name = self.field_name(detail) if isinstance(detail, dict) else None
            if name in self.fields:
                self.add_error(name, detail["message"])
                placed = True
        if not placed:
            place_error(self, error)

    def field_name(self, detail: dict) -> str | None:
        raise NotImplementedError


class ApplicationForm(FilingForm):
    """An item's application form as its version defines it, and the materials handed in."""

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = []
        for field in version.form_fields.all():
            self.fields[f"f_{field.key}"] = _item_field(field)
            self.keys.append(field.key)
        self.fields["provided"] = _materials_field(
            [
                (s.kind.code, f"{s.name}（{s.get_necessity_display()}）")
                for s in version.materials.select_related("kind")
            ]
        )

    def form_data(self) -> dict:
        return {k: self.cleaned_data[f"f_{k}"] for k in self.keys if self.cleaned_data[f"f_{k}"]}

    def field_name(self, detail: dict) -> str:
        return f"f_{detail.get('field')}"


class BundleApplicationForm(FilingForm):
    """一件事 at the window: every item's form on one page, whom each item is for (the
    walk-in unless another person's ID is given), and the merged materials, ticked once."""

    def __init__(self, *args, view: BundleView, viewer, subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer, self.items = viewer, []
        for n, version in enumerate(view.versions):
            self.fields[f"applicant_{n}"] = forms.CharField(
                label=_("申请人"),
                required=False,
                max_length=18,
                help_text=_(
                    "为他人办理（如为孙辈办理新生儿参保）时填写其身份证号；留空为%(n)s本人。"
                )
                % {"n": subject.name},
            )
            keys = [field.key for field in version.form_fields.all()]
            for field in version.form_fields.all():
                self.fields[f"i{n}_{field.key}"] = _item_field(field)
            self.items.append((version, keys))
        self.fields["provided"] = _materials_field(
            [
                (m.kind_code, _("%(m)s（%(i)s）") % {"m": m.name, "i": "、".join(m.for_items)})
                for m in view.materials
            ]
        )
        self.subjects: dict[str, Subject] = {}

    def groups(self) -> list[dict]:
        """Each item with its fields, for the page."""
        return [
            {
                "version": version,
                "fields": [self[f"applicant_{n}"], *(self[f"i{n}_{k}"] for k in keys)],
            }
            for n, (version, keys) in enumerate(self.items)
        ]

    def clean(self):
        data = super().clean()
        for n, (version, _keys) in enumerate(self.items):
            code = data.get(f"applicant_{n}", "").strip()
            if not code:
                continue
            try:
                self.subjects[version.item.code] = _subject_by_code(self.viewer, code)
            except DomainError as error:
                self.add_error(f"applicant_{n}", error.message)
        return data

    def forms_data(self) -> dict[str, dict]:
        return {
            version.item.code: {
                k: self.cleaned_data[f"i{n}_{k}"] for k in keys if self.cleaned_data[f"i{n}_{k}"]
            }
            for n, (version, keys) in enumerate(self.items)
        }

    def field_name(self, detail: dict) -> str | None:
        for n, (version, _keys) in enumerate(self.items):
            if version.item.code == detail.get("item"):
                return f"i{n}_{detail.get('field')}"
        return None


def _subject_by_code(viewer, code: str) -> Subject:
    """Someone the walk-in files for, by their whole resident ID or USCC."""
    if exact_code(code) is None:
        raise InvalidInput(
            "subject_code_invalid", _("请填写完整、正确的身份证号或统一社会信用代码。")
        )
    found = registry.subject_lookup(viewer, code)
    if not found:
        raise NotFound("subject_not_found", _("未找到该申请人，请先在主体登记中登记。"))
    return found[0].subject


def place_error(form: forms.Form, error: DomainError) -> None:
    """A service's refusal beside the field it names, else at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# --- window workbench -------------------------------------------------------------------


@case_page
def window(request):
    permissions.ensure_can(request.user, "case.accept")
    query = request.GET.get("q", "").strip()
    context = {
        "nav": "window",
        "rows": selectors.intake_queue(request.user),
        "query": query,
        "center": _clerk_center(request.user),
    }
    if query:
        try:
            context["results"] = registry.subject_lookup(request.user, query)
        except InvalidInput as error:
            context["lookup_error"] = error
    return render(request, TEMPLATES + "window.html", context)


@case_page
def window_apply(request, subject_id: int):
    """Start a case for a subject: find an item or a bundle (一件事), fill its forms, tick
    what was handed in."""
    permissions.ensure_can(request.user, "case.accept")
    subject = subject_for_staff(request.user, subject_id).subject
    query = request.GET.get("q", "").strip()
    context = {"nav": "window", "subject": subject, "query": query}
    if query:
        context["found"] = search.search_items(query).items
        context["found_bundles"] = search.search_bundles(query)
    if bundle_code := request.GET.get("bundle", ""):
        return _apply_bundle(request, subject, bundle_code, context)
    if item_code := request.GET.get("item", ""):
        return _apply_item(request, subject, item_code, context)
    return render(request, TEMPLATES + "apply.html", context)


def _apply_item(request, subject, item_code: str, context: dict):
    version = current_version(item_code)
    form = ApplicationForm(request.POST or None, version=version)
    context.update(version=version, form=form)

    def submit(common: dict) -> tuple[str, str]:
        case = services.case_submit(item_code=item_code, form=form.form_data(), **common)
        return _("已收件，办件编号 %(n)s。") % {"n": case.case_no}, case.case_no

    return _file_at_window(request, subject, form, context, submit)


def _apply_bundle(request, subject, bundle_code: str, context: dict):
    view = bundle_view(bundle_code)
    form = BundleApplicationForm(
        request.POST or None, view=view, viewer=request.user, subject=subject
    )
    context.update(bundle=view, form=form)

    def submit(common: dict) -> tuple[str, str]:
        filing = services.bundle_submit(
            bundle_code=bundle_code, forms=form.forms_data(), subjects=form.subjects, **common
        )
        numbers = list(filing.cases.order_by("pk").values_list("case_no", flat=True))
        message = _("已收件：%(b)s，办件编号 %(n)s。") % {
            "b": view.bundle.name,
            "n": "、".join(numbers),
        }
        return message, numbers[0]

    return _file_at_window(request, subject, form, context, submit)


def _file_at_window(request, subject, form: FilingForm, context: dict, submit):
    """Show the form; on a valid post, file it (once per form key) and open its first case.
    A refusal is shown beside the fields it names, with everything typed kept."""
    if request.method != "POST":
        return render(request, TEMPLATES + "apply.html", context)
    if not form.is_valid():
        return render(request, TEMPLATES + "apply.html", context, status=422)
    common = {
        "actor": request.user,
        "subject": subject,
        "channel": Channel.WINDOW,
        "provided": form.cleaned_data["provided"],
        "idempotency_key": form.cleaned_data["key"],
        "center": _clerk_center(request.user),
    }
    try:
        message, case_no = submit(common)
    except DomainError as error:
        form.show_refusal(error)
        return render(request, TEMPLATES + "apply.html", context, status=error.status)
    messages.success(request, message)
    return redirect("cases:case", case_no=case_no)


# --- staff queues -----------------------------------------------------------------------


QUEUE_PAGE_SIZE = 30


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue read by keyset: the rows, and where the next page starts."""

    rows: list
    later: bool  # a page after the first
    next_after: int | None


def _queue_page(request, read, row_id) -> QueuePage:
    """The page of `read(limit=, after=)` the request asks for (`?after=` the id of the last
    row before it); one row more than shown tells whether a next page exists."""
    after = request.GET.get("after", "")
    if after and not (after.isascii() and after.isdigit()):
        raise InvalidInput("bad_after", _("翻页参数无效，请从第一页重新查看。"), field="after")
    found = read(limit=QUEUE_PAGE_SIZE + 1, after=int(after) if after else None)
    rows = found[:QUEUE_PAGE_SIZE]
    more = len(found) > QUEUE_PAGE_SIZE
    return QueuePage(rows, bool(after), row_id(rows[-1]) if more else None)


@dataclass(frozen=True)
class WorkRow:
    """A work-queue row as the page shows it, worked out here so that the loop over the rows
    only prints values."""

    link: str
    case_no: str
    item: str
    applicant: str
    stage: str
    department: str
    arrived: str
    level: str
    deadline: str  # the rendered deadline cell


def _work_rows(rows: list[selectors.TaskRow]) -> list[WorkRow]:
    """Rows sorted by deadline share them, so each distinct deadline cell is rendered once."""

    @functools.cache
    def deadline(clock: selectors.Clock, paused: bool) -> str:
        return render_to_string(TEMPLATES + "_clock.html", {"clock": clock, "paused": paused})

    return [
        WorkRow(
            link=f"{reverse('cases:case', args=[row.task.case.case_no])}#task-{row.task.pk}",
            case_no=row.task.case.case_no,
            item=row.task.case.version.name,
            applicant=row.task.case.subject.name,
            stage=row.task.stage_name,
            department=row.task.department.name,
            arrived=timezone.localtime(row.task.opened_at).strftime("%Y-%m-%d %H:%M"),
            level=row.clock.level,
            deadline=deadline(row.clock, row.paused),
        )
        for row in rows
    ]


@case_page
def work(request):
    page = _queue_page(
        request,
        functools.partial(selectors.work_queue, request.user),
        lambda row: row.task.pk,
    )
    context = {"nav": "work", "page": page, "rows": _work_rows(page.rows)}
    return render(request, TEMPLATES + "work.html", context)


# --- one case ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    label: str
    from_label: str
    to_label: str
    notes: list[str]


def _state_label(state: str) -> str:
    return str(CaseState(state).label) if state else ""


def _event_notes(data: dict) -> list[str]:
    """The human part of an event's data: reasons, opinions, deficiencies, delivery."""
    notes = [str(data[k]) for k in ("reason", "legal_basis", "stage", "tracking_no") if data.get(k)]
    notes += [d.get("material") or d.get("note", "") for d in data.get("deficiencies", [])]
    if data.get("days"):
        notes.append(_("延长 %(n)s 个工作日") % {"n": data["days"]})
    if data.get("decision"):
        decision = str(Decision(data["decision"]).label)
        # The decision leads its reason ("准予：……"), the first note when one was given.
        if data.get("reason"):
            notes[0] = f"{decision}：{notes[0]}"
        else:
            notes.insert(0, decision)
    return notes


def _timeline(events: list[CaseEvent]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            event=e,
            label=str(ACTION_LABELS.get(e.action, e.action)),
            from_label=_state_label(e.from_state),
            to_label=_state_label(e.to_state),
            notes=_event_notes(e.data),
        )
        for e in events
    ]


def _my_tasks(user, detail: selectors.CaseDetail) -> list[Task]:
    return [
        task
        for stage in detail.stages
        for task in stage.tasks
        if task.status == Task.Status.OPEN
        and permissions.can(user, services.TASK_PERMISSION.get(task.role, "case.review"), task)
    ]


def _viewer_actions(user, case: Case, detail: selectors.CaseDetail) -> set[str]:
    """What the page offers this viewer; the services check again when they act."""
    mine = set()
    if permissions.can(user, "case.accept", case):
        mine |= CLERK_ACTIONS
    if any(permissions.can(user, p, case) for p in services.PROCESS_PERMISSIONS):
        mine |= {"resume"} if detail.clock_paused else {"suspend"}
    if permissions.can(user, "case.decide", case):
        mine |= {"extend", "decide", "issue_licence"}
    if case.version.handling_type != HandlingType.INSTANT:
        mine.discard("complete_instant")
    if case.decision != Decision.GRANT:
        mine.discard("issue_licence")
    if case.extension_days:
        mine.discard("extend")
    return mine & set(detail.actions)


def _earlier_stages(task: Task, detail: selectors.CaseDetail) -> list[tuple[int, str]]:
    return [(s.order, s.name) for s in detail.stages if s.order < task.stage_order]


def _action_forms(case: Case, actions: set[str], owed) -> dict:
    """An unbound form for every action offered, keyed by action."""
    initial = {"version": case.lock_version}
    tolerable = [
        m
        for m in case.materials.all()
        if m.status == CaseMaterial.Status.MISSING
        and m.spec.necessity == MaterialSpec.Necessity.TOLERABLE
    ]
    builders = {
        "accept": lambda: ActionForm(initial=initial),
        "complete_instant": lambda: ActionForm(initial=initial),
        "request_correction": lambda: CorrectionForm(initial=initial),
        "refuse": lambda: RefuseForm(initial=initial),
        "accept_pending": lambda: PendingForm(initial=initial, materials=tolerable),
        "supply_correction": lambda: MaterialsForm(initial=initial, materials=owed),
        "supply_pending": lambda: MaterialsForm(initial=initial, materials=owed),
        "suspend": lambda: SuspendForm(initial=initial),
        "resume": lambda: ResumeForm(initial=initial),
        "extend": lambda: ExtendForm(initial=initial),
        "decide": lambda: DecideForm(initial=initial),
        "deliver": lambda: DeliverForm(initial=initial, modes=case.version.delivery_modes),
    }
    if not tolerable:
        actions = actions - {"accept_pending"}
    if not owed:
        actions = actions - {"supply_correction", "supply_pending"}
    return {a: _ids_of(a, build()) for a, build in builders.items() if a in actions}


def _ids_of(action: str, form: forms.Form) -> forms.Form:
    """The action's name in its fields' ids: the forms on a case page share field names
    (reason, version), and each label must name the field in its own form."""
    form.auto_id = f"id_{action}_%s"
    return form


def _licence_of(user, case: Case) -> Licence | None:
    """The case's licence in the registry, for a viewer who may see it."""
    if not case.licence_ref:
        return None
    try:
        return licence_selectors.licence_for_viewer(user, case.licence_ref)
    except NotFound:
        return None


def _feedback(user, case: Case) -> dict | None:
    """For the applicant of a finished case: their rating, if they rated it."""
    if case.state not in TERMINAL or not rating_selectors.acts_for_applicant(user, case):
        return None
    rater_key = rating_selectors.account_rater_key(user)
    return {"rating": rating_selectors.rating_by(case, rater_key)}


def _task_forms(tasks: list[Task], detail) -> list[dict]:
    rows = []
    for task in tasks:
        initial = {"version": detail.case.lock_version, "task": task.pk}
        earlier = _earlier_stages(task, detail)
        rows.append(
            {
                "task": task,
                "complete": None
                if task.stage_kind == "decision"
                else CompleteTaskForm(initial=initial, prefix=f"t{task.pk}"),
                "return": ReturnForm(initial=initial, stages=earlier, prefix=f"r{task.pk}")
                if earlier
                else None,
            }
        )
    return rows


def _case_context(request, case: Case) -> dict:
    user = request.user
    detail = selectors.case_detail(case)
    staff = selectors.staff_touches(user, case)
    owed = selectors.materials_to_supply(case)
    actions = _viewer_actions(user, case, detail) if staff else set()
    pages = selectors.case_pages(user)
    corrections = list(case.corrections.all())
    return {
        "nav": "window" if pages.window else "work" if pages.work else "my_cases",
        "pages": pages,
        "case": case,
        "detail": detail,
        "staff": staff,
        "clock": selectors.case_clock(case),
        "materials": detail.materials,
        "owed": owed,
        "timeline": _timeline(detail.events),
        "actions": actions,
        "forms": _action_forms(case, actions, owed),
        "issue_licence": "issue_licence" in actions,
        "licence": _licence_of(user, case),
        "feedback": _feedback(user, case),
        "letters": _letters(user, case, corrections),
        "task_forms": _task_forms(_my_tasks(user, detail), detail) if staff else [],
        "upload_form": None if staff or not owed else UploadForm(materials=owed),
        "progress": progress(case.state),
        "corrections": corrections,
        "overruns": selectors.overrun_pauses(case=case),
        "siblings": selectors.filing_siblings(user, case),
    }


@case_page
def case_detail(request, case_no: str):
    case = selectors.case_for_page(request.user, case_no)
    return render(request, TEMPLATES + "case.html", _case_context(request, case))


@case_page
def material_file(request, case_no: str, material_id: int):
    """An uploaded material, as a download, for those who may see the case."""
    material = selectors.case_material_file(request.user, case_no, material_id)
    try:
        opened = material.file.open("rb")
    except FileNotFoundError:
        raise NotFound("material_file_not_found", _("未找到该材料文件。")) from None
    extension = os.path.splitext(material.file.name)[1]
    response = FileResponse(
        opened, as_attachment=True, filename=f"{case_no}-{material.spec.name}{extension}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- acting on a case -------------------------------------------------------------------


def _bound(form_class, request, **kwargs):
    return form_class(request.POST, request.FILES, **kwargs)


def _task_of(case: Case, form) -> Task:
    task = case.tasks.filter(pk=form.cleaned_data["task"]).first()
    if task is None:
        raise InvalidInput("task_not_found", _("未找到该任务。"))
    return task


def _run(action: str, request, case: Case, context: dict):
    """Bind the action's form, call its service; (form, error) where it did not go through."""
    prefix = request.POST.get("prefix", "") or None
    form = _form_for(action, request, case, context, prefix)
    if not form.is_valid():
        return form
    data = form.cleaned_data
    try:
        _call(action, request.user, case, form, data, data.get("version"))
    except DomainError as error:
        place_error(form, error)
        form.refusal = error
        return form
    return None


def _form_for(action, request, case, context, prefix):
    owed = context["owed"]
    classes = {
        "accept": ActionForm,
        "complete_instant": ActionForm,
        "request_correction": CorrectionForm,
        "refuse": RefuseForm,
        "suspend": SuspendForm,
        "resume": ResumeForm,
        "extend": ExtendForm,
        "decide": DecideForm,
    }
    if action in classes:
        return _bound(classes[action], request)
    if action == "accept_pending":
        missing = [
            m
            for m in context["materials"]
            if m.status == CaseMaterial.Status.MISSING
            and m.spec.necessity == MaterialSpec.Necessity.TOLERABLE
        ]
        return _bound(PendingForm, request, materials=missing)
    if action in ("supply_correction", "supply_pending"):
        return _bound(MaterialsForm, request, materials=owed)
    if action == "supply_online":
        return _bound(UploadForm, request, materials=owed)
    if action == "deliver":
        return _bound(DeliverForm, request, modes=case.version.delivery_modes)
    if action == "complete_task":
        return _bound(CompleteTaskForm, request, prefix=prefix)
    if action == "return_stage":
        return _bound(ReturnForm, request, prefix=prefix, stages=_all_stages(context))
    raise InvalidInput("unknown_action", _("未知的办理操作。"))


def _all_stages(context) -> list[tuple[int, str]]:
    return [(s.order, s.name) for s in context["detail"].stages]


def _call(action, user, case, form, data, version):
    common = {"case": case, "expected_version": version}
    clerk = {"clerk": user, **common}
    if action == "accept":
        services.case_accept(**clerk)
    elif action == "complete_instant":
        services.case_complete_instant(**clerk)
    elif action == "request_correction":
        notes = [line for line in data["notes"].splitlines() if line.strip()]
        services.case_request_correction(notes=notes, reason=data["reason"], **clerk)
    elif action == "refuse":
        services.case_refuse(reason=data["reason"], legal_basis=data["legal_basis"], **clerk)
    elif action == "accept_pending":
        services.case_accept_pending(pending=form.pending(), **clerk)
    elif action == "supply_correction":
        services.case_supply_correction(
            actor=user, provided=data["kinds"], channel=Channel.WINDOW, center=case.center, **common
        )
    elif action == "supply_pending":
        for kind in data["kinds"]:
            services.case_supply_pending(
                actor=user, kind_code=kind, channel=Channel.WINDOW, center=case.center, case=case
            )
    elif action == "supply_online":
        services.case_supply_online(actor=user, files=form.files_given(), **common)
    elif action == "suspend":
        services.case_suspend(actor=user, kind=data["kind"], reason=data["reason"], **common)
    elif action == "resume":
        services.case_resume(actor=user, reason=data["reason"], **common)
    elif action == "extend":
        services.case_extend(approver=user, days=data["days"], reason=data["reason"], **common)
    elif action == "decide":
        grant = data["decision"] == Decision.GRANT
        services.case_decide(approver=user, grant=grant, reason=data["reason"], **common)
    elif action == "deliver":
        delivery = {"mode": data["mode"], "tracking_no": data["tracking_no"]}
        services.case_deliver(actor=user, center=case.center, **delivery, **common)
    elif action == "complete_task":
        services.task_complete(task=_task_of(case, form), actor=user, opinion=data["opinion"])
    elif action == "return_stage":
        task = _task_of(case, form)
        services.task_return(
            task=task, actor=user, to_stage_order=data["to_stage"], reason=data["reason"]
        )


DONE_MESSAGES = {
    "supply_online": gettext_lazy("材料已提交，请留意办理进度。"),
}


@require_POST
@case_page
def case_act(request, case_no: str, action: str):
    case = selectors.case_for_page(request.user, case_no)
    context = _case_context(request, case)
    failed = _run(action, request, case, context)
    if failed is None:
        label = DONE_MESSAGES.get(action) or ACTION_LABELS.get(action, action)
        messages.success(request, _("已办理：%(a)s。") % {"a": label})
        return redirect("cases:case", case_no=case.case_no)
    _show_failed(context, action, failed, request.POST.get("prefix", ""))
    status = getattr(getattr(failed, "refusal", None), "status", 422)
    return render(request, TEMPLATES + "case.html", context, status=status)


def _show_failed(context: dict, action: str, form, prefix: str) -> None:
    """The form that did not go through replaces its blank twin, errors and input kept."""
    if action == "supply_online":
        context["upload_form"] = form
    elif action in TASK_ACTIONS:
        letter, key = TASK_ACTIONS[action]
        for row in context["task_forms"]:
            if f"{letter}{row['task'].pk}" == prefix:
                row[key] = form
    else:
        context["forms"][action] = _ids_of(action, form)
    context["failed_action"] = action


# action -> (form prefix letter, key of its form in a task row)
TASK_ACTIONS = {"complete_task": ("t", "complete"), "return_stage": ("r", "return")}


# --- printable notices ------------------------------------------------------------------


@case_page
def receipt(request, case_no: str):
    """受理通知书, for a case that has been accepted."""
    case = selectors.case_for_page(request.user, case_no)
    if case.accepted_on is None:
        raise NotFound("not_accepted", _("该办件尚未受理，没有受理通知书。"))
    return render(request, TEMPLATES + "receipt.html", _notice_context(case))


@case_page
def correction_notice(request, case_no: str):
    """补正告知书: the latest one-time notice of every deficiency."""
    case = selectors.case_for_page(request.user, case_no)
    notice = case.corrections.order_by("-number").first()
    if notice is None:
        raise NotFound("no_correction", _("该办件没有补正告知。"))
    return render(
        request, TEMPLATES + "correction.html", {**_notice_context(case), "notice": notice}
    )


def _notice_context(case: Case) -> dict:
    return {
        "case": case,
        "materials": list(case.materials.select_related("spec")),
        "printed_on": timezone.localdate(),
    }


# --- sealed letters ---------------------------------------------------------------------

# letter (as `letter_data_for` names it) -> the URL name of its sealed PDF
LETTER_PDF_URLS = {
    "receipt": "cases:receipt_pdf",
    "correction": "cases:correction_pdf",
    "refusal": "cases:refusal_pdf",
    "decision": "cases:decision_pdf",
}


def _may_seal(user, kind: str, case: Case) -> bool:
    return permissions.can(user, licence_services.SEAL_PERMISSIONS[kind], case)


def _letters(user, case: Case, corrections: list) -> list[dict]:
    """The case's letters whose sealed PDF this viewer can have: one sealed already, or
    one they may seal themselves."""
    sealed = set(licence_selectors.seal_uses_of_case(case.case_no).values_list("kind", flat=True))
    return [
        {"label": DocumentKind(kind).label, "url": LETTER_PDF_URLS[letter]}
        for letter, kind in letters_of(case, bool(corrections)).items()
        if kind in sealed or _may_seal(user, kind, case)
    ]


def _sealed_copy(case: Case, data: LetterData) -> bytes | None:
    """The letter as the bureau last sealed it, byte for byte, if it has been sealed."""
    use = (
        licence_selectors.seal_uses_of_case(case.case_no)
        .filter(kind=data.kind, document_number=data.doc_number)
        .order_by("-at", "-pk")
        .first()
    )
    if use is None:
        return None
    try:
        with use.file.open("rb") as document:
            return document.read()
    except FileNotFoundError:
        # Sealing again would record a second seal use: the lost copy is reported instead.
        raise NotFound(
            "sealed_letter_missing", _("该文书的盖章件文件缺失，请联系系统管理员从备份恢复。")
        ) from None


def _seal_now(user, case: Case, data: LetterData) -> bytes:
    if not _may_seal(user, data.kind, case):
        raise NotFound(
            "letter_not_sealed",
            _("该文书尚未加盖行政审批专用章，请稍后再下载，或到综合窗口领取。"),
        )
    return licence_services.document_seal(
        kind=data.kind,
        pdf_bytes=render_letter(data, licence_services.letter_qr()),
        case_ref=case.case_no,
        actor=user,
        number=data.doc_number,
    )


@case_page
def letter_pdf(request, case_no: str, letter: str):
    """A letter about the case as a PDF under the approval seal, for those who may see the
    case. The first time, staff who may seal it render and seal it (the use is recorded);
    from then on everyone gets that sealed original."""
    case = selectors.case_for_page(request.user, case_no)
    data = letter_data_for(case, letter)
    content = _sealed_copy(case, data) or _seal_now(request.user, case, data)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"{case.case_no}-{DocumentKind(data.kind).label}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-store"
    return response


# --- my cases ---------------------------------------------------------------------------

STEPS = (
    gettext_lazy("提交申请"),
    gettext_lazy("受理"),
    gettext_lazy("审查办理"),
    gettext_lazy("作出决定"),
    gettext_lazy("办结"),
)
STEP_OF_STATE = {
    CaseState.SUBMITTED: 0,
    CaseState.CORRECTION: 0,
    CaseState.REFUSED: 1,
    CaseState.IN_PROGRESS: 2,
    CaseState.DECIDED: 3,
    CaseState.ISSUED: 3,
    CaseState.COMPLETED: 4,
}


def progress(state: str) -> list[dict]:
    """The five steps a citizen sees for a case in `state`, each done, current or to come."""
    current = STEP_OF_STATE[state]
    done_through = current if state == CaseState.COMPLETED else current - 1
    return [
        {"label": label, "done": n <= done_through, "current": n == current}
        for n, label in enumerate(STEPS)
    ]


@dataclass(frozen=True)
class MyCaseRow:
    """A case in a citizen's list as the page shows it, worked out once here."""

    link: str
    case_no: str
    item: str
    applicant: str
    state: str
    in_correction: bool
    progress: str  # the rendered progress bar


def _my_case_rows(cases: list[Case]) -> list[MyCaseRow]:
    """The progress bar depends only on the state, so each state's is rendered once."""

    @functools.cache
    def progress_bar(state: str) -> str:
        return render_to_string(TEMPLATES + "_progress.html", {"steps": progress(state)})

    return [
        MyCaseRow(
            link=reverse("cases:case", args=[case.case_no]),
            case_no=case.case_no,
            item=case.version.name,
            applicant=case.subject.name,
            state=case.get_state_display(),
            in_correction=case.state == CaseState.CORRECTION,
            progress=progress_bar(case.state),
        )
        for case in cases
    ]


@case_page
def my_cases(request):
    page = _queue_page(
        request,
        functools.partial(selectors.cases_of_applicant, request.user),
        lambda case: case.pk,
    )
    context = {"nav": "my_cases", "page": page, "rows": _my_case_rows(page.rows)}
    return render(request, TEMPLATES + "my_cases.html", context)
