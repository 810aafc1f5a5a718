"""Fuzzing the registry feeds: any CSV text gives an import report (or, without the required
columns, a clear refusal); every row is counted once, imported or rejected with a reason."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import subjects as people
from yimen.errors import InvalidInput
from yimen.subjects import registry
from yimen.subjects.models import Person

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PERSON_HEADER = ["姓名", "身份证号", "联系电话", "住址"]
ORGANISATION_HEADER = ["名称", "统一社会信用代码", "类型", "法定代表人身份证号", "住所"]
# Cells a feed may hold: real IDs and codes, near misses, and text that breaks naive code.
AWKWARD = ["", " ", "\x00", "a\x00b", '"', "\r\n", "=cmd|' /C calc'!A0", "𠮷" * 120, "x" * 300]
VALID_IDS = [people.new_resident_id(f"19{n:02d}0101") for n in range(50, 60)]
CELLS = (
    st.sampled_from(AWKWARD + VALID_IDS + ["enterprise", "13904310001", "张桂兰"])
    | st.text(max_size=40)
    | st.from_regex(r"[0-9X]{15,19}", fullmatch=True)
)
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=7), max_size=12)
IMPORTERS = {
    "persons": (registry.import_persons, PERSON_HEADER),
    "organisations": (registry.import_organisations, ORGANISATION_HEADER),
}


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def data_rows(text: str) -> int:
    """The rows after the header that hold anything: each must be imported or rejected."""
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    return sum(1 for row in rows if any(cell.strip() for cell in row))


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)


@FUZZ
@given(kind=st.sampled_from(sorted(IMPORTERS)), rows=ROWS)
def test_rows_under_a_proper_header_are_each_imported_or_rejected(kind, rows):
    importer, header = IMPORTERS[kind]
    text = csv_text([header, *rows])
    report = importer(io.StringIO(text, newline=""))
    counted = report.created + report.updated + report.unchanged + len(report.rejected)
    assert counted == data_rows(text)
    assert all(row.code and row.message for row in report.rejected)


@FUZZ
@given(kind=st.sampled_from(sorted(IMPORTERS)), text=st.text(max_size=300))
def test_any_text_is_imported_or_refused_for_its_missing_columns(kind, text):
    importer, _header = IMPORTERS[kind]
    try:
        importer(io.StringIO(text, newline=""))
    except InvalidInput as refused:
        assert refused.code in {"csv_empty", "csv_missing_columns", "csv_unreadable"}


def test_a_field_longer_than_the_csv_reader_allows_is_rejected_and_the_rest_imported():
    grandma, son = VALID_IDS[:2]
    text = csv_text([PERSON_HEADER, ["张桂兰", grandma], ["长", son, "", "地" * 200_000]])
    text += csv_text([["李建国", son]])
    report = registry.import_persons(io.StringIO(text, newline=""))
    assert report.created == 2
    assert [(r.line, r.code) for r in report.rejected] == [(3, "csv_unreadable")]


def test_text_no_database_can_store_is_rejected_with_its_row():
    text = csv_text([PERSON_HEADER, ["张\x00桂兰", VALID_IDS[0]], ["李建国", VALID_IDS[1]]])
    report = registry.import_persons(io.StringIO(text, newline=""))
    assert report.created == 1 and not Person.objects.filter(name__contains="桂兰").exists()
    assert [(r.line, r.code) for r in report.rejected] == [(2, "invalid_characters")]


@FUZZ
@given(content=st.binary(max_size=300))
def test_the_command_reads_any_file_or_says_why_not(tmp_path, content):
    feed = tmp_path / "feed.csv"
    feed.write_bytes(content)
    out = io.StringIO()
    try:
        call_command("registry-import", "persons", str(feed), stdout=out, stderr=io.StringIO())
    except CommandError as refused:
        assert str(refused)
    else:
        assert out.getvalue().startswith("新增 ")
