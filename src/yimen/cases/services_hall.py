"""Every write of the window hall: booking, cancelling and checking in appointments, taking
queue tickets, and the windows calling, recalling, finishing and passing over them.

Each service is one transaction. A ticket number comes from a per-center, per-day,
per-line counter incremented under its row lock; a window takes the next ticket with
SELECT … FOR UPDATE SKIP LOCKED where the database has it, so two windows never call the
same ticket.
"""

import datetime as dt
import secrets

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen import counters
from yimen.cases import selectors_hall as selectors
from yimen.cases.models_hall import Appointment, QueueCounter, QueueTicket, ServiceLine
from yimen.catalog.models import ItemVersion, ServiceCenter, SubjectType
from yimen.catalog.selectors import current_version
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.subjects import permissions, validators
from yimen.subjects import services as subject_services
from yimen.subjects.models import Account, Subject

Via = Appointment.Via
Status = QueueTicket.Status
Source = QueueTicket.Source
NAME_MAX = 50
WINDOW_MAX = 20


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, selectors.SHANGHAI)


# --- appointments -----------------------------------------------------------------------


def _checked_holder(name: str, phone: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name_required", _("请填写预约人姓名。"), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(
            "name_too_long", _("姓名不能超过%(n)s个字。") % {"n": NAME_MAX}, field="name"
        )
    return name, validators.normalise_mobile(phone)


def _ensure_may_book(via: str, actor: Account | None, subject: Subject | None, center) -> None:
    """Online, the booker is the subject or acts under its authorisation; by phone, a clerk
    books for the caller; at a kiosk, whoever stands there."""
    if via not in Via.values:
        raise InvalidInput("invalid_via", _("预约渠道无效。"), field="via")
    if via == Via.ONLINE:
        if actor is None or subject is None:
            raise PermissionDenied("sign_in_required", _("网上预约请先登录。"))
        subject_services.act_for(actor=actor, subject=subject, action="appointment_book")
    elif via == Via.PHONE:
        permissions.ensure_can(actor, "case.accept", center)


def _versions(center: ServiceCenter, item_codes, day: dt.date) -> list[ItemVersion]:
    versions = [current_version(code, day) for code in dict.fromkeys(item_codes)]
    offered = set(center.items.values_list("pk", flat=True))
    for version in versions:
        if offered and version.item_id not in offered:
            raise InvalidInput(
                "item_not_at_center",
                _("%(c)s不办理“%(i)s”，请选择其他服务中心。")
                % {"c": center.name, "i": version.name},
                field="items",
            )
    return versions


def line_for(versions: list[ItemVersion]) -> str:
    """Businesses queue at the enterprise windows; everyone else at the general ones."""
    if versions and all(v.subject_type == SubjectType.ORGANISATION for v in versions):
        return ServiceLine.BUSINESS
    return ServiceLine.GENERAL


def _bookable_slot(
    center: ServiceCenter, starts_at: dt.datetime, now: dt.datetime
) -> selectors.Slot:
    if starts_at <= now:
        raise InvalidInput("slot_past", _("该时段已过，请选择其他时段。"), field="slot")
    day = _local(starts_at).date()
    if (day - timezone.localdate(now)).days > selectors.days_ahead():
        raise InvalidInput(
            "slot_too_far",
            _("最多可预约%(n)s天内的时段。") % {"n": selectors.days_ahead()},
            field="slot",
        )
    for slot in selectors.day_slots(center, day, now):
        if slot.starts_at == starts_at:
            return slot
    raise InvalidInput(
        "slot_outside_hours",
        _("所选时段不在%(c)s的办公时间（%(h)s）内。") % {"c": center.name, "h": center.hours},
        field="slot",
    )


def _already_booked(day: dt.date) -> IllegalAction:
    return IllegalAction(
        "already_booked",
        _("您在%(d)s已有预约，每人每天只能预约一次；如需改约，请先取消原预约。")
        % {"d": f"{day:%Y-%m-%d}"},
    )


def _new_code() -> str:
    while True:
        code = f"{secrets.randbelow(10**8):08d}"
        if not Appointment.objects.filter(code=code).exists():
            return code


def appointment_book(
    *,
    center: ServiceCenter,
    starts_at: dt.datetime,
    via: str,
    name: str,
    phone: str,
    subject: Subject | None = None,
    actor: Account | None = None,
    item_codes=(),
    now: dt.datetime | None = None,
) -> Appointment:
    """预约: one slot at one center, within its hours and capacity, not in the past, and one
    active booking per person (and per phone) per day."""
    now = _now(now)
    name, phone = _checked_holder(name, phone)
    slot = _bookable_slot(center, starts_at, now)
    day = _local(slot.starts_at).date()
    versions = _versions(center, item_codes, day)
    try:
        with transaction.atomic():
            _ensure_may_book(via, actor, subject, center)
            return _book(
                slot.capacity,
                Appointment(
                    center=center,
                    day=day,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    line=line_for(versions),
                    subject=subject,
                    booked_by=actor,
                    name=name,
                    phone=phone,
                    item_codes=[v.item.code for v in versions],
                    booked_via=via,
                    created_at=now,
                ),
            )
    except IntegrityError as clash:
        raise _already_booked(day) from clash


def _book(capacity: int, appointment: Appointment) -> Appointment:
    """Save the booking if the person has none that day and the slot has room. Bookings of
    one center queue behind its row, so the last place goes once."""
    ServiceCenter.objects.select_for_update().get(pk=appointment.center_id)
    same_person = Q(phone=appointment.phone)
    if appointment.subject_id:
        same_person |= Q(subject_id=appointment.subject_id)
    active = Appointment.objects.filter(day=appointment.day, status__in=Appointment.ACTIVE)
    if active.filter(same_person).exists():
        raise _already_booked(appointment.day)
    in_slot = active.filter(center_id=appointment.center_id, starts_at=appointment.starts_at)
    if in_slot.count() >= capacity:
        raise IllegalAction("slot_full", _("该时段已约满，请选择其他时段。"))
    appointment.code = _new_code()
    appointment.save()
    return appointment


def _locked_appointment(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update().select_related("center").get(pk=appointment.pk)


def appointment_cancel(
    *, appointment: Appointment, actor: Account, now: dt.datetime | None = None
) -> Appointment:
    """The booker (or a clerk of the center) cancels before the slot starts."""
    now = _now(now)
    if actor.pk != appointment.booked_by_id and not permissions.can(
        actor, "case.accept", appointment.center
    ):
        raise PermissionDenied("forbidden", _("只有预约人本人可以取消预约。"))
    with transaction.atomic():
        appointment = _locked_appointment(appointment)
        if appointment.status != Appointment.Status.BOOKED:
            raise IllegalAction(
                "appointment_not_cancellable",
                _("该预约当前为“%(s)s”，不能取消。") % {"s": appointment.get_status_display()},
            )
        if appointment.starts_at <= now:
            raise IllegalAction("appointment_started", _("预约时段已开始，不能取消。"))
        appointment.status, appointment.cancelled_at = Appointment.Status.CANCELLED, now
        appointment.save(update_fields=["status", "cancelled_at"])
    return appointment


def _require_check_in_time(appointment: Appointment, now: dt.datetime) -> None:
    if timezone.localdate(now) != appointment.day:
        raise IllegalAction(
            "not_today",
            _("该预约的日期是%(d)s，请在当天签到。") % {"d": f"{appointment.day:%Y-%m-%d}"},
        )
    opens = appointment.starts_at - selectors.early_minutes()
    if now < opens:
        raise IllegalAction(
            "check_in_too_early", _("请于%(t)s以后签到。") % {"t": f"{_local(opens):%H:%M}"}
        )
    if now > appointment.ends_at:
        raise IllegalAction("slot_over", _("预约时段已过，请取普通号排队。"))


def appointment_check_in(
    *, appointment: Appointment, center: ServiceCenter, now: dt.datetime | None = None
) -> QueueTicket:
    """签到 on the day, at the booked center, from shortly before the slot until its end:
    a ticket that is called before walk-ins once the slot has started."""
    now = _now(now)
    with transaction.atomic():
        appointment = _locked_appointment(appointment)
        if appointment.status != Appointment.Status.BOOKED:
            raise IllegalAction(
                "appointment_not_booked",
                _("该预约当前为“%(s)s”，不能签到。") % {"s": appointment.get_status_display()},
            )
        if appointment.center_id != center.pk:
            raise IllegalAction(
                "wrong_center",
                _("该预约在%(c)s办理，请到该中心签到。") % {"c": appointment.center.name},
            )
        _require_check_in_time(appointment, now)
        ticket = _issue(center, appointment.line, Source.APPOINTMENT, now, appointment=appointment)
        appointment.status, appointment.checked_in_at = Appointment.Status.CHECKED_IN, now
        appointment.save(update_fields=["status", "checked_in_at"])
    return ticket


# --- tickets ----------------------------------------------------------------------------


def _issue(
    center: ServiceCenter,
    line: str,
    source: str,
    now: dt.datetime,
    appointment: Appointment | None = None,
) -> QueueTicket:
    """The next number of the line today; the caller holds the transaction."""
    day = timezone.localdate(now)
    seq = counters.advance(QueueCounter, center_id=center.pk, day=day, line=line)
    return QueueTicket.objects.create(
        center=center,
        day=day,
        line=line,
        seq=seq,
        source=source,
        appointment=appointment,
        priority_from=appointment.starts_at if appointment else None,
        issued_at=now,
    )


def ticket_take(
    *,
    center: ServiceCenter,
    line: str,
    source: str,
    actor: Account | None = None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """取号 at the kiosk, or at a window for someone without one, during opening hours."""
    now = _now(now)
    if source not in (Source.KIOSK, Source.WINDOW):
        raise InvalidInput("invalid_source", _("取号方式无效。"), field="source")
    if source == Source.WINDOW:
        permissions.ensure_can(actor, "case.accept", center)
    if line not in ServiceLine.values:
        raise InvalidInput("invalid_line", _("请选择办理业务的窗口类别。"), field="line")
    if not selectors.is_open(center, now):
        raise IllegalAction(
            "center_closed",
            _("现在不在%(c)s的办公时间（%(h)s），暂不能取号。")
            % {"c": center.name, "h": center.hours},
        )
    with transaction.atomic():
        return _issue(center, line, source, now)


def _checked_window(window: str) -> str:
    window = (window or "").strip()
    if not window or len(window) > WINDOW_MAX:
        raise InvalidInput(
            "window_required",
            _("请填写窗口名称（不超过%(n)s个字），如“3号窗口”。") % {"n": WINDOW_MAX},
            field="window",
        )
    return window


def _checked_lines(lines) -> list[str]:
    lines = list(dict.fromkeys(lines or ServiceLine.values))
    if not set(lines) <= set(ServiceLine.values):
        raise InvalidInput("invalid_line", _("窗口类别无效。"), field="lines")
    return lines


def _next_waiting(center: ServiceCenter, lines: list[str], now: dt.datetime) -> QueueTicket:
    waiting = selectors.waiting_tickets(center, lines=lines, now=now)
    if connection.features.has_select_for_update_skip_locked:
        # Rows another window is taking right now are skipped, not waited for.
        waiting = waiting.select_for_update(skip_locked=True, of=("self",))
    ticket = waiting.first()
    if ticket is None:
        raise IllegalAction("queue_empty", _("当前没有等候的号。"))
    return ticket


def ticket_call_next(
    *,
    center: ServiceCenter,
    window: str,
    clerk: Account,
    lines=None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """叫号: the window calls the next ticket of its lines; a window serves one at a time."""
    now = _now(now)
    permissions.ensure_can(clerk, "case.accept", center)
    window, lines = _checked_window(window), _checked_lines(lines)
    with transaction.atomic():
        busy = selectors.window_ticket(center, window, now)
        if busy is not None:
            raise IllegalAction(
                "window_busy",
                _("%(w)s正在办理 %(n)s，请先办结或标记过号。") % {"w": window, "n": busy.number},
            )
        ticket = _next_waiting(center, lines, now)
        ticket.status, ticket.window, ticket.served_by = Status.CALLED, window, clerk
        ticket.called_at = ticket.last_called_at = now
        ticket.call_count = 1
        ticket.save(
            update_fields=[
                "status",
                "window",
                "served_by",
                "called_at",
                "last_called_at",
                "call_count",
            ]
        )
    return ticket


def _called(ticket: QueueTicket, clerk: Account) -> QueueTicket:
    """The ticket, locked, if it is still called to a window the clerk may serve."""
    permissions.ensure_can(clerk, "case.accept", ticket.center)
    ticket = QueueTicket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != Status.CALLED:
        raise IllegalAction(
            "ticket_not_called",
            _("%(n)s当前为“%(s)s”，不能再操作。")
            % {"n": ticket.number, "s": ticket.get_status_display()},
        )
    return ticket


def ticket_recall(
    *, ticket: QueueTicket, clerk: Account, now: dt.datetime | None = None
) -> QueueTicket:
    """重呼: call the same ticket again; the hall board shows it on top."""
    with transaction.atomic():
        ticket = _called(ticket, clerk)
        ticket.last_called_at = _now(now)
        ticket.call_count = F("call_count") + 1
        ticket.save(update_fields=["last_called_at", "call_count"])
        ticket.refresh_from_db(fields=["call_count"])
    return ticket


def _close(ticket: QueueTicket, clerk: Account, status: str, now) -> QueueTicket:
    with transaction.atomic():
        ticket = _called(ticket, clerk)
        ticket.status, ticket.finished_at = status, _now(now)
        ticket.save(update_fields=["status", "finished_at"])
    return ticket


def ticket_finish(
    *, ticket: QueueTicket, clerk: Account, now: dt.datetime | None = None
) -> QueueTicket:
    """办结: the person was served at the window."""
    return _close(ticket, clerk, Status.SERVED, now)


def ticket_no_show(
    *, ticket: QueueTicket, clerk: Account, now: dt.datetime | None = None
) -> QueueTicket:
    """过号: called, but nobody came to the window."""
    return _close(ticket, clerk, Status.NO_SHOW, now)


def hall_close_day(*, day: dt.date, now: dt.datetime | None = None) -> tuple[int, int]:
    """After hours: tickets still waiting on or before `day` are void, appointments never
    checked in are missed. Returns (tickets voided, appointments missed)."""
    now = _now(now)
    with transaction.atomic():
        voided = QueueTicket.objects.filter(day__lte=day, status=Status.WAITING).update(
            status=Status.CANCELLED, finished_at=now
        )
        missed = Appointment.objects.filter(day__lte=day, status=Appointment.Status.BOOKED).update(
            status=Appointment.Status.NO_SHOW
        )
    return voided, missed
