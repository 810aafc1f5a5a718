"""The public satisfaction figures: by month, department and item; ratings overturned on
appeal left out; the share of bad ratings rectified."""

import datetime as dt

import pytest
import time_machine

from tests.factories import catalog
from tests.factories import oversight_ratings as make
from tests.factories.cases import licence_item, team
from tests.factories.oversight_ratings import sandbox  # noqa: F401
from yimen.catalog.models import HandlingType
from yimen.oversight.selectors.ratings import satisfaction_report
from yimen.oversight.services import ratings as services

pytestmark = pytest.mark.django_db
OCT, NOV = dt.date(2025, 10, 9), dt.date(2025, 11, 3)
TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def rated():
    """October: 非常满意 and 满意 on the residence permit (MZJ), 不满意 on the insurance
    (YBJ). November: 非常不满意 on the permit, rectified; 不满意 on the permit, overturned on
    appeal; 基本满意 on the insurance. September: one more, outside a two-month window."""
    crew = team()
    permit = make.instant_item()
    insurance = licence_item(
        "220105-YBJ-002",
        handling_type=HandlingType.INSTANT,
        name="城乡居民医保参保登记",
        lead_department=catalog.department("YBJ", "区医疗保障局"),
    )
    plan = [
        (permit, dt.date(2025, 9, 15), 1),
        (permit, OCT, 1),
        (permit, OCT, 2),
        (insurance, OCT, 4),
        (permit, NOV, 5),
        (permit, NOV, 4),
        (insurance, NOV, 3),
    ]
    ratings = [
        make.rate(make.finished_instant(crew, v, on), crew, lvl, on=on) for v, on, lvl in plan
    ]
    rectified, overturned = ratings[4], ratings[5]
    for action in ("verify", "rectify"):
        services.rectification_act(
            rectification=rectified.rectification, actor=crew.approver, action=action, note="已办"
        )
    appeal = services.rating_appeal(
        rating=overturned, actor=crew.approver, kind="mistaken", reason="误选"
    )
    services.rating_appeal_decide(
        appeal=appeal, supervisor=make.supervisor(), upheld=True, note="误评"
    )
    return crew


def _row(figures):
    return (
        figures.label,
        figures.total,
        figures.level_counts,
        figures.satisfaction_rate,
        figures.bad,
        figures.rectified_rate,
    )


def test_figures_by_month_department_and_item(rated):
    report = satisfaction_report(months=2, today=TODAY)
    assert (report.first_month, report.last_month) == (dt.date(2025, 10, 1), dt.date(2025, 11, 1))
    assert _row(report.overall) == ("全部", 5, [1, 1, 1, 1, 1], 60.0, 2, 50.0)
    assert [_row(f) for f in report.by_month] == [
        ("2025-10", 3, [1, 1, 0, 1, 0], 66.7, 1, 0.0),
        ("2025-11", 2, [0, 0, 1, 0, 1], 50.0, 1, 100.0),
    ]
    assert [_row(f) for f in report.by_department] == [
        ("MZJ局", 3, [1, 1, 0, 0, 1], 66.7, 1, 100.0),
        ("区医疗保障局", 2, [0, 0, 1, 1, 0], 50.0, 1, 0.0),
    ]
    assert [(f.label, f.total) for f in report.by_item] == [
        ("居住证签注", 3),
        ("城乡居民医保参保登记", 2),
    ]


def test_a_month_without_ratings_shows_no_rate():
    report = satisfaction_report(months=1, today=TODAY)
    assert _row(report.overall) == ("全部", 0, [0] * 5, None, 0, None)
    assert [f.label for f in report.by_month] == ["2025-11"]


def test_the_public_page_and_api_show_the_figures(client, rated):
    with time_machine.travel(dt.datetime(2025, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        page = client.get("/satisfaction/?months=3")
        api = client.get("/api/v1/satisfaction?months=3")
    assert page.status_code == 200
    text = page.content.decode()
    assert "政务服务满意度公示" in text and "区医疗保障局" in text and "66.7%" in text
    assert "100.0%（1/1）" in text and "0.0%（0/1）" in text
    body = api.json()
    assert body["overall"]["total"] == 6 and body["overall"]["satisfaction_rate"] == 66.7
    assert [m["label"] for m in body["by_month"]] == ["2025-09", "2025-10", "2025-11"]
    assert body["by_month"][0]["counts"] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 0}
