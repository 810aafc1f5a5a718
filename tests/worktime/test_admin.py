import datetime

import pytest
from django.urls import reverse

from yimen.worktime.calendar import add_workdays
from yimen.worktime.models import AnnualCalendar
from yimen.worktime.selectors import get_calendar

pytestmark = pytest.mark.django_db

D = datetime.date


def form_data(year, days):
    data = {
        "year": str(year),
        "source": "测试用，非真实安排",
        "days-TOTAL_FORMS": str(len(days)),
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for i, (d, kind, name) in enumerate(days):
        data |= {f"days-{i}-date": d, f"days-{i}-kind": kind, f"days-{i}-name": name}
    return data


def test_admin_enters_2027_with_inline_days(admin_client):
    url = reverse("admin:worktime_annualcalendar_add")
    days = [("2027-01-01", "holiday", "元旦"), ("2027-01-09", "workday", "元旦")]
    response = admin_client.post(url, form_data(2027, days))
    assert response.status_code == 302
    assert AnnualCalendar.objects.get(year=2027).days.count() == 2
    assert not add_workdays(D(2026, 12, 31), 1, get_calendar()).provisional


def test_admin_refuses_a_day_outside_the_year(admin_client):
    url = reverse("admin:worktime_annualcalendar_add")
    days = [("2026-12-31", "holiday", "元旦")]
    response = admin_client.post(url, form_data(2027, days))
    assert response.status_code == 200
    assert "2026-12-31 不在2027年内，只能录入该年的日期。" in response.content.decode()
    assert not AnnualCalendar.objects.exists()


def test_admin_refuses_a_date_entered_twice(admin_client):
    url = reverse("admin:worktime_annualcalendar_add")
    days = [("2027-01-01", "holiday", "元旦"), ("2027-01-01", "workday", "元旦")]
    response = admin_client.post(url, form_data(2027, days))
    assert response.status_code == 200
    assert not AnnualCalendar.objects.exists()


def test_admin_list_shows_counts(admin_client):
    admin_client.post(
        reverse("admin:worktime_annualcalendar_add"),
        form_data(2027, [("2027-01-01", "holiday", "元旦")]),
    )
    response = admin_client.get(reverse("admin:worktime_annualcalendar_changelist"))
    assert response.status_code == 200
    assert "节假日天数" in response.content.decode()
