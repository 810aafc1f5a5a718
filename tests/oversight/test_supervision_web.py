"""Supervision's pages and API as supervisors (and everyone else) meet them: the dashboard,
the statistics with charts and a spreadsheet, and spot checks."""

import datetime as dt
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from tests.factories import subjects as people
from tests.factories.oversight_supervision import Plan, bureau, drive, plans
from tests.factories.subjects import bearer
from yimen.oversight.models.supervision import SpotCheck, SpotCheckCase
from yimen.oversight.selectors.stats import chart_data, stats_filter, stats_report

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIOD = {"from": "2025-08-01", "to": "2026-06-30"}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@pytest.fixture
def office():
    return bureau()


@pytest.fixture
def cases(office):
    done = [drive(office, plan) for plan in plans(12, seed=5)]
    late = drive(
        office, Plan(item="plain", channel="window", day=D(2025, 10, 31), finish_after=None)
    )
    return done, late


@pytest.fixture
def supervisor_client(client, office):
    client.force_login(office.supervisor)
    return client


def on(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI))


# --- who may see the pages ----------------------------------------------------------------

PAGES = ["/supervision/", "/supervision/stats/", "/supervision/spot-checks/"]


@pytest.mark.parametrize("url", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", PAGES)
def test_staff_without_the_supervisor_role_and_citizens_are_refused(client, office, url):
    for outsider in (office.clerk, office.approver, office.citizens[0][0]):
        client.force_login(outsider)
        response = client.get(url)
        assert response.status_code == 403
        assert "您没有办理此项业务的权限" in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_supervisors_and_superusers_see_the_pages(client, office, url):
    chief = people.account("chief")
    chief.is_superuser = True
    chief.save()
    for insider in (office.supervisor, chief):
        client.force_login(insider)
        assert client.get(url).status_code == 200


def test_a_refused_draw_saves_nothing(client, office, cases):
    client.force_login(office.clerk)
    response = client.post("/supervision/spot-checks/", {"size": 3, **PERIOD})
    assert response.status_code == 403
    assert not SpotCheck.objects.exists()


# --- the dashboard ------------------------------------------------------------------------


def test_the_dashboard_lists_the_red_case_with_a_link_to_it(supervisor_client, cases):
    _done, late = cases
    with on(D(2025, 11, 25)):
        page = supervisor_client.get("/supervision/").content.decode()
    red = page.split('id="red"')[1].split('id="yellow"')[0]
    assert f'href="/cases/{late.case_no}/"' in red
    assert "红牌：已超期 6 个工作日" in red  # due 11-17; 18, 19, 20, 21, 24, 25
    assert "市场监管局" in page.split("超期办件分布")[1]


# --- statistics ---------------------------------------------------------------------------


def test_the_stats_page_shows_the_report_in_tables_and_chart_data(supervisor_client, office, cases):
    response = supervisor_client.get("/supervision/stats/", {**PERIOD, "department": "SCJ"})
    assert response.status_code == 200
    page = response.content.decode()
    report = stats_report(
        office.supervisor,
        stats_filter(date_from=D(2025, 8, 1), date_to=D(2026, 6, 30), department="SCJ"),
    )
    blob = re.search(r'<script id="stats-charts" type="application/json">(.*?)</script>', page)
    assert json.loads(blob.group(1)) == json.loads(json.dumps(chart_data(report)))
    assert "vendor/echarts.min.js" in page
    table = page.split('id="by-department-table"')[1].split("</table>")[0]
    figures = report.departments[0].figures
    assert report.departments[0].label in table
    assert f'<td class="num" data-label="办结">{figures.completed}</td>' in table
    assert f"{figures.one_visit_rate:.1%}" in table
    assert 'href="?from=2025-08-01&amp;to=2026-06-30&amp;department=SCJ&amp;format=xlsx"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2025-12-01", "to": "2025-11-01"}, "开始日期不能晚于结束日期"),
        ({"from": "2025-13-01"}, "输入一个有效的日期"),
        ({"department": "NOPE"}, "选择一个有效的选项"),
        ({"channel": "fax"}, "选择一个有效的选项"),
    ],
)
def test_bad_filters_are_shown_beside_the_form(supervisor_client, office, query, message):
    response = supervisor_client.get("/supervision/stats/", query)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert 'id="stats-charts"' not in page


def test_the_spreadsheet_opens_and_holds_the_figures(supervisor_client, office, cases):
    response = supervisor_client.get("/supervision/stats/", {**PERIOD, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "yimen-stats-20250801-20260630.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["合计", "按部门", "按月份"]
    report = stats_report(
        office.supervisor, stats_filter(date_from=D(2025, 8, 1), date_to=D(2026, 6, 30))
    )
    header = [c.value for c in book["合计"][1]]
    total = dict(zip(header, [c.value for c in book["合计"][2]], strict=True))
    assert total["统计期间"] == "2025-08-01—2026-06-30"
    assert total["收件"] == report.totals.received
    assert total["办结"] == report.totals.completed
    assert total["只跑一次率"] == pytest.approx(report.totals.one_visit_rate)
    assert total["P90用时（工作日）"] == report.totals.p90_workdays
    departments = {row[0].value: row[4].value for row in book["按部门"].iter_rows(min_row=2)}
    assert departments == {g.label: g.figures.completed for g in report.departments}
    assert book["按月份"].max_row == 1 + len(report.months)


# --- spot checks --------------------------------------------------------------------------


def test_a_supervisor_draws_and_reviews_on_the_pages(supervisor_client, cases):
    response = supervisor_client.post(
        "/supervision/spot-checks/", {"size": 3, "seed": 99, "note": "季度抽查", **PERIOD}
    )
    check = SpotCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/spot-checks/{check.pk}/"
    page = supervisor_client.get(response["Location"]).content.decode()
    items = list(check.cases.order_by("position"))
    assert all(f'href="/cases/{i.case.case_no}/"' in page for i in items)
    assert "99" in page and "得到的是同一批办件" in page

    review = f"/supervision/spot-checks/{check.pk}/cases/{items[0].case.case_no}/review/"
    prefix = items[0].case.case_no
    refused = supervisor_client.post(review, {f"{prefix}-result": "problem"})
    assert refused.status_code == 422
    assert "发现问题时须写明问题" in refused.content.decode()
    assert SpotCheckCase.objects.get(pk=items[0].pk).result == "pending"

    done = supervisor_client.post(
        review, {f"{prefix}-result": "problem", f"{prefix}-finding": "未一次性告知"}
    )
    assert done.status_code == 302 and done["Location"].endswith(f"#case-{prefix}")
    assert SpotCheckCase.objects.get(pk=items[0].pk).finding == "未一次性告知"
    listing = supervisor_client.get("/supervision/spot-checks/").content.decode()
    assert f'href="/supervision/spot-checks/{check.pk}/"' in listing


def test_a_bad_draw_on_the_page_keeps_what_was_typed(supervisor_client, cases):
    response = supervisor_client.post(
        "/supervision/spot-checks/",
        {"size": 3, "seed": 5, "from": "2024-01-01", "to": "2024-01-31"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "该范围内没有已办结的办件" in page
    assert 'value="2024-01-01"' in page and 'value="5"' in page
    assert not SpotCheck.objects.exists()


# --- the API ------------------------------------------------------------------------------


def test_the_api_dashboard_lists_red_cases(client, office, cases):
    _done, late = cases
    with on(D(2025, 11, 25)):
        body = client.get("/api/v1/supervision/dashboard", **bearer(office.supervisor)).json()
    red = {r["case_no"]: r for r in body["red"]}
    assert red[late.case_no]["days_left"] == -6
    assert red[late.case_no]["deadline"] == "2025-11-17"
    assert body["warnings"]["red"] == len(red)
    assert sum(t["count"] for t in body["overdue_by_department"]) == len(red)


def test_the_api_stats_equal_the_page_report(client, office, cases):
    response = client.get(
        "/api/v1/stats", {**PERIOD, "channel": "window"}, **bearer(office.supervisor)
    )
    assert response.status_code == 200
    body = response.json()
    report = stats_report(
        office.supervisor,
        stats_filter(date_from=D(2025, 8, 1), date_to=D(2026, 6, 30), channel="window"),
    )
    assert body["filters"] == {**PERIOD, "department": None, "center": None, "channel": "window"}
    assert body["totals"]["completed"] == report.totals.completed
    assert body["totals"]["one_visit_rate"] == pytest.approx(report.totals.one_visit_rate)
    assert [d["key"] for d in body["departments"]] == [g.key for g in report.departments]
    assert len(body["months"]) == 11
    assert body["satisfaction"] == {"ratings": 0, "satisfied": 0, "bad": 0, "rate": None}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"from": "yesterday"}, "invalid_request"),
        ({"department": "NOPE"}, "department_unknown"),
        ({"from": "2025-12-01", "to": "2025-11-01"}, "period_invalid"),
    ],
)
def test_the_api_refuses_bad_filters_with_a_code(client, office, query, code):
    response = client.get("/api/v1/stats", query, **bearer(office.supervisor))
    assert response.status_code == 422
    assert response.json()["code"] == code


def test_the_api_draws_reads_and_reviews_spot_checks(client, office, cases):
    auth = bearer(office.supervisor)
    created = client.post(
        "/api/v1/spot-checks",
        {"size": 4, "seed": 2025, **PERIOD},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["seed"], body["requested"], body["repeatable"]) == (2025, 4, True)
    assert body["scope"]["from"] == "2025-08-01"
    read = client.get(f"/api/v1/spot-checks/{body['id']}", **auth).json()
    assert [c["case_no"] for c in read["cases"]] == [c["case_no"] for c in body["cases"]]

    url = f"/api/v1/spot-checks/{body['id']}/cases/{body['cases'][0]['case_no']}/review"
    ok = client.post(url, {"result": "ok"}, content_type="application/json", **auth)
    assert (ok.status_code, ok.json()["result"]) == (200, "ok")
    again = client.post(
        url, {"result": "problem", "finding": "x"}, content_type="application/json", **auth
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_reviewed")
    missing = client.get("/api/v1/spot-checks/999", **auth)
    assert (missing.status_code, missing.json()["code"]) == (404, "spot_check_not_found")


def test_the_api_is_for_supervisors_only(client, office, cases):
    assert client.get("/api/v1/supervision/dashboard").status_code == 401
    for url in ("/api/v1/supervision/dashboard", "/api/v1/stats"):
        refused = client.get(url, **bearer(office.clerk))
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    drawn = client.post(
        "/api/v1/spot-checks", {"size": 2}, content_type="application/json", **bearer(office.clerk)
    )
    assert drawn.status_code == 403
    assert not SpotCheck.objects.exists()
