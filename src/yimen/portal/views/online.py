"""The online hall and the mobile web app: a guided online application saved as a draft
at each step, my ratings, the elderly mode switch and the installable web-app manifest.

An application goes: 1 whom it is for, 2 the items' forms, 3 the materials (the locker
answers what it can), 4 review and submit. Every write is a `yimen.cases.services`
call; a refusal is shown beside the field it names, with everything typed kept.
"""

import functools
import io
import json
from collections import defaultdict
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from PIL import Image, ImageDraw

from yimen import uploads
from yimen.cases import selectors, services
from yimen.cases.models import ApplicationDraft, Channel
from yimen.catalog.models import FormField, ItemVersion
from yimen.errors import DomainError
from yimen.oversight.selectors import ratings as rating_selectors
from yimen.portal.views.accounts import safe_next
from yimen.portal.views.cases import case_page
from yimen.subjects.models import Subject
from yimen.subjects.selectors import speaks_for, subjects_acting_for

TEMPLATES = "portal/online/"
Step = ApplicationDraft.Step
STEP_SLUGS = {
    Step.APPLICANT: "applicant",
    Step.FORM: "form",
    Step.MATERIALS: "materials",
    Step.REVIEW: "review",
}
SLUG_STEPS = {slug: step for step, slug in STEP_SLUGS.items()}
UPLOAD_ACCEPT = ".pdf,.ofd,.jpg,.jpeg,.png,application/pdf,application/ofd,image/jpeg,image/png"
ELDERLY_COOKIE = "yimen_elderly"
ELDERLY_COOKIE_DAYS = 365
BRAND_COLOUR = "#0b4f9c"
ICON_SIZES = (192, 512)


def channel_of(request) -> str:
    """手机端 when the browser says it runs on a phone (the Sec-CH-UA-Mobile client hint, else
    "Mobile" in its user agent), else 网上大厅. The viewport's width says nothing reliable."""
    hint = request.headers.get("Sec-CH-UA-Mobile", "").strip()
    if hint:
        return Channel.MOBILE if hint == "?1" else Channel.ONLINE
    return Channel.MOBILE if "Mobile" in request.headers.get("User-Agent", "") else Channel.ONLINE


def _posted_channel(request) -> str:
    posted = request.POST.get("channel", "")
    return posted if posted in services.ONLINE_CHANNELS else channel_of(request)


# --- forms ------------------------------------------------------------------------------


def _subject_label(account, subject: Subject) -> str:
    if speaks_for(account, subject):
        relation = _("本人") if subject.kind == Subject.Kind.PERSON else _("法定代表人")
    else:
        relation = _("受托代办")
    return f"{subject}（{subject.get_kind_display()} · {relation}）"


class ApplicantForm(forms.Form):
    subject = forms.TypedChoiceField(
        label=gettext_lazy("为谁申请"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择申请人。")},
    )

    def __init__(self, *args, account, subjects: list[Subject], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [(s.pk, _subject_label(account, s)) for s in subjects]
        if len(subjects) == 1 and not self.is_bound:
            self.initial.setdefault("subject", subjects[0].pk)


def _item_field(field: FormField, *, required: bool, shared_by: int = 0) -> forms.Field:
    """An item's form field as the applicant fills it in. Nothing is checked here: the
    filing's rules (yimen.cases.formdata) check it, with their own messages."""
    attrs = {"aria-required": "true"} if required else {}
    if field.max_length:
        attrs["maxlength"] = field.max_length
    if field.field_type == FormField.FieldType.CHOICE:
        options = [("", _("请选择"))] + [(c, c) for c in field.choices]
        widget = forms.Select(attrs=attrs, choices=options)
    elif field.field_type == FormField.FieldType.DATE:
        widget = forms.DateInput(attrs={**attrs, "type": "date"})
    elif field.field_type == FormField.FieldType.NUMBER:
        widget = forms.TextInput(attrs={**attrs, "inputmode": "decimal"})
    else:
        widget = forms.TextInput(attrs=attrs)
    notes = [field.help_text] if field.help_text else []
    if shared_by:
        notes.append(_("本一件事的 %(n)s 个事项都用这一项，只需填写一次。") % {"n": shared_by})
    made = forms.CharField(
        label=field.label, required=False, help_text=" ".join(notes), widget=widget, strip=True
    )
    made.marked_required = required
    return made


@dataclass(frozen=True)
class SharedField:
    items: int
    required: bool


def _shared_fields(versions: list[ItemVersion]) -> dict[str, SharedField]:
    """The fields several items of a bundle ask in the same way (the newborn's name, a
    phone number): asked once, given to each of them."""
    asked = defaultdict(list)
    for version in versions:
        for field in version.form_fields.all():
            asked[field.key].append(field)
    return {
        key: SharedField(len(fields), any(f.required for f in fields))
        for key, fields in asked.items()
        if len(fields) > 1 and len({_asked_as(f) for f in fields}) == 1
    }


def _asked_as(field: FormField) -> tuple:
    return (
        field.label,
        field.field_type,
        tuple(field.choices),
        field.pattern,
        field.max_length,
        field.min_value,
        field.max_value,
    )


def _place_details(form: forms.Form, error: DomainError, field_of) -> None:
    """Each problem a service found beside its field (once, when several items share the
    field); the rest at the top of the form."""
    placed = False
    for detail in error.details:
        name = field_of(detail) if isinstance(detail, dict) else None
        if name in form.fields:
            if detail["message"] not in form.errors.get(name, []):
                form.add_error(name, detail["message"])
            placed = True
    if not placed:
        form.add_error(error.field if error.field in form.fields else None, error.message)


class ItemFormsForm(forms.Form):
    """Step 2: the application form of the item, or of each item of a bundle, filled in
    with what the draft kept."""

    def __init__(self, *args, versions: list[ItemVersion], bundle: bool, saved: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.bundle = bundle
        self.items: list[tuple[ItemVersion, dict[str, str]]] = []  # field key -> field name
        shared = _shared_fields(versions) if bundle else {}
        for n, version in enumerate(versions):
            values = saved.get(version.item.code, {}) if bundle else saved
            names = {}
            for field in version.form_fields.all():
                share = shared.get(field.key)
                name = f"s_{field.key}" if share else f"i{n}_{field.key}"
                if name not in self.fields:
                    required = share.required if share else field.required
                    self.fields[name] = _item_field(
                        field, required=required, shared_by=share.items if share else 0
                    )
                if values.get(field.key):
                    self.initial.setdefault(name, values[field.key])
                names[field.key] = name
            self.items.append((version, names))

    def groups(self) -> list[dict]:
        """Each item with its fields; a shared field shows with the first item asking it."""
        shown, groups = set(), []
        for version, names in self.items:
            fields = [self[name] for name in names.values() if name not in shown]
            shown.update(names.values())
            groups.append({"version": version, "fields": fields})
        return groups

    def typed(self) -> dict:
        by_item = {
            version.item.code: {k: self.cleaned_data.get(name, "") for k, name in names.items()}
            for version, names in self.items
        }
        return by_item if self.bundle else next(iter(by_item.values()), {})

    def show_refusal(self, error: DomainError) -> None:
        by_item = {version.item.code: names for version, names in self.items}
        first = self.items[0][1] if self.items else {}
        _place_details(
            self, error, lambda d: by_item.get(d.get("item"), first).get(d.get("field", ""))
        )


class MaterialsForm(forms.Form):
    """Step 3: a file for each material the locker does not answer."""

    def __init__(self, *args, materials: list[selectors.DraftMaterial], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for material in materials:
            field = None
            if material.entry is None:
                name = f"m_{material.kind_code}"
                self.fields[name] = forms.FileField(
                    label=(_("重新上传%(m)s") if material.upload else _("上传%(m)s"))
                    % {"m": material.name},
                    required=False,
                    allow_empty_file=True,  # refused by the upload checks, with their message
                    help_text=_("PDF、OFD、JPG 或 PNG 格式，不超过 %(mb)s MB。")
                    % {"mb": uploads.max_bytes() // uploads.MB},
                    widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
                )
                field = self[name]
            self.rows.append({"material": material, "field": field})

    def files_given(self) -> dict:
        return {name.removeprefix("m_"): file for name, file in self.cleaned_data.items() if file}

    def show_refusal(self, error: DomainError) -> None:
        _place_details(self, error, lambda d: f"m_{d.get('field', '')}")


# --- step 1: whom the application is for -------------------------------------------------


def _application(item_code: str = "", bundle_code: str = "") -> dict:
    """What an application page shows of its item or bundle."""
    versions = selectors.application_versions(item_code=item_code, bundle_code=bundle_code)
    selectors.ensure_offered_online(versions)
    code = bundle_code or item_code
    return {
        "code": code,
        "is_bundle": bool(bundle_code),
        "title": selectors.application_name(code),
        "versions": versions,
    }


def _start(request, *, item_code: str = "", bundle_code: str = ""):
    application = _application(item_code, bundle_code)
    subjects = selectors.subjects_for_application(request.user, application["versions"])
    form = ApplicantForm(request.POST or None, account=request.user, subjects=subjects)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.draft_start(
                account=request.user,
                subject_id=form.cleaned_data["subject"],
                item_code=item_code,
                bundle_code=bundle_code,
            )
        except DomainError as error:
            form.add_error("subject", error.message)
        else:
            return _to_step(draft, Step.FORM)
    drafts = [r for r in selectors.drafts_of(request.user) if r.draft.code == application["code"]]
    context = {
        **application,
        "form": form,
        "subjects": subjects,
        "has_any_subject": bool(subjects) or bool(subjects_acting_for(request.user)),
        "drafts": drafts,
        "step": Step.APPLICANT,
        "steps": _steps(Step.APPLICANT),
    }
    status = 422 if form.errors else 200
    return render(request, TEMPLATES + "applicant.html", context, status=status)


@case_page
def apply_item(request, item_code: str):
    return _start(request, item_code=item_code)


@case_page
def apply_bundle(request, code: str):
    return _start(request, bundle_code=code)


# --- a saved application, step by step ---------------------------------------------------


def _to_step(draft: ApplicationDraft, step: int):
    return redirect("online:step", draft_id=draft.pk, step=STEP_SLUGS[step])


def _steps(current: int, reached: int = Step.APPLICANT, draft=None) -> list[dict]:
    """The four steps for the progress bar: done, current, or to come; links to those reached."""
    return [
        {
            "number": step.value,
            "label": step.label,
            "current": step == current,
            "done": step < current,
            "url": reverse("online:step", args=[draft.pk, STEP_SLUGS[step]])
            if draft and step <= reached and step != current
            else "",
        }
        for step in Step
    ]


def _draft_context(draft: ApplicationDraft, step: int) -> dict:
    return {
        **_application(draft.item_code, draft.bundle_code),
        "draft": draft,
        "step": step,
        "steps": _steps(step, draft.step, draft),
    }


@case_page
def draft_resume(request, draft_id: int):
    draft = selectors.draft_for(request.user, draft_id)
    return _to_step(draft, draft.step)


@case_page
def draft_step(request, draft_id: int, step: str):
    if step not in SLUG_STEPS:
        raise Http404
    draft = selectors.draft_for(request.user, draft_id)
    wanted = SLUG_STEPS[step]
    if wanted > draft.step:
        return _to_step(draft, draft.step)
    return STEP_VIEWS[wanted](request, draft, _draft_context(draft, wanted))


def _saved(request, draft: ApplicationDraft, step: int):
    messages.success(request, _("草稿已保存，您可以稍后在“我的办件”中继续填写。"))
    return _to_step(draft, step)


def _applicant_step(request, draft, context):
    subjects = selectors.subjects_for_application(request.user, context["versions"])
    initial = {"subject": draft.subject_id}
    form = ApplicantForm(
        request.POST or None, initial=initial, account=request.user, subjects=subjects
    )
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.draft_choose_applicant(
                draft=draft, account=request.user, subject_id=form.cleaned_data["subject"]
            )
        except DomainError as error:
            form.add_error("subject", error.message)
        else:
            return _to_step(draft, Step.FORM)
    context.update(form=form, subjects=subjects, has_any_subject=True)
    return render(
        request, TEMPLATES + "applicant.html", context, status=422 if form.errors else 200
    )


def _form_step(request, draft, context):
    form = ItemFormsForm(
        request.POST or None,
        versions=context["versions"],
        bundle=draft.is_bundle,
        saved=draft.form_data,
    )
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        advance = request.POST.get("action") != "save"
        try:
            draft = services.draft_save_form(
                draft=draft, account=request.user, typed=form.typed(), advance=advance
            )
        except DomainError as error:
            form.show_refusal(error)
            return render(request, TEMPLATES + "form.html", context, status=error.status)
        return _to_step(draft, Step.MATERIALS) if advance else _saved(request, draft, Step.FORM)
    return render(request, TEMPLATES + "form.html", context)


def _materials_step(request, draft, context):
    materials = selectors.draft_materials(draft, context["versions"])
    form = MaterialsForm(request.POST or None, request.FILES or None, materials=materials)
    context.update(form=form, materials=materials)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "next")
        try:
            draft = _save_materials(request, draft, form, action)
        except DomainError as error:
            draft = selectors.draft_for(request.user, draft.pk)
            context.update(_materials_context(draft, context["versions"], error))
            return render(request, TEMPLATES + "materials.html", context, status=error.status)
        if action == "next":
            return _to_step(draft, Step.REVIEW)
        if action.startswith("remove:"):
            messages.success(request, _("已删除上传的文件。"))
            return _to_step(draft, Step.MATERIALS)
        return _saved(request, draft, Step.MATERIALS)
    return render(
        request, TEMPLATES + "materials.html", context, status=422 if form.errors else 200
    )


def _save_materials(request, draft, form: MaterialsForm, action: str) -> ApplicationDraft:
    """Keep the files given; then take one back, or move on when nothing is missing."""
    files = form.files_given()
    removing = action.removeprefix("remove:") if action.startswith("remove:") else ""
    if files or action == "next":
        draft = services.draft_save_materials(
            draft=draft, account=request.user, files=files, advance=action == "next"
        )
    if removing:
        draft = services.draft_remove_upload(draft=draft, account=request.user, kind_code=removing)
    return draft


def _materials_context(draft, versions, error: DomainError) -> dict:
    """The page after a refusal: the uploads that did go through shown, the refusal placed."""
    materials = selectors.draft_materials(draft, versions)
    form = MaterialsForm(data={}, files={}, materials=materials)
    form.is_valid()
    form.show_refusal(error)
    return {"draft": draft, "materials": materials, "form": form}


def _review_step(request, draft, context, error: DomainError | None = None):
    """Everything given, to check once more; the button carries the draft's idempotency
    key and the channel the browser was found to be on."""
    channel = _posted_channel(request) if request.method == "POST" else channel_of(request)
    context.update(
        materials=selectors.draft_materials(draft, context["versions"]),
        answers=_answers(draft, context["versions"]),
        channel=channel,
        error=error,
    )
    status = error.status if error else 200
    return render(request, TEMPLATES + "review.html", context, status=status)


def _answers(draft: ApplicationDraft, versions: list[ItemVersion]) -> list[dict]:
    """What was typed, by item, with each field's label, for the review page."""
    groups = []
    for version in versions:
        values = draft.form_data.get(version.item.code, {}) if draft.is_bundle else draft.form_data
        rows = [(f.label, values.get(f.key, "")) for f in version.form_fields.all()]
        groups.append({"version": version, "rows": rows})
    return groups


def _filed(request, filing):
    numbers = list(filing.cases.order_by("pk").values_list("case_no", flat=True))
    messages.success(
        request,
        _("申请已提交，办件编号 %(n)s。办理进度可在“我的办件”中查看。") % {"n": "、".join(numbers)},
    )
    return redirect("cases:case", case_no=numbers[0])


@require_POST
@case_page
def draft_submit(request, draft_id: int):
    """The review page's submit button. A second press (the same key) finds the case the
    first one made, though the draft is gone by then."""
    try:
        filing = services.draft_submit(
            account=request.user,
            draft_id=draft_id,
            channel=_posted_channel(request),
            key=request.POST.get("key", ""),
        )
    except DomainError as error:
        draft = selectors.draft_for(request.user, draft_id)
        context = _draft_context(draft, Step.REVIEW)
        return _review_step(request, draft, context, error)
    return _filed(request, filing)


STEP_VIEWS = {
    Step.APPLICANT: _applicant_step,
    Step.FORM: _form_step,
    Step.MATERIALS: _materials_step,
    Step.REVIEW: _review_step,
}


@require_POST
@case_page
def draft_delete(request, draft_id: int):
    draft = selectors.draft_for(request.user, draft_id)
    services.draft_delete(draft=draft, account=request.user)
    messages.success(request, _("草稿已删除。"))
    return redirect(safe_next(request, reverse("online:drafts")))


@case_page
def drafts(request):
    return render(
        request,
        TEMPLATES + "drafts.html",
        {"nav": "my_cases", "drafts": selectors.drafts_of(request.user)},
    )


# --- my ratings ---------------------------------------------------------------------------


@case_page
def my_ratings(request):
    given = rating_selectors.ratings_given(request.user)
    to_rate = rating_selectors.cases_to_rate(request.user)
    return render(
        request,
        TEMPLATES + "ratings.html",
        {"nav": "ratings", "ratings": given, "to_rate": to_rate},
    )


# --- elderly mode --------------------------------------------------------------------------


@require_POST
def elderly_mode(request):
    """长辈模式 (适老化): larger text and targets, simpler pages, kept in a cookie. A plain
    form post, so it works without JavaScript."""
    response = redirect(safe_next(request, "/"))
    if request.POST.get("elderly") == "1":
        response.set_cookie(
            ELDERLY_COOKIE,
            "1",
            max_age=ELDERLY_COOKIE_DAYS * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(ELDERLY_COOKIE, samesite="Lax")
    return response


# --- the installable web app ---------------------------------------------------------------


@require_safe
def manifest(request):
    icons = [
        {
            "src": reverse("online:icon", args=[size]),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for size in ICON_SIZES
        for purpose in ("any", "maskable")
    ]
    icons.append({"src": static("portal/icons/yimen.svg"), "sizes": "any", "type": "image/svg+xml"})
    body = {
        "name": _("一门式政务服务"),
        "short_name": _("一门"),
        "description": _("查事项、看指南、在线申请、查进度"),
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": BRAND_COLOUR,
        "icons": icons,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


@functools.cache
def _icon_png(size: int) -> bytes:
    """The app icon as icons/yimen.svg draws it: the character 一 in a door's frame, white on
    the brand blue, inside the safe zone of a maskable icon."""
    image = Image.new("RGB", (size, size), BRAND_COLOUR)
    draw = ImageDraw.Draw(image)
    frame = [size * f for f in (0.22, 0.22, 0.78, 0.78)]
    draw.rounded_rectangle(frame, radius=size * 0.06, outline="#ffffff", width=round(size * 0.05))
    draw.rectangle([size * f for f in (0.33, 0.46, 0.67, 0.54)], fill="#ffffff")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def icon(request, size: int):
    if size not in ICON_SIZES:
        raise Http404
    return HttpResponse(_icon_png(size), content_type="image/png")
