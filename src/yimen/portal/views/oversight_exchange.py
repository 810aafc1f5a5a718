"""Pages of the approval–regulation exchange (审管互动): the regulator's inbox, a notice with
its acknowledgement and findings, the regulator's subscriptions, the approvers' findings
queue, and the staff's view of webhook deliveries with a retry button.

Rules live in `yimen.oversight.services.exchange`; a refusal is shown beside the form it
came from, with what was typed kept.
"""

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yimen.errors import DomainError
from yimen.oversight.models.exchange import RegulatorFinding
from yimen.oversight.selectors import exchange as selectors
from yimen.oversight.services import exchange as services
from yimen.subjects import permissions

TEMPLATES = "portal/oversight/exchange/"
# The licences pages' revocation form, linked from a finding that asks for a revocation.
LICENCE_REVOKE_URL = "licences:revoke"


def exchange_page(view):
    """Signed-in pages; a refused request shows its Chinese message with the error's status."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return render(
                request, "portal/accounts/error.html", {"error": error}, status=error.status
            )

    return wrapper


def _place_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _text(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FindingForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("反馈类型"),
        choices=RegulatorFinding.Kind.choices,
        widget=forms.RadioSelect,
    )
    text = _text(gettext_lazy("反馈内容"))


class SubscriptionForm(forms.Form):
    department = forms.TypedChoiceField(label=gettext_lazy("监管部门"), coerce=int)
    item_code = forms.CharField(label=gettext_lazy("事项编码"), max_length=40)
    webhook_url = forms.CharField(
        label=gettext_lazy("推送地址（可选）"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "填写后，通知会以签名的 HTTP POST 推送到该地址；不填则仅在站内查看。"
        ),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {d.pk: d for d in departments}
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


class ResponseForm(forms.Form):
    response = _text(gettext_lazy("处理意见"))


# --- the regulator ----------------------------------------------------------------------


@exchange_page
def inbox(request):
    permissions.ensure_can(request.user, "regulation.receive")
    unacknowledged = request.GET.get("show") == "new"
    page = selectors.inbox(
        request.user, unacknowledged=unacknowledged, before=request.GET.get("before") or None
    )
    context = {"nav": "regulator", "page": page, "unacknowledged": unacknowledged}
    return render(request, TEMPLATES + "inbox.html", context)


def _notice_page(request, notice, form: FindingForm, status: int = 200):
    context = {
        "nav": "regulator",
        "notice": notice,
        "findings": selectors.notice_findings(notice),
        "form": form,
    }
    return render(request, TEMPLATES + "notice.html", context, status=status)


@exchange_page
def notice(request, notice_id):
    permissions.ensure_can(request.user, "regulation.receive")
    found = selectors.notice_for_regulator(request.user, notice_id)
    return _notice_page(request, found, FindingForm())


@exchange_page
@require_POST
def notice_acknowledge(request, notice_id):
    found = selectors.notice_for_regulator(request.user, notice_id)
    services.notice_acknowledge(actor=request.user, notice=found)
    messages.success(request, _("已确认收到证照 %(n)s 的审批结果。") % {"n": found.licence_no})
    if request.POST.get("back") == "notice":
        return redirect("oversight_exchange:notice", notice_id=found.pk)
    return redirect("oversight_exchange:inbox")


@exchange_page
@require_POST
def finding_send(request, notice_id):
    found = selectors.notice_for_regulator(request.user, notice_id)
    form = FindingForm(request.POST)
    if not form.is_valid():
        return _notice_page(request, found, form, status=422)
    try:
        services.finding_send(actor=request.user, notice=found, **form.cleaned_data)
    except DomainError as error:
        _place_error(form, error)
        return _notice_page(request, found, form, status=error.status)
    messages.success(request, _("反馈已送达审批部门。"))
    return redirect("oversight_exchange:notice", notice_id=found.pk)


def _subscriptions_page(request, form: SubscriptionForm, status: int = 200):
    context = {
        "nav": "regulator",
        "subscriptions": selectors.subscriptions_for(request.user),
        "form": form,
    }
    return render(request, TEMPLATES + "subscriptions.html", context, status=status)


@exchange_page
def subscriptions(request):
    permissions.ensure_can(request.user, "regulation.receive")
    departments = selectors.regulator_departments(request.user)
    if request.method != "POST":
        return _subscriptions_page(request, SubscriptionForm(departments=departments))
    form = SubscriptionForm(request.POST, departments=departments)
    if not form.is_valid():
        return _subscriptions_page(request, form, status=422)
    data = form.cleaned_data
    try:
        services.subscription_save(
            actor=request.user,
            department=form.departments[data["department"]],
            item_code=data["item_code"],
            webhook_url=data["webhook_url"],
        )
    except DomainError as error:
        _place_error(form, error)
        return _subscriptions_page(request, form, status=error.status)
    messages.success(request, _("已订阅事项 %(c)s。") % {"c": data["item_code"]})
    return redirect("oversight_exchange:subscriptions")


@exchange_page
@require_POST
def subscription_end(request, pk: int):
    subscription = selectors.subscription_for(request.user, pk)
    services.subscription_end(actor=request.user, subscription=subscription)
    messages.success(request, _("已取消订阅事项 %(c)s。") % {"c": subscription.item.code})
    return redirect("oversight_exchange:subscriptions")


# --- the approvers ----------------------------------------------------------------------


def _revoke_url(licence_no: str) -> str:
    try:
        return reverse(LICENCE_REVOKE_URL, args=[licence_no])
    except NoReverseMatch:
        return ""


def _findings_page(request, forms_by_finding=None, status: int = 200, error=None):
    handled = request.GET.get("show") == "handled"
    state = RegulatorFinding.Status.HANDLED if handled else RegulatorFinding.Status.OPEN
    rows = [
        {
            "finding": finding,
            "revoke_url": _revoke_url(finding.notice.licence_no),
            "form": (forms_by_finding or {}).get(finding.pk) or ResponseForm(),
        }
        for finding in selectors.findings_for_approver(request.user, status=state)
    ]
    context = {"nav": "findings", "rows": rows, "handled": handled, "error": error}
    return render(request, TEMPLATES + "findings.html", context, status=status)


@exchange_page
def findings(request):
    permissions.ensure_can(request.user, "case.decide")
    return _findings_page(request)


@exchange_page
@require_POST
def finding_handle(request, pk: int):
    finding = selectors.finding_for_approver(request.user, pk)
    form = ResponseForm(request.POST)
    if not form.is_valid():
        return _findings_page(request, {finding.pk: form}, status=422)
    try:
        services.finding_handle(
            actor=request.user, finding=finding, response=form.cleaned_data["response"]
        )
    except DomainError as error:
        _place_error(form, error)
        shown = None if error.field else error  # a field's error is shown beside it
        return _findings_page(request, {finding.pk: form}, status=error.status, error=shown)
    messages.success(request, _("已处理证照 %(n)s 的监管反馈。") % {"n": finding.notice.licence_no})
    return redirect("oversight_exchange:findings")


# --- deliveries -------------------------------------------------------------------------


@exchange_page
def outbox(request):
    services.ensure_outbox_staff(request.user)
    context = {"nav": "outbox", **selectors.outbox_pending_and_failed(request.user)}
    return render(request, TEMPLATES + "outbox.html", context)


@exchange_page
@require_POST
def outbox_retry(request, message_id):
    message = selectors.outbox_message_for_staff(request.user, message_id)
    services.outbox_retry(actor=request.user, message=message)
    messages.success(request, _("已重新排队推送证照 %(n)s 的通知。") % {"n": message.licence_no})
    return redirect("oversight_exchange:outbox")
