"""Window hall test data: a center with real opening hours, its clerks, appointments and
tickets, all made through the hall services at chosen moments."""

import datetime as dt

from tests.factories import subjects as people
from tests.factories.cases import SHANGHAI
from yimen.cases import services_hall as services
from yimen.cases.models_hall import Appointment, QueueTicket, ServiceLine
from yimen.catalog.models import Role, ServiceCenter
from yimen.subjects.models import Account, Person

# A November week without holidays: Monday the 3rd to Friday the 7th are working days.
MONDAY = dt.date(2025, 11, 3)
DISTRICT_HOURS = (
    "周一至周五 8:30-11:30，13:00-17:00；周六 9:00-12:00 预约延时服务（法定节假日除外）"
)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def center(code: str = "QZX", hours: str = DISTRICT_HOURS) -> ServiceCenter:
    """The district center (QZX), or a street center of that code."""
    level = ServiceCenter.Level.DISTRICT if code == "QZX" else ServiceCenter.Level.STREET
    made = people.center(code, level)
    made.hours = hours
    made.save(update_fields=["hours"])
    return made


def clerk(at_center: ServiceCenter | None = None, name: str = "刘晓梅") -> Account:
    return people.staff(Role.CLERK, center=at_center, name=name)


def book(
    where: ServiceCenter,
    starts_at: dt.datetime,
    *,
    citizen: tuple[Account, Person] | None = None,
    now: dt.datetime | None = None,
    item_codes=(),
) -> Appointment:
    """An online booking by a signed-up citizen (a new one unless given)."""
    account, person = citizen or people.citizen()
    return services.appointment_book(
        center=where,
        starts_at=starts_at,
        via=Appointment.Via.ONLINE,
        name=person.name,
        phone=account.phone,
        subject=person,
        actor=account,
        item_codes=item_codes,
        now=now or starts_at - dt.timedelta(days=1),
    )


def walk_in(
    where: ServiceCenter, when: dt.datetime, line: str = ServiceLine.GENERAL
) -> QueueTicket:
    return services.ticket_take(center=where, line=line, source=QueueTicket.Source.KIOSK, now=when)


def served(
    ticket: QueueTicket, by: Account, called: dt.datetime, window: str = "1号窗口"
) -> QueueTicket:
    """Called at `called` to the window (it must be next in line there) and served."""
    calling = services.ticket_call_next(center=ticket.center, window=window, clerk=by, now=called)
    assert calling.pk == ticket.pk, (calling.number, ticket.number)
    return services.ticket_finish(ticket=calling, clerk=by, now=called + dt.timedelta(minutes=5))
