"""The window hall: opening hours and slots, appointments, queue tickets, calling order,
windows that never call the same ticket, and the waiting-time statistics."""

import datetime as dt
import io
import math
import threading
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import catalog
from tests.factories import hall as make
from tests.factories import subjects as people
from tests.factories.cases import EFFECTIVE
from tests.factories.hall import MONDAY, at
from yimen.cases import selectors_hall as selectors
from yimen.cases import services_hall as services
from yimen.cases.models_hall import Appointment, QueueTicket, ServiceLine
from yimen.catalog.models import SubjectType
from yimen.errors import IllegalAction, InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db
T = dt.time
SATURDAY, SUNDAY = MONDAY + dt.timedelta(days=5), MONDAY + dt.timedelta(days=6)


@pytest.fixture
def qzx(db):
    return make.center()


@pytest.fixture
def clerk(qzx):
    return make.clerk(qzx)


# --- opening hours and slots ------------------------------------------------------------


def test_opening_hours_follow_the_centers_text_the_holidays_and_days_worked_in_lieu(qzx):
    weekday = ((T(8, 30), T(11, 30)), (T(13, 0), T(17, 0)))
    assert selectors.opening_periods(qzx, MONDAY) == weekday
    assert selectors.opening_periods(qzx, SATURDAY) == ((T(9, 0), T(12, 0)),)
    assert selectors.opening_periods(qzx, SUNDAY) == ()
    assert selectors.opening_periods(qzx, dt.date(2025, 10, 1)) == ()  # National Day
    assert selectors.opening_periods(qzx, dt.date(2025, 10, 4)) == ()  # a Saturday in the break
    assert selectors.opening_periods(qzx, dt.date(2025, 9, 28)) == weekday  # Sunday worked


def test_hours_written_other_ways_and_nonsense_ranges():
    assert selectors.parse_hours("工作日 8:30–16:30") == {
        d: ((T(8, 30), T(16, 30)),) for d in range(5)
    }
    assert selectors.parse_hours("周二、周四 9:00～10:00；每天 20:00-21:00") == {
        1: ((T(9, 0), T(10, 0)), (T(20, 0), T(21, 0))),
        3: ((T(9, 0), T(10, 0)), (T(20, 0), T(21, 0))),
        **{d: ((T(20, 0), T(21, 0)),) for d in (0, 2, 4, 5, 6)},
    }
    assert selectors.parse_hours("周一 17:00-8:30，25:00-26:00；预约服务") == {}


def test_slots_fill_each_period_with_the_configured_length(qzx, settings):
    slots = selectors.day_slots(qzx, MONDAY, now=at(MONDAY, 7))
    assert len(slots) == 6 + 8
    assert (slots[0].key, slots[5].key, slots[6].key, slots[-1].key) == (
        "08:30",
        "11:00",
        "13:00",
        "16:30",
    )
    assert all(s.capacity == 6 and s.free == 6 and s.bookable for s in slots)

    settings.YIMEN_APPOINTMENT_SLOT_MINUTES = 45
    later = selectors.day_slots(qzx, MONDAY, now=at(MONDAY, 13, 30))
    assert [s.key for s in later] == [
        *("08:30", "09:15", "10:00", "10:45"),
        *("13:00", "13:45", "14:30", "15:15", "16:00"),
    ]
    assert [s.bookable for s in later] == [False] * 5 + [True] * 4


def test_bookable_days_leave_out_closed_full_and_past_days(qzx, settings):
    settings.YIMEN_APPOINTMENT_DAYS_AHEAD = 6
    settings.YIMEN_APPOINTMENT_SLOT_MINUTES = 180  # 8:30–11:30 and 13:00–16:00; Saturday 9–12
    settings.YIMEN_APPOINTMENT_SLOT_CAPACITY = 1
    tuesday = MONDAY + dt.timedelta(days=1)
    for hour, minute in ((8, 30), (13, 0)):
        make.book(qzx, at(tuesday, hour, minute), now=at(MONDAY, 7))
    days = selectors.bookable_days(qzx, now=at(MONDAY, 13))
    assert days == [MONDAY + dt.timedelta(days=n) for n in (2, 3, 4, 5)]


# --- appointments -----------------------------------------------------------------------


def test_a_slot_takes_its_capacity_and_no_more(qzx, settings):
    settings.YIMEN_APPOINTMENT_SLOT_CAPACITY = 2
    nine = at(MONDAY, 9)
    first, second = make.book(qzx, nine), make.book(qzx, nine)
    assert first.code != second.code and len(first.code) == 8
    with pytest.raises(IllegalAction) as refused:
        make.book(qzx, nine)
    assert refused.value.code == "slot_full"
    assert Appointment.objects.filter(starts_at=nine).count() == 2
    slot = selectors.day_slots(qzx, MONDAY, now=at(MONDAY, 7))[1]
    assert (slot.key, slot.booked, slot.free, slot.bookable) == ("09:00", 2, 0, False)

    services.appointment_cancel(appointment=first, actor=first.booked_by, now=at(MONDAY, 7))
    assert make.book(qzx, nine).status == Appointment.Status.BOOKED


def test_one_active_booking_per_person_and_per_phone_a_day(qzx):
    citizen = people.citizen()
    booked = make.book(qzx, at(MONDAY, 9), citizen=citizen)
    with pytest.raises(IllegalAction) as refused:
        make.book(qzx, at(MONDAY, 14), citizen=citizen)
    assert refused.value.code == "already_booked"
    assert "2025-11-03" in refused.value.message
    with pytest.raises(IllegalAction):
        services.appointment_book(
            center=make.center("DSJD"),
            starts_at=at(MONDAY, 10),
            via=Appointment.Via.PHONE,
            name="张三",
            phone=citizen[0].phone,
            actor=make.clerk(),
            now=at(MONDAY, 7),
        )
    assert Appointment.objects.count() == 1

    assert make.book(qzx, at(MONDAY + dt.timedelta(days=1), 9), citizen=citizen).pk
    services.appointment_cancel(appointment=booked, actor=citizen[0], now=at(MONDAY, 7))
    assert make.book(qzx, at(MONDAY, 14), citizen=citizen).status == Appointment.Status.BOOKED


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        (at(MONDAY, 9), "slot_past"),
        (at(MONDAY, 12), "slot_outside_hours"),
        (at(MONDAY, 9, 10), "slot_outside_hours"),
        (at(SUNDAY, 10), "slot_outside_hours"),
        (at(MONDAY + dt.timedelta(days=20), 9), "slot_too_far"),
    ],
)
def test_a_booking_is_for_a_future_slot_within_hours_and_the_booking_window(qzx, starts_at, code):
    with pytest.raises(InvalidInput) as refused:
        make.book(qzx, starts_at, now=at(MONDAY, 9, 5))
    assert (refused.value.code, refused.value.field) == (code, "slot")
    assert not Appointment.objects.exists()


def test_items_are_checked_and_choose_the_line(qzx):
    person_item = catalog.published("220105-MZJ-001", effective_from=EFFECTIVE)
    company_item = catalog.published(
        "220105-SCJ-001",
        effective_from=EFFECTIVE,
        name="企业名称变更登记",
        subject_type=SubjectType.ORGANISATION,
    )
    with pytest.raises(NotFound):
        make.book(qzx, at(MONDAY, 9), item_codes=["220105-XXX-404"])
    assert make.book(qzx, at(MONDAY, 9), item_codes=[company_item.item.code]).line == "B"
    mixed = [company_item.item.code, person_item.item.code]
    assert make.book(qzx, at(MONDAY, 9), item_codes=mixed).line == "A"

    street = make.center("DSJD")
    street.items.add(person_item.item)
    with pytest.raises(InvalidInput) as refused:
        make.book(street, at(MONDAY, 9), item_codes=[company_item.item.code])
    assert refused.value.code == "item_not_at_center"
    assert Appointment.objects.count() == 2


def test_who_may_book_and_cancel(qzx, clerk):
    account, person = people.citizen()
    with pytest.raises(PermissionDenied):
        services.appointment_book(
            center=qzx,
            starts_at=at(MONDAY, 9),
            via=Appointment.Via.ONLINE,
            name="张桂兰",
            phone=account.phone,
            subject=person,
            actor=people.account(),
            now=at(MONDAY, 7),
        )
    phone_booking = dict(
        center=qzx, starts_at=at(MONDAY, 9), via="phone", name="王女士", phone="13812345678"
    )
    with pytest.raises(PermissionDenied):
        services.appointment_book(actor=account, now=at(MONDAY, 7), **phone_booking)
    by_phone = services.appointment_book(actor=clerk, now=at(MONDAY, 7), **phone_booking)
    assert (by_phone.subject, by_phone.booked_by, by_phone.booked_via) == (None, clerk, "phone")

    with pytest.raises(PermissionDenied):
        services.appointment_cancel(appointment=by_phone, actor=account, now=at(MONDAY, 7))
    with pytest.raises(IllegalAction) as started:
        services.appointment_cancel(appointment=by_phone, actor=clerk, now=at(MONDAY, 9))
    assert started.value.code == "appointment_started"
    services.appointment_cancel(appointment=by_phone, actor=clerk, now=at(MONDAY, 8))
    with pytest.raises(IllegalAction) as again:
        services.appointment_cancel(appointment=by_phone, actor=clerk, now=at(MONDAY, 8))
    assert again.value.code == "appointment_not_cancellable"


def test_bad_name_or_phone_is_refused_before_anything_is_saved(qzx, clerk):
    for name, phone, code in (
        ("", "13812345678", "name_required"),
        ("王", "12345", "invalid_phone"),
    ):
        with pytest.raises(InvalidInput) as refused:
            services.appointment_book(
                center=qzx,
                starts_at=at(MONDAY, 9),
                via="phone",
                name=name,
                phone=phone,
                actor=clerk,
                now=at(MONDAY, 7),
            )
        assert refused.value.code == code
    assert not Appointment.objects.exists()


def test_check_in_on_the_day_at_the_center_around_the_slot_gives_a_priority_ticket(qzx):
    booked = make.book(qzx, at(MONDAY, 9))
    attempts = [
        (qzx, at(MONDAY - dt.timedelta(days=1), 9), "not_today"),
        (qzx, at(MONDAY, 8, 29), "check_in_too_early"),
        (qzx, at(MONDAY, 9, 31), "slot_over"),
        (make.center("DSJD"), at(MONDAY, 9), "wrong_center"),
    ]
    for where, when, code in attempts:
        with pytest.raises(IllegalAction) as refused:
            services.appointment_check_in(appointment=booked, center=where, now=when)
        assert refused.value.code == code
    assert not QueueTicket.objects.exists()

    ticket = services.appointment_check_in(appointment=booked, center=qzx, now=at(MONDAY, 8, 40))
    booked.refresh_from_db()
    assert (ticket.number, ticket.source, ticket.priority_from) == (
        "A001",
        "appointment",
        at(MONDAY, 9),
    )
    assert (booked.status, booked.checked_in_at, booked.ticket) == (
        "checked_in",
        at(MONDAY, 8, 40),
        ticket,
    )
    with pytest.raises(IllegalAction) as twice:
        services.appointment_check_in(appointment=booked, center=qzx, now=at(MONDAY, 8, 41))
    assert twice.value.code == "appointment_not_booked"


def test_the_kiosk_finds_an_appointment_only_by_its_number_and_phone_tail(qzx):
    booked = make.book(qzx, at(MONDAY, 9))
    assert selectors.appointment_for_check_in(booked.code, booked.phone[-4:]) == booked
    for code, tail in ((booked.code, "0000"), ("00000000", booked.phone[-4:]), (booked.code, "")):
        with pytest.raises(NotFound) as refused:
            selectors.appointment_for_check_in(code, tail)
        assert refused.value.message == "预约号或手机号后四位不正确，请核对后重试。"


# --- tickets and calling ------------------------------------------------------------------


def test_numbers_run_per_line_and_day_and_only_in_opening_hours(qzx, clerk):
    numbers = [make.walk_in(qzx, at(MONDAY, 9, m), line).number for m, line in enumerate("AABA")]
    assert numbers == ["A001", "A002", "B001", "A003"]
    assert make.walk_in(qzx, at(MONDAY + dt.timedelta(days=1), 8, 5)).number == "A001"
    assert make.walk_in(make.center("DSJD"), at(MONDAY, 9)).number == "A001"

    for when in (at(MONDAY, 7, 59), at(MONDAY, 12), at(MONDAY, 17, 1), at(SUNDAY, 10)):
        with pytest.raises(IllegalAction) as closed:
            make.walk_in(qzx, when)
        assert closed.value.code == "center_closed"
    with pytest.raises(InvalidInput):
        make.walk_in(qzx, at(MONDAY, 9), "Z")
    with pytest.raises(PermissionDenied):
        services.ticket_take(center=qzx, line="A", source="window", now=at(MONDAY, 9))
    at_window = services.ticket_take(
        center=qzx, line="A", source="window", actor=clerk, now=at(MONDAY, 9)
    )
    assert (at_window.number, at_window.source) == ("A004", "window")
    assert QueueTicket.objects.count() == 7


def test_appointments_go_first_once_their_slot_has_started(qzx, clerk):
    early = make.walk_in(qzx, at(MONDAY, 8, 40))
    later = make.walk_in(qzx, at(MONDAY, 8, 50))
    booked = make.book(qzx, at(MONDAY, 9))
    booked_ticket = services.appointment_check_in(
        appointment=booked, center=qzx, now=at(MONDAY, 9, 5)
    )
    waiting = selectors.waiting_tickets(qzx, now=at(MONDAY, 9, 6))
    assert [t.number for t in waiting] == ["A003", "A001", "A002"]

    calls = [
        services.ticket_call_next(center=qzx, window=w, clerk=clerk, now=at(MONDAY, 9, 6))
        for w in ("1号窗口", "2号窗口", "3号窗口")
    ]
    assert calls == [booked_ticket, early, later]


def test_an_early_check_in_waits_in_turn_until_its_slot_starts(qzx, clerk):
    booked = make.book(qzx, at(MONDAY, 9, 30))
    first = make.walk_in(qzx, at(MONDAY, 8, 40))
    checked_in = services.appointment_check_in(appointment=booked, center=qzx, now=at(MONDAY, 9, 1))
    last = make.walk_in(qzx, at(MONDAY, 9, 2))
    assert list(selectors.waiting_tickets(qzx, now=at(MONDAY, 9, 10))) == [first, checked_in, last]
    assert list(selectors.waiting_tickets(qzx, now=at(MONDAY, 9, 30))) == [checked_in, first, last]


def test_a_window_calls_only_its_lines_and_one_ticket_at_a_time(qzx, clerk):
    general = make.walk_in(qzx, at(MONDAY, 9), ServiceLine.GENERAL)
    business = make.walk_in(qzx, at(MONDAY, 9, 1), ServiceLine.BUSINESS)
    called = services.ticket_call_next(
        center=qzx, window="企业专窗", clerk=clerk, lines=["B"], now=at(MONDAY, 9, 2)
    )
    assert called == business
    assert (called.status, called.window, called.served_by, called.call_count) == (
        "called",
        "企业专窗",
        clerk,
        1,
    )
    with pytest.raises(IllegalAction) as busy:
        services.ticket_call_next(center=qzx, window="企业专窗", clerk=clerk, now=at(MONDAY, 9, 3))
    assert busy.value.code == "window_busy" and "B001" in busy.value.message
    services.ticket_finish(ticket=called, clerk=clerk, now=at(MONDAY, 9, 10))
    with pytest.raises(IllegalAction) as empty:
        services.ticket_call_next(
            center=qzx, window="企业专窗", clerk=clerk, lines=["B"], now=at(MONDAY, 9, 11)
        )
    assert empty.value.code == "queue_empty"
    general.refresh_from_db()
    assert general.status == "waiting"


def test_two_windows_never_call_the_same_ticket(qzx, clerk):
    tickets = [make.walk_in(qzx, at(MONDAY, 9, m)) for m in range(2)]
    other = make.clerk(qzx, name="王丽")
    first = services.ticket_call_next(
        center=qzx, window="1号窗口", clerk=clerk, now=at(MONDAY, 9, 5)
    )
    second = services.ticket_call_next(
        center=qzx, window="2号窗口", clerk=other, now=at(MONDAY, 9, 5)
    )
    assert [first, second] == tickets
    with pytest.raises(IllegalAction) as empty:
        services.ticket_call_next(center=qzx, window="3号窗口", clerk=other, now=at(MONDAY, 9, 6))
    assert empty.value.code == "queue_empty"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks (SELECT … FOR UPDATE SKIP LOCKED); SQLite runs one writer at a time",
)
@pytest.mark.django_db(transaction=True)
def test_windows_calling_at_the_same_moment_never_share_a_ticket():
    qzx = make.center()
    clerk = make.clerk(qzx)
    waiting = {make.walk_in(qzx, at(MONDAY, 9, m)).pk for m in range(12)}
    called, failures, start = [], [], threading.Barrier(8)

    def window(n: int) -> None:
        try:
            start.wait()
            for _ in range(3):
                ticket = services.ticket_call_next(
                    center=qzx, window=f"{n}号窗口", clerk=clerk, now=at(MONDAY, 10)
                )
                called.append(ticket.pk)
                services.ticket_finish(ticket=ticket, clerk=clerk, now=at(MONDAY, 10, 1))
        except IllegalAction as error:
            failures.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=window, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(called) == sorted(waiting)
    assert set(failures) <= {"queue_empty"}


def test_recall_finish_and_no_show(qzx, clerk):
    first, second = make.walk_in(qzx, at(MONDAY, 9)), make.walk_in(qzx, at(MONDAY, 9, 1))
    called = services.ticket_call_next(
        center=qzx, window="1号窗口", clerk=clerk, now=at(MONDAY, 9, 5)
    )
    recalled = services.ticket_recall(ticket=called, clerk=clerk, now=at(MONDAY, 9, 7))
    assert (recalled.call_count, recalled.called_at, recalled.last_called_at) == (
        2,
        at(MONDAY, 9, 5),
        at(MONDAY, 9, 7),
    )
    gone = services.ticket_no_show(ticket=called, clerk=clerk, now=at(MONDAY, 9, 8))
    assert (gone.status, gone.finished_at) == ("no_show", at(MONDAY, 9, 8))
    for act in (services.ticket_finish, services.ticket_recall, services.ticket_no_show):
        with pytest.raises(IllegalAction) as refused:
            act(ticket=first, clerk=clerk, now=at(MONDAY, 9, 9))
        assert refused.value.code == "ticket_not_called"

    next_one = services.ticket_call_next(
        center=qzx, window="1号窗口", clerk=clerk, now=at(MONDAY, 9, 9)
    )
    assert next_one == second
    with pytest.raises(PermissionDenied):
        services.ticket_finish(ticket=next_one, clerk=make.clerk(make.center("DSJD")))
    done = services.ticket_finish(ticket=next_one, clerk=clerk, now=at(MONDAY, 9, 20))
    assert (done.status, done.finished_at) == ("served", at(MONDAY, 9, 20))


def test_a_clerk_calls_only_at_their_own_center_and_names_the_window(qzx):
    make.walk_in(qzx, at(MONDAY, 9))
    with pytest.raises(PermissionDenied):
        services.ticket_call_next(
            center=qzx, window="1号窗口", clerk=make.clerk(make.center("DSJD")), now=at(MONDAY, 9)
        )
    with pytest.raises(InvalidInput) as unnamed:
        services.ticket_call_next(center=qzx, window=" ", clerk=make.clerk(qzx), now=at(MONDAY, 9))
    assert unnamed.value.code == "window_required"
    assert QueueTicket.objects.get().status == "waiting"


def test_closing_the_day_voids_waiting_tickets_and_marks_missed_appointments(qzx, clerk):
    missed = make.book(qzx, at(MONDAY, 15))
    kept = make.book(qzx, at(MONDAY + dt.timedelta(days=1), 9))
    make.served(make.walk_in(qzx, at(MONDAY, 9)), clerk, at(MONDAY, 9, 30))
    waiting = make.walk_in(qzx, at(MONDAY, 9, 40))
    assert services.hall_close_day(day=MONDAY, now=at(MONDAY, 18)) == (1, 1)
    for row in (missed, kept, waiting):
        row.refresh_from_db()
    assert (missed.status, kept.status, waiting.status) == ("no_show", "booked", "cancelled")


def test_the_daily_command_closes_the_given_day_and_refuses_a_bad_date(qzx):
    make.book(qzx, at(MONDAY, 15))
    out = io.StringIO()
    call_command("hall-close-day", "--day", MONDAY.isoformat(), stdout=out)
    assert "作废排队号 0 个，爽约预约 1 个" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("hall-close-day", "--day", "周一")
    assert Appointment.objects.get().status == "no_show"


# --- waiting times ----------------------------------------------------------------------


def test_waiting_time_stats_of_a_day_by_hand(qzx, clerk):
    # Ten people come at 9:00, 9:01 … and each is called n minutes after coming.
    tickets = [make.walk_in(qzx, at(MONDAY, 9, n)) for n in range(10)]
    for n, ticket in enumerate(tickets, start=1):
        make.served(ticket, clerk, at(MONDAY, 9, n - 1) + dt.timedelta(minutes=n * 10))
    make.walk_in(qzx, at(MONDAY, 16))  # never called
    [row] = selectors.waiting_time_stats(MONDAY, MONDAY)
    assert (row.center_code, row.day, row.issued, row.called, row.no_shows) == (
        "QZX",
        MONDAY,
        11,
        10,
        0,
    )
    assert (row.average_minutes, row.p90_minutes, row.max_minutes) == (55.0, 90.0, 100.0)


def test_waiting_time_stats_equal_a_recount_of_the_tickets(qzx, clerk):
    street = make.center("DSJD")
    street_clerk = make.clerk(street, name="王丽")
    waits = {0: [3, 17, 4, 29, 8, 11, 2], 1: [45, 1, 12], 3: []}
    for day_offset, minutes in waits.items():
        day = MONDAY + dt.timedelta(days=day_offset)
        for n, wait in enumerate(minutes):
            _come_and_go(qzx, clerk, at(day, 13, n), wait)
            _come_and_go(street, street_clerk, at(day, 13, n), wait * 2)
        make.walk_in(qzx, at(day, 16, 30))

    found = selectors.waiting_time_stats(MONDAY, MONDAY + dt.timedelta(days=4))
    assert found == _recount(QueueTicket.objects.all())
    assert [(r.center_code, r.day.day, r.issued) for r in found] == [
        ("DSJD", 3, 7),
        ("DSJD", 4, 3),
        ("QZX", 3, 8),
        ("QZX", 4, 4),
        ("QZX", 6, 1),
    ]
    assert selectors.waiting_time_stats(MONDAY, MONDAY, center="DSJD") == found[:1]
    assert selectors.waiting_time_stats(MONDAY, MONDAY, center=qzx) == found[2:3]


def _come_and_go(where, clerk, came: dt.datetime, wait: int) -> None:
    """Someone takes a ticket, is called `wait` minutes later, and is served or not there."""
    ticket = make.walk_in(where, came)
    called = came + dt.timedelta(minutes=wait)
    calling = services.ticket_call_next(center=where, window="1号窗口", clerk=clerk, now=called)
    assert calling == ticket
    close = services.ticket_no_show if wait % 4 == 1 else services.ticket_finish
    close(ticket=calling, clerk=clerk, now=called)


def _recount(tickets) -> list[selectors.WaitingStats]:
    groups: dict[tuple, list[QueueTicket]] = defaultdict(list)
    for ticket in tickets.select_related("center"):
        groups[(ticket.center.code, ticket.day)].append(ticket)
    rows = []
    for (code, day), group in sorted(groups.items()):
        waits = sorted((t.called_at - t.issued_at).total_seconds() for t in group if t.called_at)
        rows.append(
            selectors.WaitingStats(
                center_code=code,
                center_name=group[0].center.name,
                day=day,
                issued=len(group),
                called=len(waits),
                no_shows=sum(t.status == "no_show" for t in group),
                average_seconds=sum(waits) / len(waits) if waits else None,
                p90_seconds=waits[math.ceil(len(waits) * 9 / 10) - 1] if waits else None,
                max_seconds=max(waits, default=None),
            )
        )
    return rows


def test_waiting_time_stats_refuse_a_backwards_or_overlong_period(db):
    with pytest.raises(InvalidInput) as backwards:
        selectors.waiting_time_stats(MONDAY, MONDAY - dt.timedelta(days=1))
    assert backwards.value.code == "bad_period"
    with pytest.raises(InvalidInput) as overlong:
        selectors.waiting_time_stats(MONDAY - dt.timedelta(days=400), MONDAY)
    assert overlong.value.code == "period_too_long"
