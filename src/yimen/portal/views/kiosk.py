"""The self-service kiosk (自助终端) of a service center's hall, touch first.

Search items (pinyin initials too) and print their one-time notices, one after another;
take a queue ticket or check an appointment in; look a case up by its number and the
holder's resident ID; apply for simple items after a one-time code to the holder's phone;
rate a finished case. Nobody stays signed in: the home page clears the session, and every
page returns there after a spell without a touch.

Settings (read with defaults):
YIMEN_KIOSK_IDLE_SECONDS          back to the home page after this long untouched (90)
YIMEN_KIOSK_CENTER                the center a kiosk serves until `/kiosk/?center=CODE`
                                  sets it for that kiosk (the first center)
YIMEN_KIOSK_LOOKUP_ATTEMPTS       wrong case or appointment lookups before a pause (5)
YIMEN_KIOSK_LOOKUP_LOCK_SECONDS   how long that pause lasts (600)
"""

import functools
import secrets

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from yimen.cases import selectors_hall as hall
from yimen.cases import services as case_services
from yimen.cases import services_hall as hall_services
from yimen.cases.models import Case, Channel
from yimen.cases.models_hall import QueueTicket
from yimen.cases.states import ACTION_LABELS, TERMINAL
from yimen.catalog import search
from yimen.catalog.models import ServiceCenter
from yimen.catalog.selectors import current_version
from yimen.errors import DomainError, IllegalAction, InvalidInput, NotFound
from yimen.oversight.models.ratings import RatingChannel
from yimen.oversight.selectors import ratings as rating_selectors
from yimen.oversight.services import ratings as rating_services
from yimen.portal.views import catalog as catalog_views
from yimen.portal.views.cases import ApplicationForm, place_error
from yimen.portal.views.hall import lines_waiting
from yimen.portal.views.oversight_ratings import RatingForm
from yimen.subjects import services as subject_services
from yimen.subjects.errors import RateLimited
from yimen.subjects.masking import mask_name, mask_phone
from yimen.subjects.models import Account, Person, Subject
from yimen.subjects.selectors import person_by_resident_id

TEMPLATES = "portal/kiosk/"
CENTER_COOKIE = "yimen_kiosk_center"
DEVICE_COOKIE = "yimen_kiosk_device"
COOKIE_MAX_AGE = 10 * 365 * 24 * 3600
RESULTS_SHOWN = 12
HOME_REFRESH_SECONDS = 120


def idle_seconds() -> int:
    return settings.YIMEN_KIOSK_IDLE_SECONDS


def kiosk_page(view):
    """Kiosk pages: anyone signed in is signed out; a refusal is a big page saying why."""

    @require_http_methods(["GET", "HEAD", "POST"])
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            logout(request)
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return show(request, "error.html", {"error": error}, status=error.status)

    return wrapper


def show(request, template: str, context: dict | None = None, *, status: int = 200):
    context = {
        "idle_seconds": idle_seconds(),
        "home_refresh_seconds": HOME_REFRESH_SECONDS,
        "kiosk_center": kiosk_center(request),
        **(context or {}),
    }
    return render(request, TEMPLATES + template, context, status=status)


def kiosk_center(request) -> ServiceCenter | None:
    """The center this kiosk stands in: its cookie, else the configured one, else the first."""
    code = request.COOKIES.get(CENTER_COOKIE) or settings.YIMEN_KIOSK_CENTER
    centers = ServiceCenter.objects.all()
    return (centers.filter(code=code).first() if code else None) or centers.first()


def _required_center(request) -> ServiceCenter:
    center = kiosk_center(request)
    if center is None:
        raise NotFound("center_not_found", _("本终端尚未设置所在的服务中心，请联系工作人员。"))
    return center


def masked_name(subject: Subject) -> str:
    """张桂兰 → 张*兰, 王五 → 王*; an organisation's name is public and shown whole."""
    return subject.name if subject.kind == Subject.Kind.ORGANISATION else mask_name(subject.name)


# --- home ---------------------------------------------------------------------------------


@kiosk_page
def home(request):
    """The big buttons. Whatever the last person did here is forgotten (the session is
    flushed); `?center=CODE` tells this kiosk which center it stands in."""
    logout(request)
    code = request.GET.get("center", "")
    context = {"is_home": True}
    if code:
        context["kiosk_center"] = hall.center_by_code(code)
    response = show(request, "home.html", context)
    if code:
        response.set_cookie(CENTER_COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax")
    if DEVICE_COOKIE not in request.COOKIES:
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
        )
    return response


# --- items and their notices ------------------------------------------------------------


@kiosk_page
def items(request):
    """事项查询: by name, words, or pinyin initials (lnz → 老年证); or the items one may
    apply for right here."""
    query = request.GET.get("q", "").strip()
    context = {"q": query}
    if query:
        request.session["kiosk_query"] = query
        context["result"] = search.search_items(query, page_size=RESULTS_SHOWN)
    elif request.GET.get("apply"):
        context["applicable"] = hall.kiosk_applicable_versions().select_related("item")
    else:
        context["popular"] = search.catalog_index().popular_items()
    return show(request, "items.html", context)


def _offered(code: str) -> search.ItemEntry:
    entry = search.item_entry(code)
    if entry.cancelled:
        raise IllegalAction(
            "item_cancelled", _("该事项已取消（%(r)s），不再受理。") % {"r": entry.cancel_reason}
        )
    return entry


@kiosk_page
def item(request, code: str):
    entry, version = _offered(code), current_version(code)
    return show(
        request,
        "item.html",
        {
            "entry": entry,
            "version": version,
            "self_service": hall.kiosk_applicable(version),
            "printed": request.session.get("kiosk_printed", []),
            "query": request.session.get("kiosk_query", ""),
        },
    )


@kiosk_page
def item_print(request, code: str):
    """The notice in the print dialog, and a way straight back to print the next one."""
    entry = _offered(code)
    printed = request.session.get("kiosk_printed", [])
    if code not in {p["code"] for p in printed}:
        printed.append({"code": code, "name": entry.name})
        request.session["kiosk_printed"] = printed
    return show(
        request,
        "print.html",
        {"entry": entry, "printed": printed, "query": request.session.get("kiosk_query", "")},
    )


# The catalog's own notice, allowed in the print page's frame on this site.
notice_pdf = xframe_options_sameorigin(catalog_views.item_notice)


# --- queue tickets ------------------------------------------------------------------------


def _remember(request, ticket: QueueTicket) -> None:
    request.session["kiosk_tickets"] = [*request.session.get("kiosk_tickets", []), ticket.pk]


def _remembered(request, ticket_id: int) -> QueueTicket:
    """Only a ticket taken in this kiosk session is shown again."""
    if ticket_id not in request.session.get("kiosk_tickets", []):
        raise NotFound("ticket_not_found", _("未找到该排队号。"))
    return hall.ticket_by_id(ticket_id)


@kiosk_page
def ticket_take(request):
    """取号: one big button per line, with how many are waiting."""
    center = _required_center(request)
    if request.method == "POST":
        ticket = hall_services.ticket_take(
            center=center, line=request.POST.get("line", ""), source=QueueTicket.Source.KIOSK
        )
        _remember(request, ticket)
        return redirect("hall:kiosk_ticket", ticket_id=ticket.pk)
    return show(request, "ticket_take.html", {"lines": lines_waiting(center)})


def _ticket_context(ticket: QueueTicket) -> dict:
    return {"ticket": ticket, "ahead": hall.tickets_ahead(ticket)}


@kiosk_page
def ticket(request, ticket_id: int):
    return show(request, "ticket.html", _ticket_context(_remembered(request, ticket_id)))


@kiosk_page
def ticket_slip(request, ticket_id: int):
    """The small printable slip: number, center, people ahead, time taken."""
    return show(request, "slip.html", _ticket_context(_remembered(request, ticket_id)))


class CheckInForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("预约号"), max_length=8)
    phone_tail = forms.CharField(label=gettext_lazy("手机号后四位"), min_length=4, max_length=4)


def _device(request) -> str:
    """Who is counted for lookups: this kiosk (its cookie survives the session), else the
    session."""
    if device := request.COOKIES.get(DEVICE_COOKIE):
        return device
    if request.session.session_key is None:
        request.session.save()
    return f"session:{request.session.session_key}"


def limited_lookup(request, lookup):
    """Run a lookup by a pair of secrets; wrong pairs are counted per kiosk, and too many
    pause the lookups for a while."""
    key = f"yimen:kiosk-lookup:{_device(request)}"
    failures = cache.get(key, 0)
    pause = settings.YIMEN_KIOSK_LOOKUP_LOCK_SECONDS
    if failures >= settings.YIMEN_KIOSK_LOOKUP_ATTEMPTS:
        raise RateLimited(
            "kiosk_lookup_locked",
            _("查询错误次数过多，请%(m)s分钟后再试，或到综合窗口咨询。")
            % {"m": max(1, pause // 60)},
        )
    try:
        return lookup()
    except NotFound:
        cache.set(key, failures + 1, pause)
        raise


@kiosk_page
def check_in(request):
    """预约签到: the appointment number and the phone's last four digits give a ticket."""
    center = _required_center(request)
    form = CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = limited_lookup(
                    request, lambda: hall.appointment_for_check_in(data["code"], data["phone_tail"])
                )
                ticket = hall_services.appointment_check_in(appointment=appointment, center=center)
            except DomainError as error:
                place_error(form, error)
                status = error.status
            else:
                _remember(request, ticket)
                return redirect("hall:kiosk_ticket", ticket_id=ticket.pk)
    return show(request, "check_in.html", {"form": form}, status=status)


# --- a case by its number and the holder's ID -------------------------------------------


class LookupForm(forms.Form):
    case_no = forms.CharField(label=gettext_lazy("办件编号"), max_length=30)
    resident_id = forms.CharField(label=gettext_lazy("身份证号"), max_length=18)


def _lookup_case(request, form: LookupForm) -> Case:
    data = form.cleaned_data
    return limited_lookup(
        request, lambda: hall.case_for_holder(data["case_no"], data["resident_id"])
    )


def _timeline(case: Case) -> list[tuple[str, object]]:
    return [(str(ACTION_LABELS.get(e.action, e.action)), e.at) for e in case.events.order_by("seq")]


@kiosk_page
def progress(request):
    """办件进度查询: a wrong number and a wrong ID get the same answer."""
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = _lookup_case(request, form)
        except DomainError as error:
            place_error(form, error)
            return show(request, "progress.html", {"form": form}, status=error.status)
        context = {"case": case, "applicant": masked_name(case.subject), "events": _timeline(case)}
        return show(request, "progress.html", context)
    status = 422 if form.errors else 200
    return show(request, "progress.html", {"form": form}, status=status)


# --- self-service application -------------------------------------------------------------


class IdentifyForm(forms.Form):
    resident_id = forms.CharField(label=gettext_lazy("身份证号"), max_length=18)


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("短信验证码"), min_length=6, max_length=6)


def _registered(resident_id: str) -> Person:
    """The person with this ID and a sign-in phone; no hint which of the two is missing."""
    person = person_by_resident_id(resident_id)
    if person is None or person.account is None or not person.account.phone:
        raise InvalidInput(
            "kiosk_identity_unknown",
            _("未能核验您的身份。自助申请须先在本系统实名注册，请到综合窗口办理。"),
            field="resident_id",
        )
    return person


@kiosk_page
def apply(request, code: str):
    """自助申请 of a simple item: the holder's ID, the code sent to their phone, the form."""
    entry, version = _offered(code), current_version(code)
    if not hall.kiosk_applicable(version):
        return show(request, "to_window.html", {"entry": entry})
    state = request.session.get("kiosk_apply")
    state = state if state and state["code"] == code else None
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step == "identify":
        return _identify(request, entry)
    if step == "verify" and state:
        return _verify(request, entry, state)
    if state and state["verified"]:
        return _application(request, entry, version, state, submitted=step == "submit")
    return show(request, "apply_identify.html", {"entry": entry, "form": IdentifyForm()})


def _identify(request, entry):
    form = IdentifyForm(request.POST)
    if not form.is_valid():
        return show(request, "apply_identify.html", {"entry": entry, "form": form}, status=422)
    try:
        person = _registered(form.cleaned_data["resident_id"])
        subject_services.otp_send(phone=person.account.phone)
    except DomainError as error:
        place_error(form, error)
        context = {"entry": entry, "form": form}
        return show(request, "apply_identify.html", context, status=error.status)
    request.session["kiosk_apply"] = {"code": entry.code, "person": person.pk, "verified": False}
    return _code_page(request, entry, person, CodeForm())


def _code_page(request, entry, person: Person, form: CodeForm, status: int = 200):
    context = {"entry": entry, "form": form, "phone": mask_phone(person.account.phone)}
    return show(request, "apply_code.html", context, status=status)


def _applicant(state: dict) -> Person:
    return Person.objects.select_related("account").get(pk=state["person"])


def _verify(request, entry, state: dict):
    person = _applicant(state)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _code_page(request, entry, person, form, 422)
    try:
        subject_services.otp_sign_in(phone=person.account.phone, code=form.cleaned_data["code"])
    except DomainError as error:
        place_error(form, error)
        return _code_page(request, entry, person, form, error.status)
    request.session["kiosk_apply"] = {**state, "verified": True}
    return redirect("hall:kiosk_apply", code=entry.code)


def _application(request, entry, version, state: dict, *, submitted: bool):
    person = _applicant(state)
    missing = hall.kiosk_missing_materials(person, version)
    if missing:
        return show(request, "to_window.html", {"entry": entry, "missing": missing})
    form = ApplicationForm(request.POST if submitted else None, version=version)
    context = {"entry": entry, "form": form, "applicant": masked_name(person)}
    if not submitted:
        return show(request, "apply_form.html", context)
    if not form.is_valid():
        return show(request, "apply_form.html", context, status=422)
    try:
        case = case_services.case_submit(
            actor=person.account,
            subject=person,
            item_code=entry.code,
            channel=Channel.KIOSK,
            form=form.form_data(),
            idempotency_key=form.cleaned_data["key"],
            center=kiosk_center(request),
        )
    except DomainError as error:
        form.show_refusal(error)
        return show(request, "apply_form.html", context, status=error.status)
    del request.session["kiosk_apply"]
    return show(request, "applied.html", {"entry": entry, "case": case})


# --- rating -------------------------------------------------------------------------------


def _rater(resident_id: str) -> Account:
    """The holder's sign-in: a rating is attributed to an account."""
    person = person_by_resident_id(resident_id)
    if person is None or person.account_id is None:
        raise IllegalAction(
            "kiosk_rater_unregistered",
            _("您尚未在本系统实名注册，请通过办结短信中的评价链接或到窗口评价。"),
        )
    return person.account


@kiosk_page
def rate(request):
    """评价: find the case as for its progress, then one big button per level."""
    step = request.POST.get("step", "") if request.method == "POST" else ""
    state = request.session.get("kiosk_rate")
    if step == "lookup" or not state:
        return _rate_lookup(request, submitted=step == "lookup")
    case = Case.objects.select_related("version").get(pk=state["case"])
    rater = Account.objects.get(pk=state["rater"])
    form = RatingForm(request.POST if step == "rate" else None)
    context = {
        "case": case,
        "form": form,
        "finished": case.state in TERMINAL,
        "rated": rating_selectors.rating_by(case, rating_selectors.account_rater_key(rater)),
    }
    if step != "rate":
        return show(request, "rate.html", context)
    if not form.is_valid():
        return show(request, "rate.html", context, status=422)
    try:
        rating_services.rating_submit(
            case=case, rater=rater, channel=RatingChannel.TERMINAL, **form.cleaned_data
        )
    except DomainError as error:
        place_error(form, error)
        return show(request, "rate.html", context, status=error.status)
    del request.session["kiosk_rate"]
    return show(request, "rated.html", {"case": case})


def _rate_lookup(request, *, submitted: bool):
    form = LookupForm(request.POST if submitted else None)
    if not submitted:
        return show(request, "rate_lookup.html", {"form": form})
    if not form.is_valid():
        return show(request, "rate_lookup.html", {"form": form}, status=422)
    try:
        case = _lookup_case(request, form)
        rater = _rater(form.cleaned_data["resident_id"])
    except DomainError as error:
        place_error(form, error)
        return show(request, "rate_lookup.html", {"form": form}, status=error.status)
    request.session["kiosk_rate"] = {"case": case.pk, "rater": rater.pk}
    return redirect("hall:kiosk_rate")
