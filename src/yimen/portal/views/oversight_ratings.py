"""Pages of ratings (好差评), rectification, complaints and the internal assessment.

The citizen rates a finished case (signed in, or through the one-time link of an SMS);
department staff and supervisors work through bad ratings step by step; anyone may
complain and staff answer at the complaints desk; the satisfaction figures are public.
Every write goes through `yimen.oversight.services`; a refusal is shown beside its form
with what was typed kept.
"""

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yimen.cases.states import TERMINAL
from yimen.catalog.models import ServiceCenter
from yimen.errors import DomainError, InvalidInput
from yimen.oversight.models.complaints import Complaint
from yimen.oversight.models.ratings import (
    RatingAppeal,
    RatingChannel,
    RatingTag,
    Rectification,
    RectificationStep,
    Satisfaction,
)
from yimen.oversight.selectors import assessment as assessment_selectors
from yimen.oversight.selectors import complaints as complaint_selectors
from yimen.oversight.selectors import ratings as selectors
from yimen.oversight.services import complaints as complaint_services
from yimen.oversight.services import ratings as services
from yimen.portal.views.cases import place_error
from yimen.subjects import permissions

TEMPLATES = "portal/oversight/ratings/"
ERROR_TEMPLATE = "portal/cases/error.html"
Step = Rectification.Step
Action = RectificationStep.Action


def refusals_as_pages(view):
    """A refused request shows its Chinese message on a page with the error's status."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return render(request, ERROR_TEMPLATE, {"error": error}, status=error.status)

    return wrapper


def signed_in_page(view):
    return login_required(refusals_as_pages(view))


def _status(form: forms.Form, refusal: DomainError | None = None) -> int:
    return refusal.status if refusal else (422 if form.is_bound and form.errors else 200)


# --- forms ------------------------------------------------------------------------------


def _text_area(label, required=True, rows=3, max_length=1000) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _yes_no(label, yes, no, required_message) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", yes), ("no", no)],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("您对本次服务的评价"),
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择评价等级。")},
    )
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("原因（可多选）"),
        choices=RatingTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = _text_area(
        gettext_lazy("意见和建议"), required=False, rows=4, max_length=services.COMMENT_MAX
    )


class StepForm(forms.Form):
    note = _text_area(gettext_lazy("情况说明"))


class FollowUpForm(StepForm):
    rater_satisfied = _yes_no(
        gettext_lazy("评价人对整改是否满意"),
        gettext_lazy("满意"),
        gettext_lazy("不满意"),
        gettext_lazy("请记录评价人对整改是否满意。"),
    )


class AppealForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("申诉类型"), choices=RatingAppeal.Kind.choices, widget=forms.RadioSelect
    )
    reason = _text_area(gettext_lazy("申诉理由"))


class AppealDecisionForm(forms.Form):
    upheld = _yes_no(
        gettext_lazy("复核结论"),
        gettext_lazy("申诉成立（该评价不计入统计）"),
        gettext_lazy("申诉不成立（继续整改）"),
        gettext_lazy("请选择复核结论。"),
    )
    note = _text_area(gettext_lazy("复核意见"))


class ComplaintForm(forms.Form):
    target = forms.ChoiceField(
        label=gettext_lazy("投诉对象"),
        choices=Complaint.Target.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择投诉对象。")},
    )
    case_no = forms.CharField(
        label=gettext_lazy("办件编号（投诉办件时填写）"), required=False, max_length=30
    )
    center = forms.ChoiceField(label=gettext_lazy("服务中心（投诉窗口时选择）"), required=False)
    window = forms.CharField(label=gettext_lazy("窗口号"), required=False, max_length=50)
    staff_no = forms.CharField(
        label=gettext_lazy("工作人员工号（投诉工作人员时填写）"), required=False, max_length=150
    )
    content = _text_area(gettext_lazy("投诉内容"), rows=6, max_length=complaint_services.TEXT_MAX)
    name = forms.CharField(label=gettext_lazy("您的姓名（可不填）"), required=False, max_length=50)
    phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"required": gettext_lazy("请填写联系电话，以便答复您。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        centers = ServiceCenter.objects.values_list("code", "name")
        self.fields["center"].choices = [("", "—"), *centers]


class AnswerForm(forms.Form):
    answer = _text_area(gettext_lazy("答复内容"), rows=5, max_length=complaint_services.TEXT_MAX)
    founded = _yes_no(
        gettext_lazy("投诉是否属实"),
        gettext_lazy("属实"),
        gettext_lazy("不属实"),
        gettext_lazy("请认定投诉是否属实。"),
    )


class CloseForm(forms.Form):
    satisfied = _yes_no(
        gettext_lazy("投诉人对答复是否满意"),
        gettext_lazy("满意"),
        gettext_lazy("不满意"),
        gettext_lazy("请记录投诉人对答复是否满意。"),
    )
    note = _text_area(
        gettext_lazy("投诉人意见"), required=False, max_length=complaint_services.TEXT_MAX
    )


# --- rating a case ------------------------------------------------------------------------

SIGNED_IN_CHANNELS = frozenset(RatingChannel.values) - {RatingChannel.SMS}


def _channel(request) -> str:
    """Where the rating comes from: the page's channel (kiosk, hall tablet, QR code) when
    given, else a phone's browser or a computer's."""
    given = request.POST.get("channel") or request.GET.get("channel", "")
    if given in SIGNED_IN_CHANNELS:
        return given
    agent = request.headers.get("User-Agent", "")
    return RatingChannel.MOBILE if "Mobile" in agent else RatingChannel.PC


def _submit_rating(form: RatingForm, submit) -> DomainError | None:
    """Call the rating service with the form's data; the refusal, placed on the form."""
    try:
        submit(**form.cleaned_data)
    except DomainError as error:
        place_error(form, error)
        return error
    return None


@signed_in_page
def rate(request, case_no: str):
    """The applicant's rating form on their finished case; once rated, the rating."""
    case = selectors.case_for_rater(request.user, case_no)
    rating = selectors.rating_by(case, selectors.account_rater_key(request.user))
    form = RatingForm(request.POST or None)
    refusal = None
    if request.method == "POST" and rating is None and form.is_valid():
        submit = functools.partial(
            services.rating_submit, case=case, rater=request.user, channel=_channel(request)
        )
        refusal = _submit_rating(form, submit)
        if refusal is None:
            messages.success(request, _("感谢您的评价！"))
            return redirect("oversight_ratings:rate", case_no=case.case_no)
    context = {
        "case": case,
        "rating": rating,
        "form": form,
        "finished": case.state in TERMINAL,
        "channel": _channel(request),
        "action": request.path,
    }
    return render(request, TEMPLATES + "rate.html", context, status=_status(form, refusal))


def rate_by_link(request, token: str):
    """The one-time link of an SMS: rate without signing in."""
    try:
        invite = selectors.invite_for_token(token)
    except DomainError as error:
        return render(
            request, TEMPLATES + "link_closed.html", {"error": error}, status=error.status
        )
    form = RatingForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        submit = functools.partial(services.rating_submit_by_link, token=token)
        refusal = _submit_rating(form, submit)
        if refusal is None:
            return render(request, TEMPLATES + "rated.html", {"case": invite.case})
    context = {"case": invite.case, "form": form, "finished": True, "action": request.path}
    return render(request, TEMPLATES + "rate.html", context, status=_status(form, refusal))


# --- bad ratings and their rectification ---------------------------------------------------


@signed_in_page
def rectifications(request):
    late_only = request.GET.get("late") == "1"
    rows = selectors.rectification_rows(request.user, late_only=late_only)
    context = {"nav": "oversight", "rows": rows, "late_only": late_only}
    return render(request, TEMPLATES + "rectifications.html", context)


STEP_FORMS = {
    Action.VERIFY: StepForm,
    Action.RECTIFY: StepForm,
    Action.EXPLAIN: StepForm,
    Action.FOLLOW_UP: FollowUpForm,
    Action.CLOSE: StepForm,
}
STEP_ACTIONS = {
    Step.VERIFY: [Action.VERIFY],
    Step.RECTIFY: [Action.RECTIFY, Action.EXPLAIN],
    Step.FOLLOW_UP: [Action.FOLLOW_UP],
    Step.CLOSE: [Action.CLOSE],
}
APPEAL, DECIDE_APPEAL = "appeal", "decide_appeal"


def _offered(user, rectification: Rectification) -> list[str]:
    """The actions this viewer may take now; the services check again when they act."""
    rating = rectification.rating
    appeal = getattr(rating, "appeal", None)
    supervisor = selectors.is_supervisor(user)
    department = selectors.serves_department(user, rectification.department_id)
    offered = [
        action
        for action in STEP_ACTIONS.get(rectification.step, [])
        if (supervisor if action == Action.CLOSE else department)
    ]
    if department and rectification.is_open and appeal is None:
        offered.append(APPEAL)
    if supervisor and appeal is not None and appeal.status == RatingAppeal.Status.PENDING:
        offered.append(DECIDE_APPEAL)
    return offered


def _action_form(action: str, data=None) -> forms.Form:
    """The action's form; ids carry the action, as one page holds several forms."""
    form_class = {APPEAL: AppealForm, DECIDE_APPEAL: AppealDecisionForm}.get(action)
    return (form_class or STEP_FORMS[action])(data, auto_id=f"id_{action}_%s")


ACTION_TITLES = {
    **{a.value: a.label for a in Action},
    APPEAL: gettext_lazy("申诉复核（误评、恶意差评）"),
    DECIDE_APPEAL: gettext_lazy("复核申诉"),
}


def _rectification_context(request, rectification: Rectification, failed=None) -> dict:
    forms_by_action = {a: _action_form(a) for a in _offered(request.user, rectification)}
    if failed is not None:
        forms_by_action[failed[0]] = failed[1]
    return {
        "nav": "oversight",
        "rectification": rectification,
        "rating": rectification.rating,
        "appeal": getattr(rectification.rating, "appeal", None),
        "steps": list(rectification.steps.select_related("done_by")),
        "warning": selectors.step_warning(rectification),
        "action_forms": [(a, ACTION_TITLES[a], f) for a, f in forms_by_action.items()],
        "failed_action": failed[0] if failed else "",
    }


@signed_in_page
def rectification(request, rating_id: int):
    found = selectors.rectification_for_staff(request.user, rating_id)
    return render(request, TEMPLATES + "rectification.html", _rectification_context(request, found))


def _act(action: str, user, rectification: Rectification, data: dict) -> None:
    if action == APPEAL:
        services.rating_appeal(rating=rectification.rating, actor=user, **data)
    elif action == DECIDE_APPEAL:
        appeal = selectors.appeal_of(rectification.rating_id)
        services.rating_appeal_decide(appeal=appeal, supervisor=user, **data)
    else:
        services.rectification_act(rectification=rectification, actor=user, action=action, **data)


@require_POST
@signed_in_page
def rectification_act(request, rating_id: int, action: str):
    found = selectors.rectification_for_staff(request.user, rating_id)
    if action not in {*STEP_FORMS, APPEAL, DECIDE_APPEAL}:
        raise InvalidInput("invalid_action", _("未知的整改操作。"))
    form = _action_form(action, request.POST)
    refusal = None
    if form.is_valid():
        try:
            _act(action, request.user, found, form.cleaned_data)
        except DomainError as error:
            place_error(form, error)
            refusal = error
        else:
            messages.success(request, _("已办理：%(a)s。") % {"a": ACTION_TITLES[action]})
            return redirect("oversight_ratings:rectification", rating_id=rating_id)
    found.refresh_from_db()
    context = _rectification_context(request, found, failed=(action, form))
    return render(request, TEMPLATES + "rectification.html", context, status=_status(form, refusal))


# --- complaints --------------------------------------------------------------------------


def _complaint_channel(request) -> str:
    given = request.POST.get("channel") or request.GET.get("channel", "")
    return given if given in Complaint.Channel.values else Complaint.Channel.WEB


@refusals_as_pages
def complain(request):
    """The public complaint form; staff use it with ?channel=phone to enter a call."""
    channel = _complaint_channel(request)
    initial = {"case_no": request.GET.get("case", ""), "target": request.GET.get("target", "")}
    form = ComplaintForm(request.POST or None, initial=initial)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["center_code"] = data.pop("center")
        staff = permissions.is_staff_member(request.user)
        try:
            complaint = complaint_services.complaint_submit(
                channel=channel,
                account=None if staff else request.user,
                entered_by=request.user if staff else None,
                **data,
            )
        except DomainError as error:
            place_error(form, error)
            refusal = error
        else:
            return render(request, TEMPLATES + "complaint_sent.html", {"complaint": complaint})
    context = {"form": form, "channel": channel}
    return render(request, TEMPLATES + "complain.html", context, status=_status(form, refusal))


@signed_in_page
def complaint_desk(request):
    status = request.GET.get("status", "")
    context = {
        "nav": "oversight",
        "rows": complaint_selectors.complaint_desk(request.user, status=status),
        "status": status,
        "statuses": Complaint.Status.choices,
    }
    return render(request, TEMPLATES + "complaint_desk.html", context)


COMPLAINT_FORMS = {"answer": AnswerForm, "close": CloseForm}


def _complaint_context(row, failed=None) -> dict:
    complaint = row.complaint
    action = {Complaint.Status.OPEN: "answer", Complaint.Status.ANSWERED: "close"}.get(
        complaint.status
    )
    form = failed[1] if failed else (COMPLAINT_FORMS[action]() if action else None)
    return {"nav": "oversight", "row": row, "complaint": complaint, "action": action, "form": form}


@signed_in_page
def complaint(request, complaint_id: int):
    row = complaint_selectors.complaint_for_staff(request.user, complaint_id)
    return render(request, TEMPLATES + "complaint.html", _complaint_context(row))


@require_POST
@signed_in_page
def complaint_act(request, complaint_id: int, action: str):
    row = complaint_selectors.complaint_for_staff(request.user, complaint_id)
    if action not in COMPLAINT_FORMS:
        raise InvalidInput("invalid_action", _("未知的投诉办理操作。"))
    form = COMPLAINT_FORMS[action](request.POST)
    refusal = None
    if form.is_valid():
        service = {
            "answer": complaint_services.complaint_answer,
            "close": complaint_services.complaint_close,
        }[action]
        try:
            service(complaint=row.complaint, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            place_error(form, error)
            refusal = error
        else:
            messages.success(request, _("投诉已办理。"))
            return redirect("oversight_ratings:complaint", complaint_id=complaint_id)
    context = _complaint_context(row, failed=(action, form))
    return render(request, TEMPLATES + "complaint.html", context, status=_status(form, refusal))


# --- public figures and the internal assessment ------------------------------------------

MONTH_CHOICES = (3, 6, 12, 24)


def satisfaction(request):
    months = request.GET.get("months", "")
    months = int(months) if months.isdigit() and int(months) in MONTH_CHOICES else 12
    context = {
        "nav": "satisfaction",
        "report": selectors.satisfaction_report(months),
        "months": months,
        "month_choices": MONTH_CHOICES,
        "levels": Satisfaction.choices,
    }
    return render(request, TEMPLATES + "satisfaction.html", context)


@signed_in_page
def assessment(request):
    assessment_selectors.ensure_may_assess(request.user)
    month_text = request.GET.get("month", "")
    context = {"nav": "oversight", "month_text": month_text}
    try:
        month = assessment_selectors.parse_month(month_text)
    except InvalidInput as error:
        context["error"] = error
        return render(request, TEMPLATES + "assessment.html", context, status=error.status)
    context["result"] = assessment_selectors.assessment(request.user, month)
    context["month_text"] = f"{month:%Y-%m}"
    return render(request, TEMPLATES + "assessment.html", context)
