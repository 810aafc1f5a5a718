"""The one-time notice (一次性告知单): everything an applicant needs for one item, on paper.

One layout for every item. It reads the version's parts only through its related
managers, so a version from `selectors.current_version` renders without further queries.
"""

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable

from yimen import pdf
from yimen.catalog.models import DeliveryMode, HandlingType, ItemVersion, MaterialSpec, StageSpec

SHANGHAI = ZoneInfo("Asia/Shanghai")


def render_notice(version: ItemVersion) -> bytes:
    """The printable one-time notice of one item version, as PDF bytes."""
    story = [
        pdf.paragraph(version.name, "subtitle"),
        _overview(version),
        *pdf.section(_("一、受理条件"), pdf.paragraph(version.acceptance_conditions)),
        *pdf.section(_("二、申请材料"), _materials_table(version), _materials_note()),
        *pdf.section(_("三、办理流程"), _stages_table(version)),
        *pdf.section(_("四、办理时限与收费"), pdf.key_value_table(_limits_and_fee(version))),
        *pdf.section(_("五、办理方式"), pdf.key_value_table(_how_to_apply(version))),
        *pdf.section(_("六、咨询与投诉"), pdf.key_value_table(_phones(version))),
        *pdf.section(_("七、设定依据"), *_legal_bases(version)),
        pdf.rule(),
        pdf.paragraph(_closing_statement(), "note"),
        pdf.paragraph(_("打印日期：%(date)s") % {"date": _printed_on()}, "note"),
    ]
    return pdf.build_document(
        title=_("一次性告知单"), story=story, subject=f"{version.item.code} {version.name}"
    )


def _overview(version: ItemVersion) -> Flowable:
    departments = version.lead_department.name
    co_departments = "、".join(d.name for d in version.co_departments.all())
    if co_departments:
        departments += _("（并联审查：%(d)s）") % {"d": co_departments}
    return pdf.key_value_table(
        [
            (_("事项名称"), version.name),
            (_("事项编码"), version.item.code),
            (_("版本"), _version_label(version)),
            (_("事项类型"), version.get_item_type_display()),
            (_("服务对象"), version.get_subject_type_display()),
            (_("实施部门"), departments),
            (_("办件类型"), version.get_handling_type_display()),
        ]
    )


def _version_label(version: ItemVersion) -> str:
    label = _("第 %(n)s 版") % {"n": version.number}
    if version.effective_from:
        label += _("，%(d)s起施行") % {"d": _date(version.effective_from)}
    return label


def _materials_table(version: ItemVersion) -> Flowable:
    header = [
        _("序号"),
        _("材料名称"),
        _("原件/复印件"),
        _("材料形式"),
        _("来源"),
        _("必要性"),
        _("填报须知"),
    ]
    rows = [_material_row(index, m) for index, m in enumerate(version.materials.all(), 1)]
    return pdf.table([header, *rows], widths=(5, 20, 11, 8, 10, 9, 24))


def _material_row(index: int, material: MaterialSpec) -> list[str]:
    name = material.name
    if material.reusable:
        name += "\n" + _("（已在材料库的可免交）")
    return [
        str(index),
        name,
        _counts(material),
        material.get_form_display(),
        material.get_source_display(),
        material.get_necessity_display(),
        material.notes or "—",
    ]


def _counts(material: MaterialSpec) -> str:
    parts = []
    if material.originals:
        parts.append(_("原件 %(n)s 份") % {"n": material.originals})
    if material.copies:
        parts.append(_("复印件 %(n)s 份") % {"n": material.copies})
    return "\n".join(parts) or "—"


def _materials_note() -> Flowable:
    return pdf.paragraph(
        _(
            "注：标明“容缺后补”的材料暂缺时可先予受理，申请人须在约定期限内补齐；"
            "标明“已在材料库的可免交”的材料，申请人此前已提交或由政府部门核发并存入材料库的，"
            "无需再次提交。"
        ),
        "note",
    )


def _stages_table(version: ItemVersion) -> Flowable:
    header = [_("序号"), _("环节"), _("责任岗位"), _("责任部门"), _("时限")]
    rows = [_stage_row(stage, version) for stage in version.stages.all()]
    return pdf.table([header, *rows], widths=(6, 16, 18, 34, 26))


def _stage_row(stage: StageSpec, version: ItemVersion) -> list[str]:
    department = (stage.department or version.lead_department).name
    parallel = "、".join(d.name for d in stage.parallel_departments.all())
    if parallel:
        department += "\n" + _("并联审查：%(d)s") % {"d": parallel}
    return [str(stage.order), stage.name, stage.get_role_display(), department, _stage_days(stage)]


def _stage_days(stage: StageSpec) -> str:
    if stage.stops_clock:
        return _("特别程序，不计入时限（最长 %(n)s 个工作日）") % {"n": stage.max_days}
    return _workdays(stage.share_days)


def _workdays(days: int) -> str:
    return _("%(n)s 个工作日") % {"n": days}


def _limits_and_fee(version: ItemVersion) -> list[tuple[str, str]]:
    legal = _workdays(version.legal_limit_days)
    if version.handling_type == HandlingType.INSTANT:
        committed = _("即办件，即来即办")
    else:
        committed = _workdays(version.committed_limit_days)
        if version.extension_days:
            legal += _("（依法可延长 %(n)s 个工作日）") % {"n": version.extension_days}
    return [(_("法定时限"), legal), (_("承诺时限"), committed), (_("收费"), _fee(version))]


def _fee(version: ItemVersion) -> str:
    if not version.fee_fen:
        return _("免费")
    amount = f"{version.fee_fen // 100}.{version.fee_fen % 100:02d}"
    return _("%(amount)s 元（收费依据：%(basis)s）") % {
        "amount": amount,
        "basis": version.fee_basis,
    }


def _how_to_apply(version: ItemVersion) -> list[tuple[str, str]]:
    return [
        (_("到现场次数"), _visits(version)),
        (_("网办深度"), version.get_online_depth_display()),
        (_("送达方式"), "、".join(_delivery_label(m) for m in version.delivery_modes)),
        (_("办理地点"), version.handling_locations),
    ]


def _visits(version: ItemVersion) -> str:
    if not version.visits_required:
        return _("0 次（零跑动）")
    return _("%(n)s 次（%(reason)s）") % {
        "n": version.visits_required,
        "reason": version.visits_reason,
    }


def _delivery_label(mode: str) -> str:
    return str(DeliveryMode(mode).label) if mode in DeliveryMode.values else mode


def _phones(version: ItemVersion) -> list[tuple[str, str]]:
    return [(_("咨询电话"), version.consult_phone), (_("投诉电话"), version.complaint_phone)]


def _legal_bases(version: ItemVersion) -> list[Flowable]:
    return [
        pdf.paragraph(f"{index}. {basis}" + (f"：{basis.text}" if basis.text else ""))
        for index, basis in enumerate(version.legal_bases.all(), 1)
    ]


def _closing_statement() -> str:
    return _(
        "本告知单一次性告知办理该事项所需全部材料、受理条件、办理流程、时限和收费。"
        "申请人按本告知单备齐材料的，窗口不得要求提交告知单以外的材料；"
        "材料不全或不符合法定形式的，将一次性告知需要补正的全部内容。"
    )


def _printed_on() -> str:
    return _date(timezone.localtime(timezone.now(), SHANGHAI).date())


def _date(day) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}
