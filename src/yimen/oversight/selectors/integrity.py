"""The audit chain's part of `yimen check-integrity`: every problem `audit_verify` finds."""

from django.utils.translation import gettext as _

from yimen.integrity import Problem
from yimen.oversight.selectors.audit import AuditReport, audit_verify


def integrity_problems(report: AuditReport | None = None) -> list[Problem]:
    """The chain's problems; pass the report of a walk already made to save another."""
    return [
        Problem(
            f"audit_{p.kind}",
            _("审计链第 %(s)s 条") % {"s": p.seq} if p.seq else _("审计链"),
            p.message,
        )
        for p in (report or audit_verify()).problems
    ]
