"""`yimen generate`: generated cases hold together as if the services had made them."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q

from yimen.cases import clocks
from yimen.cases.models import Case, CaseEvent, CaseNumberSequence, ClockPause, Task, Visit
from yimen.cases.states import TRANSITIONS, CaseState
from yimen.oversight.models.ratings import Rating
from yimen.oversight.services.stats import stats_rebuild
from yimen.perf.generate import generate
from yimen.subjects.models import Person
from yimen.worktime.selectors import get_calendar

CASES = 2000
OPEN = {CaseState.SUBMITTED, CaseState.CORRECTION, CaseState.IN_PROGRESS, CaseState.DECIDED,
        CaseState.ISSUED}  # fmt: skip


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker, module_sandbox):
    """One generation for the module's tests, rolled back after them (each test runs in a
    savepoint of its own inside this transaction)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate(CASES, seed=7, items=0)
        transaction.set_rollback(True)


def test_it_adds_the_cases_asked_for_with_their_applicants(db, generated):
    assert generated.cases == CASES
    assert Case.objects.count() == CASES
    assert generated.rows["cases_case"] == CASES
    assert Person.objects.filter(account__username__startswith="g").count() > 0


def test_the_integrity_check_finds_nothing_wrong(db, generated):
    out = io.StringIO()
    try:
        call_command("check-integrity", stdout=out)
    except SystemExit:  # the command exits 1 when it finds a problem, after listing them
        pytest.fail(out.getvalue())
    assert "未发现问题" in out.getvalue()


def test_every_case_has_a_gapless_history_ending_in_its_state(db, generated):
    numbered = Case.objects.annotate(
        n=Count("events"), first=Min("events__seq"), last=Max("events__seq")
    )
    assert not numbered.exclude(n__gt=0, first=1, last=F("n")).exists()
    last_events = {e.case_id: e for e in CaseEvent.objects.order_by("case_id", "seq")}
    for case in numbered:
        assert last_events[case.pk].to_state == case.state, case.case_no
        assert case.lock_version == case.n - 1, case.case_no


def test_every_event_follows_the_state_table(db, generated):
    for event in CaseEvent.objects.exclude(action="submit").iterator():
        sources, to = TRANSITIONS[event.action]
        assert event.from_state in sources, event
        assert event.to_state == (to or event.from_state), event


def test_events_are_in_time_order(db, generated):
    previous = {}
    for case_id, seq, at in CaseEvent.objects.order_by("case_id", "seq").values_list(
        "case_id", "seq", "at"
    ):
        assert previous.get(case_id, at) <= at, (case_id, seq)
        previous[case_id] = at


def test_tasks_and_clocks_match_each_state(db, generated):
    open_tasks = Q(tasks__status=Task.Status.OPEN)
    ended = Case.objects.filter(state__in=[CaseState.COMPLETED, CaseState.REFUSED])
    assert not ended.filter(open_tasks).exists()
    assert not ended.filter(completed_at__isnull=True).exists()
    assert not Case.objects.filter(state__in=OPEN, completed_at__isnull=False).exists()
    waiting = Case.objects.filter(state__in=[CaseState.SUBMITTED, CaseState.CORRECTION])
    assert not waiting.filter(accepted_on__isnull=False).exists()
    assert not waiting.filter(tasks__isnull=False).exists()
    assert not Case.objects.filter(state=CaseState.IN_PROGRESS).exclude(open_tasks).exists()
    granted = Case.objects.filter(decision="grant", state=CaseState.COMPLETED)
    assert not granted.filter(licence_ref="").exclude(events__action="complete_instant").exists()


def test_deadlines_are_what_the_clock_computes_from_acceptance_and_pauses(db, generated):
    calendar = get_calendar()
    accepted = Case.objects.filter(accepted_on__isnull=False).select_related("version")
    for case in accepted.prefetch_related("pauses"):
        pauses = [(p.started_on, p.ended_on) for p in case.pauses.all()]
        for days, stored in ((case.version.committed_limit_days, case.deadline),
                             (case.version.legal_limit_days, case.legal_deadline)):  # fmt: skip
            found = clocks.deadline(case.accepted_on, days, case.extension_days, pauses, calendar)
            assert stored == (found.date if found else None), case.case_no


def test_the_statistics_equal_a_recount_from_the_cases(db, generated):
    assert stats_rebuild(check=True).differences == []


def test_the_mix_looks_like_a_district(db, generated):
    states = Counter(Case.objects.values_list("state", flat=True))
    assert set(states) == set(CaseState.values)
    assert states[CaseState.COMPLETED] > CASES / 2
    channels = Counter(Case.objects.values_list("channel", flat=True))
    assert len(channels) == 5
    assert Visit.objects.exists() and Rating.objects.exists() and ClockPause.objects.exists()
    assert CaseEvent.objects.filter(action="request_correction").exists()
    assert Rating.objects.filter(level__gte=4, rectification__isnull=False).exists()


def test_new_cases_after_generation_get_fresh_numbers_and_ids(db, generated):
    biggest = Case.objects.aggregate(m=Max("pk"))["m"]
    day_key, count = CaseNumberSequence.objects.order_by("-value").values_list("key", "value")[0]
    assert Case.objects.filter(case_no__startswith=day_key).count() == count
    more = generate(10, seed=8, items=0)
    assert more.cases == 10
    assert Case.objects.filter(pk__gt=biggest).count() == 10
    assert stats_rebuild(check=True).differences == []
