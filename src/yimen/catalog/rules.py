"""Quality rules a version must meet before it is published.

Errors block publication; warnings are shown to catalog staff and kept. The
rules follow the provincial catalog checks named in DESIGN.md.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from yimen.catalog.models import DeliveryMode, HandlingType, ItemVersion, OnlineDepth


@dataclass(frozen=True)
class Finding:
    code: str
    field: str
    message: str


@dataclass
class Findings:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def error(self, code: str, field_name: str, message: str) -> None:
        self.errors.append(Finding(code, field_name, message))

    def warn(self, code: str, field_name: str, message: str) -> None:
        self.warnings.append(Finding(code, field_name, message))


def committed_over_legal_message(committed: int, legal: int) -> str:
    return _("承诺时限（%(c)s个工作日）不得超过法定时限（%(l)s个工作日）。") % {
        "c": committed,
        "l": legal,
    }


def check_limits(v: ItemVersion, found: Findings) -> None:
    if v.committed_limit_days > v.legal_limit_days:
        found.error(
            "committed_over_legal",
            "committed_limit_days",
            committed_over_legal_message(v.committed_limit_days, v.legal_limit_days),
        )
    elif v.committed_limit_days * 2 > v.legal_limit_days:
        found.warn(
            "committed_over_half",
            "committed_limit_days",
            _("承诺时限超过法定时限的一半（%(l)s个工作日的一半），请说明理由或压缩时限。")
            % {"l": v.legal_limit_days},
        )
    if v.handling_type == HandlingType.INSTANT and v.committed_limit_days != 0:
        found.error(
            "instant_with_limit",
            "committed_limit_days",
            _("即办件当场办结，承诺时限应为0个工作日。"),
        )
    if v.handling_type == HandlingType.COMMITTED and v.committed_limit_days == 0:
        found.error(
            "committed_without_limit",
            "committed_limit_days",
            _("承诺件须设置承诺时限（至少1个工作日）。"),
        )


def check_visits(v: ItemVersion, found: Findings) -> None:
    if v.visits_required > 0 and not v.visits_reason.strip():
        found.error("visits_without_reason", "visits_reason", _("到现场次数不为0时须说明原因。"))
    if v.online_depth == OnlineDepth.FULL_ONLINE and v.visits_required > 0:
        found.error(
            "full_online_with_visits",
            "visits_required",
            _("全程网办（Ⅳ级）的事项到现场次数应为0。"),
        )
    modes = set(v.delivery_modes)
    if not modes:
        found.error("no_delivery_mode", "delivery_modes", _("请至少选择一种送达方式。"))
    unknown = modes - set(DeliveryMode.values)
    if unknown:
        found.error(
            "unknown_delivery_mode",
            "delivery_modes",
            _("未知的送达方式：%(m)s。") % {"m": "、".join(sorted(unknown))},
        )
    if (
        v.visits_required == 0
        and v.online_depth < OnlineDepth.FULL_ONLINE
        and not modes & {DeliveryMode.POST, DeliveryMode.ELECTRONIC}
    ):
        found.error(
            "zero_visits_without_delivery",
            "delivery_modes",
            _("非全程网办事项到现场次数为0时，须提供快递送达或电子证照。"),
        )


def check_fee(v: ItemVersion, found: Findings) -> None:
    if v.fee_fen > 0 and not v.fee_basis.strip():
        found.error("fee_without_basis", "fee_basis", _("收费事项须写明收费依据。"))


def check_parts(v: ItemVersion, found: Findings) -> None:
    if not v.legal_bases.exists():
        found.error("no_legal_basis", "legal_bases", _("事项须有设定依据（法律法规及条款）。"))
    if not v.materials.exists():
        found.error("no_materials", "materials", _("事项须列明申请材料。"))
    stages = list(v.stages.all())
    if not stages:
        found.error("no_stages", "stages", _("事项须列明办理环节。"))
        return
    counted = sum(s.share_days for s in stages if not s.stops_clock)
    if counted > v.committed_limit_days and v.handling_type == HandlingType.COMMITTED:
        found.error(
            "stages_over_limit",
            "stages",
            _("各环节时限之和（%(s)s个工作日）超过承诺时限（%(c)s个工作日）。")
            % {"s": counted, "c": v.committed_limit_days},
        )
    for stage in stages:
        if stage.stops_clock and not stage.max_days:
            found.error(
                "special_without_max",
                "stages",
                _("特别程序“%(n)s”须设置最长时限。") % {"n": stage.name},
            )


def check_version(version: ItemVersion) -> Findings:
    found = Findings()
    for rule in (check_limits, check_visits, check_fee, check_parts):
        rule(version, found)
    return found
