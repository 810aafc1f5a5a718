"""No sequence of actions reaches an invalid state or loses a case event."""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.factories.cases import ALL_MATERIALS, at, licence_item, submitted, team
from yimen.cases import services
from yimen.cases.models import Case, Channel, Task
from yimen.cases.states import CaseState
from yimen.errors import DomainError

pytestmark = pytest.mark.django_db

DECIDED_STATES = {CaseState.DECIDED, CaseState.ISSUED}
ACCEPTED_STATES = {CaseState.IN_PROGRESS, *DECIDED_STATES}


class CaseLifecycle(RuleBasedStateMachine):
    crew = version = None  # set by the test before running

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.day = dt.date(2025, 9, 22)
        provided = ("id_card", "lease")  # the floor plan may be 容缺
        self.case = submitted(self.crew, self.version, day=self.day, provided=provided)
        self.events = 1

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _try(self, action, **kwargs):
        try:
            action(case=self.case, now=at(self.day), **kwargs)
        except DomainError:
            return
        self.events += 1

    def _try_task(self, action, **kwargs):
        task = Task.objects.filter(case=self.case, status=Task.Status.OPEN).first()
        if task is None:
            return
        try:
            action(task=task, now=at(self.day), **kwargs)
        except DomainError:
            return
        self.events += 1

    @rule(days=st.integers(0, 4))
    def tick(self, days):
        self.day += dt.timedelta(days=days)

    @rule()
    def accept(self):
        self._try(services.case_accept, clerk=self.crew.clerk)

    @rule()
    def accept_pending(self):
        due = self.day + dt.timedelta(days=10)
        self._try(services.case_accept_pending, clerk=self.crew.clerk, pending={"floor_plan": due})

    @rule(reason=st.sampled_from(["", "原件核验发现问题"]))
    def request_correction(self, reason):
        self._try(
            services.case_request_correction,
            clerk=self.crew.clerk,
            reason=reason,
            notes=["申请表未签字"],
        )

    @rule()
    def supply_correction(self):
        self._try(
            services.case_supply_correction,
            actor=self.crew.clerk,
            provided=ALL_MATERIALS,
            channel=Channel.WINDOW,
        )

    @rule()
    def supply_pending(self):
        self._try(
            services.case_supply_pending,
            actor=self.crew.clerk,
            kind_code="floor_plan",
            channel=Channel.WINDOW,
        )

    @rule(basis=st.sampled_from(["", "《行政许可法》第三十二条"]))
    def refuse(self, basis):
        self._try(
            services.case_refuse,
            clerk=self.crew.clerk,
            reason="不属于本机关职权",
            legal_basis=basis,
        )

    @rule()
    def complete_task(self):
        self._try_task(services.task_complete, actor=self.crew.reviewers["MZJ"])

    @rule()
    def inspect(self):
        self._try_task(services.task_complete, actor=self.crew.inspector)

    @rule()
    def return_to_review(self):
        self._try_task(
            services.task_return, actor=self.crew.inspector, to_stage_order=2, reason="与图纸不符"
        )

    @rule(kind=st.sampled_from(["hearing", "stage", "testing"]))
    def suspend(self, kind):
        self._try(services.case_suspend, actor=self.crew.approver, kind=kind, reason="听证")

    @rule()
    def resume(self):
        self._try(services.case_resume, actor=self.crew.approver, reason="结束")

    @rule(days=st.integers(0, 12))
    def extend(self, days):
        self._try(services.case_extend, approver=self.crew.approver, days=days, reason="复杂")

    @rule(grant=st.booleans())
    def decide(self, grant):
        self._try(services.case_decide, approver=self.crew.approver, grant=grant, reason="理由")

    @rule()
    def issue(self):
        self._try(services.case_issue_licence, actor=self.crew.approver)

    @rule(mode=st.sampled_from(["window", "post", "electronic"]))
    def deliver(self, mode):
        self._try(services.case_deliver, actor=self.crew.clerk, mode=mode, tracking_no="SF1")

    @invariant()
    def no_event_is_lost_and_the_last_one_names_the_state(self):
        case = Case.objects.get(pk=self.case.pk)
        events = list(case.events.order_by("seq").values_list("seq", "from_state", "to_state"))
        assert [seq for seq, _f, _t in events] == list(range(1, self.events + 1))
        assert events[-1][2] == case.state
        assert all(prev[2] == nxt[1] for prev, nxt in itertools.pairwise(events))

    @invariant()
    def the_state_agrees_with_the_data(self):
        case = Case.objects.get(pk=self.case.pk)
        assert case.state in CaseState.values
        assert (case.accepted_on is not None) == (
            case.state in ACCEPTED_STATES or (case.state == "completed")
        )
        assert bool(case.decision) == (case.state in DECIDED_STATES or case.state == "completed")
        open_tasks = case.tasks.filter(status=Task.Status.OPEN).exists()
        assert not open_tasks or case.state == CaseState.IN_PROGRESS
        assert case.pauses.filter(ended_on__isnull=True).count() <= 1
        assert case.extension_days <= self.version.extension_days
        if case.state in DECIDED_STATES:
            assert not case.materials.filter(status="pending").exists()
        if case.state == CaseState.IN_PROGRESS and not case.pauses.filter(ended_on=None):
            assert case.deadline is not None and case.deadline <= case.legal_deadline


def test_no_sequence_of_actions_breaks_a_case():
    CaseLifecycle.crew = team()
    CaseLifecycle.version = licence_item("220105-SCJ-077", inspection=True)
    run_state_machine_as_test(
        CaseLifecycle,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
