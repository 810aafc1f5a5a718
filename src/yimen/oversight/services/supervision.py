"""Supervision's writes: violations recorded as cases break a rule, and spot checks drawn
and reviewed by supervisors."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.cases.models import Case, CaseEvent, CorrectionNotice
from yimen.errors import IllegalAction, InvalidInput
from yimen.oversight.models.supervision import SpotCheck, SpotCheckCase, Violation
from yimen.oversight.selectors.stats import StatsFilter
from yimen.oversight.selectors.supervision import (
    SPOT_CHECK_MAX,
    draw,
    ensure_supervisor,
    spot_check_population,
)
from yimen.worktime.calendar import workdays_between
from yimen.worktime.selectors import get_calendar

INTAKE_ACTIONS = frozenset({"accept", "accept_pending", "deem_accepted"})
Kind = Violation.Kind


# --- violations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    case_id: int
    kind: str
    ref: int
    at: dt.datetime
    details: dict

    @property
    def key(self) -> tuple:
        return (self.case_id, self.kind, self.ref)


def _late_decision(case: Case, decided_at: dt.datetime) -> Found | None:
    decided_on = timezone.localdate(decided_at)
    if case.legal_deadline is None or decided_on <= case.legal_deadline:
        return None
    days_late = workdays_between(case.legal_deadline, decided_on, get_calendar())
    details = {"legal_deadline": case.legal_deadline.isoformat(), "days_late": days_late}
    return Found(case.pk, Kind.LATE_DECISION, 0, decided_at, details)


def _late_intake(case: Case, at: dt.datetime) -> Found:
    return Found(case.pk, Kind.LATE_INTAKE, 0, at, {"accepted_on": case.accepted_on.isoformat()})


def _repeated_correction(case_id: int, number: int, at: dt.datetime) -> Found:
    return Found(case_id, Kind.REPEATED_CORRECTION, number, at, {"notice": number})


def _found_in(event: CaseEvent) -> Found | None:
    data = event.data or {}
    if event.action == "request_correction" and data.get("violation"):
        return _repeated_correction(event.case_id, data["notice"], event.at)
    if event.action in INTAKE_ACTIONS and data.get("deemed"):
        return _late_intake(Case.objects.get(pk=event.case_id), event.at)
    if event.action == "decide":
        return _late_decision(Case.objects.get(pk=event.case_id), event.at)
    return None


def _save(found: Found) -> None:
    Violation.objects.get_or_create(
        case_id=found.case_id,
        kind=found.kind,
        ref=found.ref,
        defaults={"at": found.at, "details": found.details},
    )


def violations_record(event: CaseEvent) -> None:
    """Record the violation a case event shows, if any (inside the event's transaction)."""
    found = _found_in(event)
    if found is not None:
        _save(found)


def violations_recount() -> dict[tuple, Found]:
    """Every violation again, from the correction notices, the cases and their intake events."""
    found: list[Found] = [
        _repeated_correction(case_id, number, at)
        for case_id, number, at in CorrectionNotice.objects.filter(is_violation=True)
        .values_list("case_id", "number", "issued_at")
        .iterator()
    ]
    intakes = CaseEvent.objects.filter(
        action__in=INTAKE_ACTIONS, case__deemed_accepted=True
    ).select_related("case")
    found += [_late_intake(event.case, event.at) for event in intakes.iterator()]
    decided = Case.objects.filter(decided_at__isnull=False, legal_deadline__isnull=False)
    for case in decided.only("pk", "decided_at", "legal_deadline").iterator():
        late = _late_decision(case, case.decided_at)
        if late is not None:
            found.append(late)
    return {f.key: f for f in found}


def violations_rebuild(*, check: bool = False) -> list[tuple]:
    """Compare the recorded violations with a recount (keys found on one side only) and,
    unless only checking, replace them with the recount."""
    with transaction.atomic():
        recount = violations_recount()
        stored = set(Violation.objects.values_list("case_id", "kind", "ref"))
        differences = sorted(stored ^ recount.keys(), key=str)
        if not check:
            Violation.objects.all().delete()
            Violation.objects.bulk_create(
                Violation(case_id=f.case_id, kind=f.kind, ref=f.ref, at=f.at, details=f.details)
                for f in recount.values()
            )
    return differences


# --- spot checks --------------------------------------------------------------------------


def _seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(10**12)
    if not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InvalidInput("seed_invalid", _("随机种子须为非负整数。"), field="seed")
    return seed


def spot_check_draw(
    *,
    supervisor,
    scope: StatsFilter,
    size: int,
    seed: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> SpotCheck:
    """随机抽查: draw `size` completed cases of the scope at random. The seed and the scope
    are kept, so drawing again with them gives the same cases."""
    ensure_supervisor(supervisor)
    if not isinstance(size, int) or not 1 <= size <= SPOT_CHECK_MAX:
        raise InvalidInput(
            "size_invalid",
            _("抽取数量须为1至%(n)s之间的整数。") % {"n": SPOT_CHECK_MAX},
            field="size",
        )
    seed = _seed(seed)
    with transaction.atomic():
        population = spot_check_population(scope)
        if not population:
            raise IllegalAction(
                "population_empty", _("该范围内没有已办结的办件，无法抽取。"), field="from"
            )
        check = SpotCheck.objects.create(
            seed=seed,
            scope=scope.as_json(),
            requested=size,
            population=len(population),
            drawn_by=supervisor,
            drawn_at=now or timezone.now(),
            note=note.strip()[:200],
        )
        SpotCheckCase.objects.bulk_create(
            SpotCheckCase(spot_check=check, case_id=pk, position=position)
            for position, pk in enumerate(draw(population, size, seed), start=1)
        )
    return check


def _review_result(result: str, finding: str) -> tuple[str, str]:
    Result = SpotCheckCase.Result
    if result not in (Result.OK, Result.PROBLEM):
        raise InvalidInput("result_invalid", _("请选择检查结论。"), field="result")
    finding = (finding or "").strip()
    if result == Result.PROBLEM and not finding:
        raise InvalidInput("finding_required", _("发现问题时须写明问题。"), field="finding")
    return result, finding


def spot_check_review(
    *,
    supervisor,
    item: SpotCheckCase,
    result: str,
    finding: str = "",
    now: dt.datetime | None = None,
) -> SpotCheckCase:
    """A supervisor's finding on one drawn case; once recorded it stands."""
    ensure_supervisor(supervisor)
    result, finding = _review_result(result, finding)
    with transaction.atomic():
        item = SpotCheckCase.objects.select_for_update().get(pk=item.pk)
        if item.result != SpotCheckCase.Result.PENDING:
            raise IllegalAction(
                "already_reviewed",
                _("该办件已由%(w)s检查并记录结论，不能更改。") % {"w": item.reviewed_by},
            )
        item.result, item.finding = result, finding
        item.reviewed_by, item.reviewed_at = supervisor, now or timezone.now()
        item.save()
    return item
