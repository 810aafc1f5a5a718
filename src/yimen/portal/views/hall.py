"""The window hall's pages: booking an appointment online, the window's call screen, the
public now-serving board, and supervision's waiting times (多时难等).

Every write goes through `yimen.cases.services_hall`; a refusal is shown on the page it
came from, with what was typed kept.
"""

import datetime as dt
import functools
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from yimen.cases import selectors_hall as selectors
from yimen.cases import services_hall as services
from yimen.cases.models_hall import Appointment, ServiceLine
from yimen.catalog import search
from yimen.catalog.models import ServiceCenter
from yimen.errors import DomainError, InvalidInput, PermissionDenied
from yimen.portal.views.cases import case_page, place_error
from yimen.portal.views.oversight_supervision import supervision_page
from yimen.subjects.selectors import subject_for_viewer

TEMPLATES = "portal/hall/"
STATS_DEFAULT_DAYS = 7
WAITING_SHOWN = 10
BOARD_REFRESH_SECONDS = 10


def local_moment(day: dt.date, hhmm: str) -> dt.datetime:
    """A slot start as a form sends it (`HH:MM` on a day) as an aware moment."""
    try:
        at = dt.time.fromisoformat(hhmm)
    except ValueError:
        raise InvalidInput("bad_slot", _("请选择预约时段。"), field="slot") from None
    return dt.datetime.combine(day, at, tzinfo=selectors.SHANGHAI)


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("bad_day", _("日期格式不正确。"), field="day") from None


def lines_waiting(center: ServiceCenter) -> list[tuple[str, str, int]]:
    """Each line of the center as (letter, name, how many wait)."""
    counts = selectors.waiting_counts(center)
    return [(value, label, counts[value]) for value, label in ServiceLine.choices]


# --- appointments -----------------------------------------------------------------------


class BookingForm(forms.Form):
    slot = forms.ChoiceField(
        label=gettext_lazy("预约时段"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择预约时段。")},
    )
    item = forms.ChoiceField(
        label=gettext_lazy("办理事项"),
        required=False,
        help_text=gettext_lazy("不确定办理哪个事项时可以不选，到窗口咨询。"),
    )

    def __init__(self, *args, slots: list[selectors.Slot], items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (
                s.key,
                _("%(s)s–%(e)s（余%(n)s个）")
                % {"s": s.key, "e": f"{s.ends_at:%H:%M}", "n": s.free},
            )
            for s in slots
            if s.bookable
        ]
        self.fields["item"].choices = [("", _("暂不确定"))] + [(e.code, e.name) for e in items]


def _center_items(center: ServiceCenter) -> list[search.ItemEntry]:
    """Items in force the center handles (every item when the center lists none)."""
    offered = set(center.items.values_list("code", flat=True))
    return [
        e
        for e in search.catalog_index().items
        if not e.cancelled and (not offered or e.code in offered)
    ]


@case_page
def appointments(request):
    """Choose a center, then a day, then a slot and the item; below, one's own bookings."""
    subject = subject_for_viewer(request.user, None)
    context = {"nav": "appointments", "centers": ServiceCenter.objects.all()}
    center_code, day_text = request.GET.get("center", ""), request.GET.get("day", "")
    status = 200
    if center_code:
        center = selectors.center_by_code(center_code)
        context.update(center=center, days=selectors.bookable_days(center))
        if day_text:
            booked, status = _booking(request, subject, center, parse_day(day_text), context)
            if booked is not None:
                messages.success(request, _booked_message(booked))
                return redirect("hall:appointments")
    context["mine"] = selectors.appointments_of(request.user)
    return render(request, TEMPLATES + "appointments.html", context, status=status)


def _booking(request, subject, center, day: dt.date, context: dict):
    """The day's slot-and-item form; on a valid post, (the booking, 200), else (None, the
    page's status) with any refusal beside the form."""
    slots = selectors.day_slots(center, day)
    form = BookingForm(request.POST or None, slots=slots, items=_center_items(center))
    context.update(day=day, form=form)
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 422
    try:
        return _book(request, subject, center, day, form.cleaned_data), 200
    except DomainError as error:
        place_error(form, error)
        return None, error.status


def _book(request, subject, center, day: dt.date, data: dict) -> Appointment:
    return services.appointment_book(
        center=center,
        starts_at=local_moment(day, data["slot"]),
        via=Appointment.Via.ONLINE,
        name=subject.name,
        phone=request.user.phone or "",
        subject=subject,
        actor=request.user,
        item_codes=[data["item"]] if data["item"] else [],
    )


def _booked_message(booked: Appointment) -> str:
    return _(
        "预约成功：%(c)s %(t)s，预约号 %(n)s。"
        "请按时到中心，在自助终端凭预约号和手机号后四位签到取号。"
    ) % {
        "c": booked.center.name,
        "t": f"{timezone.localtime(booked.starts_at):%Y-%m-%d %H:%M}",
        "n": booked.code,
    }


@require_POST
@case_page
def appointment_cancel(request, appointment_id: int):
    appointment = selectors.appointment_of(request.user, appointment_id)
    try:
        services.appointment_cancel(appointment=appointment, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已取消预约 %(n)s。") % {"n": appointment.code})
    return redirect("hall:appointments")


# --- the window's call screen -----------------------------------------------------------


class WindowForm(forms.Form):
    """Which center, window and lines this clerk serves; kept for the sign-in session."""

    center = forms.ChoiceField(label=gettext_lazy("服务中心"))
    window = forms.CharField(
        label=gettext_lazy("窗口名称"),
        max_length=services.WINDOW_MAX,
        help_text=gettext_lazy("如“3号窗口”，叫号时显示在大厅屏幕上。"),
    )
    lines = forms.MultipleChoiceField(
        label=gettext_lazy("叫号类别"),
        choices=ServiceLine.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请至少选择一个叫号类别。")},
    )

    def __init__(self, *args, centers: list[ServiceCenter], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = [(c.code, c.name) for c in centers]


def _desk(request) -> dict | None:
    """The center, window and lines this session serves, if set up."""
    desk = request.session.get("hall_desk")
    if not desk:
        return None
    allowed = {c.code: c for c in selectors.clerk_centers(request.user)}
    center = allowed.get(desk["center"])
    return {**desk, "center": center} if center else None


@case_page
def window_queue(request):
    """叫号屏: call the next ticket, recall, finish or pass it; how many wait. Until this
    session has chosen its center, window and lines, the page asks for them (a post)."""
    centers = selectors.clerk_centers(request.user)
    if not centers:
        raise PermissionDenied("forbidden", _("只有综合窗口工作人员可以使用叫号。"))
    initial = {"lines": ServiceLine.values, "center": centers[0].code}
    form = WindowForm(request.POST or None, centers=centers, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session["hall_desk"] = form.cleaned_data
        return redirect("hall:window_queue")
    desk = None if request.method == "POST" else _desk(request)
    context = {"nav": "window", "form": form, "desk": desk}
    if desk:
        center = desk["center"]
        context.update(
            current=selectors.window_ticket(center, desk["window"]),
            waiting=selectors.waiting_tickets(center, lines=desk["lines"])[:WAITING_SHOWN],
            lines=lines_waiting(center),
        )
    status = 422 if form.errors else 200
    return render(request, TEMPLATES + "window_queue.html", context, status=status)


def _desk_action(action: Callable[[HttpRequest, dict], str]):
    """One button of the call screen; the outcome is told after the redirect."""

    @functools.wraps(action)
    def view(request):
        desk = _desk(request)
        if desk is None:
            return redirect("hall:window_queue")
        try:
            messages.success(request, action(request, desk))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("hall:window_queue")

    return require_POST(case_page(view))


def _call(request, desk: dict) -> str:
    ticket = services.ticket_call_next(
        center=desk["center"], window=desk["window"], clerk=request.user, lines=desk["lines"]
    )
    return _("请 %(n)s 号到%(w)s办理。") % {"n": ticket.number, "w": ticket.window}


def _posted_ticket(request, desk: dict):
    """The ticket the button names, if it is this window's."""
    ticket = selectors.window_ticket(desk["center"], desk["window"])
    if ticket is None or str(ticket.pk) != request.POST.get("ticket", ""):
        raise InvalidInput("ticket_not_at_window", _("该号不在本窗口办理，请刷新页面。"))
    return ticket


def _recall(request, desk: dict) -> str:
    ticket = services.ticket_recall(ticket=_posted_ticket(request, desk), clerk=request.user)
    return _("已重呼 %(n)s（第%(c)s次）。") % {"n": ticket.number, "c": ticket.call_count}


def _finish(request, desk: dict) -> str:
    ticket = services.ticket_finish(ticket=_posted_ticket(request, desk), clerk=request.user)
    return _("%(n)s 已办结。") % {"n": ticket.number}


def _no_show(request, desk: dict) -> str:
    ticket = services.ticket_no_show(ticket=_posted_ticket(request, desk), clerk=request.user)
    return _("%(n)s 已过号。") % {"n": ticket.number}


def _take(request, desk: dict) -> str:
    ticket = services.ticket_take(
        center=desk["center"],
        line=request.POST.get("line", ""),
        source=services.Source.WINDOW,
        actor=request.user,
    )
    return _("已为来人取号 %(n)s。") % {"n": ticket.number}


def _leave(request, desk: dict) -> str:
    del request.session["hall_desk"]
    return _("已退出 %(w)s 的叫号。") % {"w": desk["window"]}


call_next = _desk_action(_call)
recall = _desk_action(_recall)
finish = _desk_action(_finish)
no_show = _desk_action(_no_show)
take = _desk_action(_take)
leave = _desk_action(_leave)


# --- the hall board ---------------------------------------------------------------------


@require_safe
def board(request, center_code: str):
    """The hall's screen: the numbers being called, large; it reloads itself every 10 s."""
    try:
        center = selectors.center_by_code(center_code)
    except DomainError as error:
        return render(request, "portal/cases/error.html", {"error": error}, status=error.status)
    return render(
        request,
        TEMPLATES + "board.html",
        {
            "center": center,
            "serving": selectors.now_serving(center),
            "lines": lines_waiting(center),
            "refresh_seconds": BOARD_REFRESH_SECONDS,
        },
    )


# --- supervision: waiting times ---------------------------------------------------------


class WaitingForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.DateField(
            label=gettext_lazy("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            label=gettext_lazy("结束日期"), widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["center"] = forms.ChoiceField(
            label=gettext_lazy("服务中心"),
            required=False,
            choices=[("", _("全部中心")), *ServiceCenter.objects.values_list("code", "name")],
        )


@supervision_page
def waiting(request):
    """等候时长: per center and day, how long people waited to be called (the last week
    unless asked otherwise)."""
    today = timezone.localdate()
    last_week = {"from": today - dt.timedelta(days=STATS_DEFAULT_DAYS - 1), "to": today}
    form = WaitingForm(request.GET or {k: v.isoformat() for k, v in last_week.items()})
    context = {"tab": "waiting", "form": form}
    if not form.is_valid():
        return render(request, TEMPLATES + "waiting.html", context, status=422)
    data = form.cleaned_data
    try:
        context["rows"] = selectors.waiting_time_stats(data["from"], data["to"], data["center"])
    except DomainError as error:
        place_error(form, error)
        return render(request, TEMPLATES + "waiting.html", context, status=error.status)
    return render(request, TEMPLATES + "waiting.html", context)
