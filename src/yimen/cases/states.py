"""The case state machine: which action may run in which state, and where it leads.

Every service looks its action up here before it acts, so a rule about
order lives in one table. Actions that keep the state (a task finished, a
pause) still name the states they are allowed in.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    CORRECTION = "correction", _("待补正")
    REFUSED = "refused", _("不予受理")
    IN_PROGRESS = "in_progress", _("办理中")
    DECIDED = "decided", _("已决定")
    ISSUED = "issued", _("已制证")
    COMPLETED = "completed", _("已办结")


S = CaseState

TERMINAL = frozenset({S.REFUSED, S.COMPLETED})

# action -> (states it may start from, state it leads to; None keeps the state)
TRANSITIONS: dict[str, tuple[frozenset[CaseState], CaseState | None]] = {
    "submit": (frozenset(), S.SUBMITTED),
    "accept": (frozenset({S.SUBMITTED}), S.IN_PROGRESS),
    "accept_pending": (frozenset({S.SUBMITTED}), S.IN_PROGRESS),
    "deem_accepted": (frozenset({S.SUBMITTED}), S.IN_PROGRESS),
    "request_correction": (frozenset({S.SUBMITTED}), S.CORRECTION),
    "supply_correction": (frozenset({S.CORRECTION}), S.SUBMITTED),
    "refuse": (frozenset({S.SUBMITTED}), S.REFUSED),
    "complete_instant": (frozenset({S.SUBMITTED}), S.COMPLETED),
    "supply_pending": (frozenset({S.IN_PROGRESS}), None),
    "complete_task": (frozenset({S.IN_PROGRESS}), None),
    "return_stage": (frozenset({S.IN_PROGRESS}), None),
    "suspend": (frozenset({S.IN_PROGRESS}), None),
    "resume": (frozenset({S.IN_PROGRESS}), None),
    "extend": (frozenset({S.IN_PROGRESS}), None),
    "decide": (frozenset({S.IN_PROGRESS}), S.DECIDED),
    "issue_licence": (frozenset({S.DECIDED}), S.ISSUED),
    "deliver": (frozenset({S.DECIDED, S.ISSUED}), S.COMPLETED),
}

ACTION_LABELS = {
    "submit": _("提交申请"),
    "accept": _("受理"),
    "accept_pending": _("容缺受理"),
    "deem_accepted": _("逾期视为受理"),
    "request_correction": _("一次性告知补正"),
    "supply_correction": _("补正材料"),
    "refuse": _("不予受理"),
    "complete_instant": _("即办办结"),
    "supply_pending": _("补交容缺材料"),
    "complete_task": _("完成环节任务"),
    "return_stage": _("退回"),
    "suspend": _("启动特别程序"),
    "resume": _("恢复计时"),
    "extend": _("延长审批"),
    "decide": _("审批决定"),
    "issue_licence": _("制证"),
    "deliver": _("送达办结"),
}


def allowed_actions(state: str) -> list[str]:
    return [a for a, (sources, _to) in TRANSITIONS.items() if state in sources]


def target_state(action: str, state: str) -> str:
    """The state `action` leads to from `state`; KeyError for an unknown action."""
    to = TRANSITIONS[action][1]
    return state if to is None else to
