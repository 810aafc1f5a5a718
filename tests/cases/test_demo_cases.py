"""The demo cases: every state, late and nearly late ones, real events, licences left to
the licences demo and delivered after it, and idempotence."""

import pytest

from tests.licences import helpers as licences
from yimen.cases import selectors
from yimen.cases.demo import DELIVERED_AFTER_ISSUE, deliver_issued, load_demo
from yimen.cases.models import Case, CaseEvent, Channel, ClockPause, Decision, Task, Visit
from yimen.cases.states import CaseState
from yimen.catalog.demo import demo_catalog
from yimen.catalog.exchange import import_catalog
from yimen.licences.demo import load_demo as load_demo_licences
from yimen.subjects.demo import load_demo as load_demo_subjects

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(capsys):
    import_catalog(demo_catalog(), actor="demo")
    load_demo_subjects()
    capsys.readouterr()
    load_demo()


@pytest.fixture
def delivered(demo, settings, tmp_path):
    licences.sandbox(settings, tmp_path)
    load_demo_licences()
    deliver_issued()


def of_scenario(name: str) -> Case:
    return Case.objects.get(filing__idempotency_key=f"demo-{name}")


def test_granted_licensing_cases_wait_at_their_decision_for_their_licence(demo):
    for name in ("food-licence", "issued", "completed-post"):
        case = of_scenario(name)
        assert (case.state, case.decision, case.licence_ref) == (
            CaseState.DECIDED,
            Decision.GRANT,
            "",
        )
    assert not Case.objects.filter(state=CaseState.ISSUED).exists()


def test_after_the_licences_demo_some_are_delivered_and_one_waits(delivered):
    for name, (mode, tracking_no) in DELIVERED_AFTER_ISSUE.items():
        case = of_scenario(name)
        assert (case.state, case.delivery_mode, case.tracking_no) == (
            CaseState.COMPLETED,
            mode,
            tracking_no,
        )
        assert case.licence.number == case.licence_ref
    assert of_scenario("food-licence").visits.filter(purpose=Visit.Purpose.COLLECT).exists()
    assert of_scenario("issued").state == CaseState.ISSUED


def test_delivering_again_adds_nothing_and_says_nothing(delivered, capsys):
    events = CaseEvent.objects.count()
    deliver_issued()
    assert CaseEvent.objects.count() == events
    assert capsys.readouterr() == ("", "")


def test_every_state_and_channel_is_present(delivered):
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)


def test_some_cases_are_red_and_some_yellow(demo):
    open_cases = Case.objects.exclude(state__in=[CaseState.COMPLETED, CaseState.REFUSED])
    levels = [selectors.case_warning(case) for case in open_cases]
    assert levels.count("red") >= 2
    assert levels.count("yellow") >= 2


def test_in_progress_cases_show_the_situations_queues_meet(demo):
    parallel = Task.objects.filter(status=Task.Status.OPEN, stage_name="并联审查")
    assert parallel.values("case").distinct().count() == 1
    assert parallel.count() == 2
    paused = ClockPause.objects.filter(ended_on__isnull=True)
    assert {p.kind for p in paused} == {ClockPause.Kind.STAGE, ClockPause.Kind.HEARING}
    assert Case.objects.filter(extension_days__gt=0, state=CaseState.IN_PROGRESS).exists()
    assert Case.objects.filter(materials__status="pending").count() == 2


def test_every_case_has_its_history_from_submission(demo):
    for case in Case.objects.all():
        actions = list(case.events.order_by("seq").values_list("action", flat=True))
        assert actions[0] == "submit"
        assert len(actions) >= 2 or case.state == CaseState.SUBMITTED
    assert not Case.objects.filter(state=CaseState.CORRECTION, corrections__isnull=True).exists()


def test_grandma_finishes_her_bundle_in_one_visit(demo):
    (filing,) = {c.filing for c in Case.objects.filter(filing__bundle__code="220105-YJS-001")}
    cases = list(filing.cases.all())
    assert [c.state for c in cases] == [CaseState.COMPLETED] * 2
    assert filing.completed_at is not None
    assert selectors.filing_visit_count(filing) == 1
    minutes = (filing.completed_at - filing.submitted_at).total_seconds() / 60
    assert minutes == 11


def test_loading_again_adds_nothing_and_says_nothing(demo, capsys):
    counts = (Case.objects.count(), CaseEvent.objects.count(), Visit.objects.count())
    load_demo()
    assert (Case.objects.count(), CaseEvent.objects.count(), Visit.objects.count()) == counts
    assert capsys.readouterr() == ("", "")
