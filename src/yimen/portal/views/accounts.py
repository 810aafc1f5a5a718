"""Sign-in (with a staff member's second factor), my account (tokens, authorisations), my
materials and licences, the demo SMS outbox, and the staff subject lookup. Rules live in
yimen.subjects; these pages call it."""

import base64
import functools
import re
import time

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yimen.catalog.selectors import current_version
from yimen.errors import DomainError, InvalidInput
from yimen.subjects import registry, second_factor, selectors, services, sms
from yimen.subjects.auth_backends import BACKEND_PATH
from yimen.subjects.models import Account, LockerEntry

TEMPLATES = "portal/accounts/"


def refusals_as_pages(view):
    """A refused request shows its Chinese message on a page with the error's status."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return render(request, TEMPLATES + "error.html", {"error": error}, status=error.status)

    return wrapper


def account_page(view):
    return login_required(refusals_as_pages(view))


# --- sign-in --------------------------------------------------------------------------


def safe_next(request, default: str = "/accounts/") -> str:
    """The `next` address posted or asked for when it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def login_view(request):
    context = {"next": safe_next(request), "phone": request.POST.get("phone", "")}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send_code":
                services.otp_send(phone=context["phone"])
                context["code_sent"] = True
                context["outbox"] = sms.outbox_enabled()
            else:
                return _signed_in(request, _sign_in(request, action), context["next"])
        except DomainError as error:
            context["error"] = error
            return render(request, TEMPLATES + "login.html", context, status=error.status)
    return render(request, TEMPLATES + "login.html", context)


def _sign_in(request, action: str):
    if action == "code":
        return services.otp_sign_in(
            phone=request.POST.get("phone", ""), code=request.POST.get("code", "")
        )
    account = authenticate(
        request, username=request.POST.get("login", ""), password=request.POST.get("password", "")
    )
    if account is None:
        raise InvalidInput("sign_in_failed", _("账号或密码不正确。"), field="password")
    return account


def _signed_in(request, account: Account, next_url: str):
    """The first factor passed: staff go on to their second, everyone else is signed in."""
    if second_factor.required_for(account):
        request.session[PENDING_KEY] = {
            "account": account.pk,
            "next": next_url,
            "until": time.time() + settings.YIMEN_SECOND_FACTOR_PENDING_SECONDS,
        }
        return redirect("accounts:second_factor")
    login(request, account, backend=BACKEND_PATH)
    return redirect(next_url)


# The account that passed its password (or SMS code) and still owes its second factor.
PENDING_KEY = "yimen_second_factor"


def _pending_account(request) -> tuple[Account | None, str]:
    pending = request.session.get(PENDING_KEY) or {}
    if pending.get("until", 0) < time.time():
        return None, ""
    account = Account.objects.filter(pk=pending.get("account"), is_active=True).first()
    return account, pending.get("next", "/accounts/")


def _enrolment(account: Account) -> dict:
    """What an authenticator app needs: the otpauth:// URI, its QR code, the secret typed."""
    device = second_factor.enrolment_device(account)
    uri = second_factor.otpauth_uri(device)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return {
        "uri": uri,
        # segno writes the SVG itself from the URI: nothing in it comes from a request.
        "qr_svg": mark_safe(segno.make(uri, error="m").svg_inline(scale=5)),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


def second_factor_view(request):
    """第二重验证: the code from the staff member's authenticator app, after the password.
    The first time, the page enrols the app (QR code) and the first code confirms it."""
    account, next_url = _pending_account(request)
    if account is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("请先输入账号和密码。"))
        return redirect("accounts:login")
    enrolling = second_factor.confirmed_device(account) is None
    context = {"account": account, "enrolling": enrolling}
    if request.method == "POST":
        try:
            device = second_factor.verify(account, request.POST.get("otp_token", ""))
        except DomainError as error:
            _second_factor_failed(request, account, error)
            context.update(error=error, **(_enrolment(account) if enrolling else {}))
            return render(request, TEMPLATES + "second_factor.html", context, status=error.status)
        del request.session[PENDING_KEY]
        login(request, account, backend=BACKEND_PATH)
        django_otp.login(request, device)
        return redirect(next_url)
    if enrolling:
        context.update(_enrolment(account))
    return render(request, TEMPLATES + "second_factor.html", context)


def _second_factor_failed(request, account: Account, error: DomainError) -> None:
    """A wrong code counts as a failed sign-in (audit, lockout); once locked out, the
    password has to be entered again, which the lockout refuses."""
    if error.code != "otp_invalid":
        return
    user_login_failed.send(__name__, credentials={"username": account.username}, request=request)
    if getattr(request, "axes_locked_out", False):
        request.session.pop(PENDING_KEY, None)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/")


# --- my account -----------------------------------------------------------------------


class GrantForm(forms.Form):
    principal = forms.TypedChoiceField(label=gettext_lazy("委托人"), coerce=int)
    agent_phone = forms.CharField(label=gettext_lazy("受托人手机号码"), max_length=20)
    all_items = forms.BooleanField(label=gettext_lazy("委托全部事项"), required=False)
    item_codes = forms.CharField(
        label=gettext_lazy("委托事项编码"),
        required=False,
        help_text=gettext_lazy("多个事项编码用逗号或空格分隔；勾选“委托全部事项”时可不填。"),
    )
    valid_from = forms.DateField(
        label=gettext_lazy("生效日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_until = forms.DateField(
        label=gettext_lazy("截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=200)

    def __init__(self, *args, principals, **kwargs):
        super().__init__(*args, **kwargs)
        self.principals = {s.pk: s for s in principals}
        self.fields["principal"].choices = [(s.pk, str(s)) for s in principals]


def _authorisation_rows(authorisations) -> list[dict]:
    today = timezone.localdate()
    return [
        {
            "authorisation": a,
            "status": selectors.authorisation_status(a, today),
            "revocable": a.revoked_at is None and a.valid_until >= today,
        }
        for a in authorisations
    ]


def _account_context(request, **extra) -> dict:
    account = request.user
    principals = selectors.controlled_subjects(account)
    return {
        "account": account,
        "person": next(iter(principals), None),
        "staff_roles": account.staff_roles.filter(is_active=True).select_related(
            "center", "department"
        ),
        "tokens": selectors.tokens_of(account),
        "given": _authorisation_rows(selectors.authorisations_given(account)),
        "held": _authorisation_rows(selectors.authorisations_held(account)),
        "grant_form": GrantForm(principals=principals),
        "acting_for": selectors.subjects_acting_for(account),
        **extra,
    }


def _render_account(request, status: int = 200, **extra):
    return render(
        request, TEMPLATES + "home.html", _account_context(request, **extra), status=status
    )


@account_page
def account_home(request):
    return _render_account(request)


@require_POST
@account_page
def token_create(request):
    try:
        token, raw = services.token_create(account=request.user, name=request.POST.get("name", ""))
    except DomainError as error:
        return _render_account(request, error.status, token_error=error)
    # Rendered, not redirected: the value is shown this once and kept nowhere.
    return _render_account(request, new_token=raw, new_token_name=token.name)


@require_POST
@account_page
def token_revoke(request, token_id: int):
    services.token_revoke(actor=request.user, token=selectors.token_of(request.user, token_id))
    messages.success(request, _("访问令牌已撤销。"))
    return redirect("accounts:home")


@require_POST
@account_page
def authorisation_grant(request):
    form = GrantForm(request.POST, principals=selectors.controlled_subjects(request.user))
    if not form.is_valid():
        return _render_account(request, 422, grant_form=form)
    data = form.cleaned_data
    try:
        services.authorisation_grant(
            granted_by=request.user,
            principal=form.principals[data["principal"]],
            agent=selectors.agent_by_phone(data["agent_phone"]),
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            all_items=data["all_items"],
            item_codes=re.split(r"[\s,，、;；]+", data["item_codes"]),
            note=data["note"],
        )
    except DomainError as error:
        return _render_account(request, error.status, grant_form=form, grant_error=error)
    messages.success(request, _("委托已登记。"))
    return redirect("accounts:home")


@require_POST
@account_page
def authorisation_revoke(request, authorisation_id: int):
    authorisation = selectors.authorisation_by_id(authorisation_id)
    services.authorisation_revoke(actor=request.user, authorisation=authorisation)
    messages.success(request, _("委托已撤销。"))
    return redirect("accounts:home")


# --- my materials and licences --------------------------------------------------------


def _subject_param(request) -> int | None:
    value = request.GET.get("subject", "")
    return int(value) if value.isdigit() else None


def _entry_rows(entries) -> list[dict]:
    today = timezone.localdate()
    return [{"entry": e, "status": selectors.locker_status(e, today)} for e in entries]


def _locker_page(request, *, source: str | None, title: str, nav: str):
    subject = selectors.subject_for_viewer(request.user, _subject_param(request))
    context = {
        "title": title,
        "nav": nav,
        "subject": subject,
        "subjects": selectors.subjects_acting_for(request.user),
        "entries": _entry_rows(selectors.locker_entries(request.user, subject, source=source)),
        "item_code": request.GET.get("item", "").strip(),
    }
    if context["item_code"]:
        context["prefill"] = selectors.locker_prefill(
            subject, current_version(context["item_code"])
        )
    return render(request, TEMPLATES + "materials.html", context)


@account_page
def my_materials(request):
    return _locker_page(request, source=None, title=_("我的材料"), nav="materials")


@account_page
def my_licences(request):
    return _locker_page(
        request, source=LockerEntry.Source.ISSUED, title=_("我的证照"), nav="licences"
    )


@account_page
def locker_file(request, entry_id: int):
    entry = selectors.locker_entry_for(request.user, entry_id)
    return FileResponse(entry.file.open("rb"), filename=entry.filename)


# --- demo and staff -------------------------------------------------------------------


def demo_sms(request):
    if not sms.outbox_enabled():
        raise Http404
    return render(request, TEMPLATES + "sms_outbox.html", {"messages_sent": selectors.sms_outbox()})


@account_page
def staff_subjects(request):
    query = request.GET.get("q", "")
    results = registry.subject_lookup(request.user, query)
    return render(request, TEMPLATES + "staff_subjects.html", {"query": query, "results": results})


@account_page
def staff_subject_materials(request, subject_id: int):
    subject = selectors.subject_by_id(subject_id)
    context = {
        "title": _("主体材料库"),
        "subject": subject,
        "entries": _entry_rows(selectors.locker_entries(request.user, subject)),
    }
    return render(request, TEMPLATES + "materials.html", context)
