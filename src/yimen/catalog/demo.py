"""The demo catalog of 长春市二道区行政审批局 (Changchun, Erdao district, 220105).

`demo_catalog()` returns the whole catalog in the exchange format
(docs/catalog-format.md): the 15 departments that moved their approval powers
to the bureau, the "1+8" service centers, about a hundred service items with
their legal bases, materials and stages, and the bundles (一件事).

Items are written as compact specifications; the builders below turn them into
complete versions (stages, handling locations, defaults by handling type), so
every item follows the same rules: committed items promise at most half the
legal limit, instant items are finished at the window, and the stages of a
committed item fit in its committed limit.
"""

import copy
import datetime as dt
from dataclasses import dataclass, replace
from typing import NamedTuple

from yimen.catalog.exchange.schema import FORMAT, FORMAT_VERSION

AREA_CODE = "220105"
PUBLISHER = "catalog-admin"
EDITION_FROM = dt.date(2024, 1, 1)  # the current implementation list (实施清单)
FIRST_EDITION_FROM = dt.date(2021, 1, 1)  # the edition earlier versions belong to
COMPLAINT_PHONE = "0431-84612345"  # the bureau's supervision line
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

INSTANT, COMMITTED = "1", "2"
LICENSING, BENEFIT, CONFIRMATION, OTHER_POWER, PUBLIC_SERVICE = "01", "05", "07", "10", "20"
PERSON, ORGANISATION, BOTH = "person", "organisation", "both"
REQUIRED, OPTIONAL, TOLERABLE = "required", "optional", "tolerable"
# Item types whose result is a certificate, so their process has a 制证 stage.
CERTIFYING_TYPES = {LICENSING, CONFIRMATION}


class Department(NamedTuple):
    code: str
    name: str
    is_regulator: bool
    consult_phone: str


# The two marked as regulators also receive the bureau's approval results (审管互动).
DEPARTMENTS = (
    Department("FGJ", "区发展和改革局", False, "0431-84632157"),
    Department("WJJ", "区卫生健康局", False, "0431-84651023"),
    Department("JYJ", "区教育局", False, "0431-84697510"),
    Department("MZJ", "区民政局", False, "0431-84658036"),
    Department("RSJ", "区人力资源和社会保障局", False, "0431-84616290"),
    Department("YBJ", "区医疗保障局", False, "0431-84688512"),
    Department("SCJ", "区市场监督管理局", True, "0431-84623376"),
    Department("ZJJ", "区住房和城乡建设局", False, "0431-84675049"),
    Department("GTJ", "市自然资源局二道分局", False, "0431-84669318"),
    Department("HBJ", "市生态环境局二道分局", False, "0431-84643805"),
    Department("WLJ", "区文化广播电视和旅游局", False, "0431-84692264"),
    Department("CGJ", "区城市管理局", False, "0431-84627731"),
    Department("GAJ", "市公安局二道分局", False, "0431-84609127"),
    Department("SWJ", "国家税务总局长春市二道区税务局", False, "0431-84681566"),
    Department("XFJ", "二道区消防救援大队", True, "0431-84635119"),
)
CONSULT_PHONES = {d.code: d.consult_phone for d in DEPARTMENTS}

THEMES = (
    ("shengyu", "生育"),
    ("shangxue", "上学"),
    ("jiuye", "就业"),
    ("yanglao", "养老"),
    ("yibao", "医保"),
    ("zhufang", "住房"),
    ("hunyin", "婚姻"),
    ("canji", "残疾人"),
    ("jiuzhu", "社会救助"),
    ("huji", "户籍证件"),
    ("kaiban", "开办企业"),
    ("biangeng", "变更注销"),
    ("jingying", "经营许可"),
    ("gongcheng", "工程建设"),
    ("nashui", "纳税缴费"),
    ("shzz", "社会组织"),
)


class Kind(NamedTuple):
    """A material kind and how it is usually handed in."""

    name: str
    is_licence: bool = False
    form: str = "both"
    originals: int = 1
    copies: int = 0
    source: str = "applicant"
    reusable: bool = False


def _issued(name: str, *, copies: int = 1) -> Kind:
    """A certificate a government body issued: reusable from the locker."""
    return Kind(name, True, "both", 1, copies, "government", True)


KINDS = {
    "id_card": Kind("居民身份证", False, "both", 1, 1, "government", True),
    "household_register": Kind("居民户口簿", False, "paper", 1, 1, "government", True),
    "photo": Kind("近期一寸免冠彩色照片", False, "both", 2, 0, "applicant", True),
    "application_form": Kind("申请表"),
    "authorisation": Kind("授权委托书", False, "paper", 1, 0),
    "declaration": Kind("个人声明（承诺）书", False, "paper", 1, 0),
    "commitment_letter": Kind("告知承诺书", False, "both", 1, 0),
    "consent": Kind("家庭经济状况核对授权书", False, "paper", 1, 0),
    "business_licence": _issued("营业执照"),
    "legal_rep_id": Kind("法定代表人身份证明", False, "both", 1, 1, "applicant", True),
    "articles": Kind("公司章程", False, "both", 1, 0, "applicant", True),
    "shareholder_resolution": Kind("股东会决议（决定）"),
    "premises_proof": Kind("房屋产权证明或租赁合同", False, "both", 0, 1, "applicant", True),
    "residence_proof": Kind("居住证明", False, "both", 0, 1, "applicant", True),
    "floor_plan": Kind("场所平面布局图"),
    "equipment_list": Kind("主要设备设施清单"),
    "rules": Kind("管理制度文本"),
    "staff_roster": Kind("从业人员名单及资格证明"),
    "health_cert": Kind("从业人员健康证明", False, "both", 0, 1, "other", True),
    "testing_report": Kind("检验检测报告", False, "both", 1, 0, "other"),
    "change_proof": Kind("变更事项证明材料", False, "both", 0, 1),
    "approval_document": Kind("有关部门批准文件", False, "both", 0, 1, "government"),
    "capital_proof": Kind("资金来源及数额证明"),
    "liquidation_report": Kind("清算报告"),
    "birth_certificate": _issued("出生医学证明"),
    "marriage_certificate": _issued("结婚证"),
    "disability_cert": _issued("中华人民共和国残疾人证"),
    "hardship_proof": _issued("最低生活保障等困难身份证明"),
    "social_security_card": _issued("社会保障卡", copies=0),
    "insurance_record": Kind("基本医疗保险参保凭证", True, "electronic", 0, 1, "government", True),
    "bank_account": Kind("本人银行账户信息", False, "both", 0, 1, "applicant", True),
    "income_proof": Kind("家庭收入及财产状况说明"),
    "medical_records": Kind("病历资料及诊断证明", False, "paper", 1, 1, "other"),
    "hospital_bills": Kind("医疗费用票据及费用清单", False, "paper", 1, 0, "other"),
    "termination_cert": Kind("终止或解除劳动关系证明", False, "both", 1, 0, "other"),
    "personnel_file": Kind("本人人事档案", False, "paper", 1, 0, "other"),
    "employment_proof": Kind("就业（聘用）证明", False, "both", 1, 0, "other"),
    "qualification_cert": _issued("执业资格证书"),
    "diploma": _issued("学历证书"),
    "mandarin_cert": _issued("普通话水平测试等级证书"),
    "health_exam": Kind("健康体检表", False, "paper", 1, 0, "other"),
    "school_licence": _issued("民办学校办学许可证"),
    "food_licence": _issued("食品经营许可证"),
    "tax_clearance": Kind("清税证明", True, "electronic", 0, 1, "government", True),
    "transaction_proof": Kind("购销合同或其他交易证明", False, "both", 0, 1),
    "id_receipt": Kind("居民身份证领取凭证", False, "paper", 1, 0, "government"),
    "land_cert": _issued("不动产权证书"),
    "land_contract": Kind("国有土地使用权出让合同或划拨决定书", False, "both", 0, 1, "government"),
    "land_planning_permit": _issued("建设用地规划许可证"),
    "planning_permit": _issued("建设工程规划许可证"),
    "project_filing": Kind("项目审批、核准或备案文件", True, "both", 0, 1, "government", True),
    "site_opinion": _issued("建设项目用地预审与选址意见书"),
    "site_drawing": Kind("设计方案及总平面图"),
    "drawing_review": Kind("施工图设计文件审查合格书", False, "both", 1, 0, "other"),
    "construction_contract": Kind("施工合同及中标通知书", False, "both", 0, 1),
    "completion_report": Kind("工程竣工验收报告"),
    "fire_design": Kind("消防设计文件"),
    "feasibility_report": Kind("项目可行性研究报告", False, "both", 1, 0, "other"),
    "energy_report": Kind("固定资产投资项目节能报告", False, "both", 1, 0, "other"),
    "eia_report": Kind("建设项目环境影响报告表", False, "both", 1, 0, "other"),
    "drainage_plan": Kind("排水管网及排放口图纸"),
    "traffic_plan": Kind("施工方案及交通组织方案"),
    "waste_plan": Kind("建筑垃圾处置方案及运输、消纳合同"),
    "noise_plan": Kind("噪声污染防治措施方案"),
    "ad_design": Kind("设置效果图及设计图"),
    "tree_list": Kind("树木现状图及树种、数量、胸径清单"),
    "equipment_certificate": Kind("产品合格证及监督检验证明", False, "both", 1, 1, "other"),
}


class Center(NamedTuple):
    code: str
    name: str
    level: str
    address: str
    hours: str
    phone: str


STREET_HOURS = "周一至周五 8:30-11:30，13:00-16:30（法定节假日除外）"
DISTRICT = Center(
    "QZX",
    "二道区政务服务中心",
    "district",
    "长春市二道区吉林大路2799号",
    "周一至周五 8:30-11:30，13:00-17:00；周六 9:00-12:00 预约延时服务（法定节假日除外）",
    "0431-84612000",
)


def _street(code: str, name: str, address: str, phone: str) -> Center:
    return Center(
        code, f"{name}公共服务中心", "street", f"长春市二道区{address}", STREET_HOURS, phone
    )


STREETS = (
    _street("DSJD", "东盛街道", "东盛大街1516号", "0431-84721356"),
    _street("JLJD", "吉林街道", "吉林大路1399号", "0431-84735128"),
    _street("RGJD", "荣光街道", "荣光路88号", "0431-84748203"),
    _street("DZJD", "东站街道", "东站街276号", "0431-84752617"),
    _street("YDJD", "远达街道", "远达大街2655号", "0431-84766942"),
    _street("BLBJD", "八里堡街道", "八里堡东街169号", "0431-84771085"),
    _street("CQJD", "长青街道", "长青路1055号", "0431-84783460"),
    _street("YJZ", "英俊镇", "英俊镇英俊大街9号", "0431-84795271"),
)
TOWN = "YJZ"  # the one town among the streets: it also handles rural planning

DISTRICT_PLACE = f"{DISTRICT.name}（{DISTRICT.address}）综合受理窗口"
STREETS_PLACE = (
    "、".join(c.name.removesuffix("公共服务中心") for c in STREETS) + "公共服务中心综合窗口"
)
TOWN_PLACE = next(c.name for c in STREETS if c.code == TOWN) + "综合窗口"
ONLINE_PLACE = "网上办理：吉林省政务服务网二道区网上办事大厅、“吉事办”移动端"


# --- the parts of a version ---------------------------------------------------------------


def law(name: str, article: str, text: str = "") -> dict:
    return {"law": name, "article": article, "text": text}


def m(kind: str, name: str = "", *, necessity: str = REQUIRED, notes: str = "", **how) -> dict:
    """A material of a known kind; `how` overrides the kind's usual form, copies, source..."""
    k = KINDS[kind]
    spec = {
        "kind": kind,
        "name": name or k.name,
        "form": k.form,
        "originals": k.originals,
        "copies": k.copies,
        "source": k.source,
        "reusable": k.reusable,
        "necessity": necessity,
        "blank_form": "",
        "sample": "",
        "notes": notes,
    }
    spec.update(how)
    return spec


def _decimal(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _field(key, label, field_type, *, required=True, choices=(), min_value=None, max_value=None,
           max_length=None, pattern="", help_text="") -> dict:  # fmt: skip
    return {
        "key": key,
        "label": label,
        "field_type": field_type,
        "required": required,
        "choices": list(choices),
        "min_value": _decimal(min_value),
        "max_value": _decimal(max_value),
        "max_length": max_length,
        "pattern": pattern,
        "help_text": help_text,
    }


def text(key: str, label: str, max_length: int = 100, **options) -> dict:
    return _field(key, label, "text", max_length=max_length, **options)


def num(key: str, label: str, min_value: float = 0, max_value: float | None = None, **options):
    return _field(key, label, "number", min_value=min_value, max_value=max_value, **options)


def day(key: str, label: str, **options) -> dict:
    return _field(key, label, "date", **options)


def pick(key: str, label: str, choices: tuple[str, ...], **options) -> dict:
    return _field(key, label, "choice", choices=choices, **options)


ID_PATTERN = r"^\d{17}[\dXx]$"
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"

NAME = text("applicant_name", "申请人姓名", 50)
ID_NUMBER = text(
    "id_number", "公民身份号码", 18, pattern=ID_PATTERN, help_text="18位居民身份证号码"
)
PHONE = text(
    "phone",
    "联系电话",
    20,
    pattern=r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
    help_text="手机号码或带区号的固定电话",
)
ADDRESS = text("address", "联系地址", 200)
COMPANY = text("company_name", "单位名称", 100)
USCC = text("uscc", "统一社会信用代码", 18, pattern=USCC_PATTERN)
LEGAL_REP = text("legal_rep", "法定代表人（负责人）", 50)
PREMISES = text("premises_address", "经营场所地址", 200)
FLOOR_AREA = num("floor_area", "经营场所面积（平方米）", 1, 100000)
PROJECT = text("project_name", "项目名称", 100)
SITE = text("project_site", "建设地点", 200)
INVESTMENT = num("total_investment", "总投资（万元）")
FLOOR_SPACE = num("floor_space", "建筑面积（平方米）")
BANK_ACCOUNT = text("bank_account_no", "收款银行账号", 30, pattern=r"^\d{10,30}$")
GENDER = pick("gender", "性别", ("男", "女"))
PERSON_FIELDS = (NAME, ID_NUMBER, PHONE)
ORG_FIELDS = (COMPANY, USCC, LEGAL_REP, PHONE)
ORG_CHANGES = ("单位名称", "住所", "法定代表人", "银行账户", "其他")

AGENT = m("authorisation", necessity=OPTIONAL, notes="委托他人代为办理的提供")


# --- item specifications ---------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One item version, compactly; `_version` completes it with the usual defaults."""

    dept: str
    seq: int
    name: str
    item_type: str
    subject: str
    themes: tuple[str, ...]
    limits: tuple[int, int]  # (legal, committed) working days; committed 0: an instant item
    bases: tuple[dict, ...]
    conditions: str
    materials: tuple[dict, ...]
    fields: tuple[dict, ...]
    depth: int = 3
    visits: int | None = None  # None: none for 全程网办, else one
    visits_reason: str = ""
    delivery: tuple[str, ...] = ()
    fee: tuple[int, str] = (0, "")
    parallel: tuple[str, ...] = ()  # departments reviewing at the same time (并联审批)
    special: tuple[tuple[str, int], ...] = ()  # clock-stopping stages: (kind, max days)
    level: str = ""  # district | street | town; default: street for person items
    locations: str = ""
    extension: int | None = None

    @property
    def code(self) -> str:
        return f"{AREA_CODE}-{self.dept}-{self.seq:03d}"

    @property
    def instant(self) -> bool:
        return self.limits[1] == 0

    @property
    def handled_at(self) -> str:
        return self.level or ("street" if self.subject == PERSON else "district")


def _visits(spec: Spec) -> tuple[int, str]:
    if spec.visits is not None:
        return spec.visits, spec.visits_reason
    if spec.depth == 4:
        return 0, ""
    if spec.instant:
        return 1, spec.visits_reason or "需到窗口核验身份及材料原件，当场办结并领取结果"
    return 1, spec.visits_reason or "提交申请时需到窗口核验身份及材料原件，办理结果可邮寄送达"


def _delivery(spec: Spec) -> list[str]:
    if spec.delivery:
        return list(spec.delivery)
    if spec.depth == 4:
        return ["electronic", "post"] if spec.item_type in CERTIFYING_TYPES else ["electronic"]
    return ["window"] if spec.instant else ["window", "post"]


def _locations(spec: Spec) -> str:
    if spec.locations:
        return spec.locations
    places = {
        "district": [DISTRICT_PLACE],
        "street": [DISTRICT_PLACE, STREETS_PLACE],
        "town": [DISTRICT_PLACE, TOWN_PLACE],
    }[spec.handled_at]
    return "；".join(places + ([ONLINE_PLACE] if spec.depth >= 3 else []))


def _stage(kind: str, name: str, role: str, days: int = 0, *, parallel=(), max_days=None):
    return {
        "kind": kind,
        "name": name,
        "role": role,
        "department": None,
        "parallel_departments": sorted(parallel),
        "share_days": days,
        "stops_clock": max_days is not None,
        "max_days": max_days,
    }


SPECIAL_STAGES = {
    "inspection": ("现场踏勘", "inspector"),
    "expert_review": ("专家评审", "reviewer"),
    "publicity": ("公示", "reviewer"),
}


def _stages(spec: Spec) -> list[dict]:
    certifying = spec.item_type in CERTIFYING_TYPES
    if spec.instant:
        # The general window is authorised to decide instant items on the spot.
        stages = [_stage("accept", "受理", "clerk"), _stage("decision", "当场审核决定", "clerk")]
        if certifying:
            stages.append(_stage("issue", "当场制证", "clerk"))
        stages.append(_stage("deliver", "送达", "clerk"))
    else:
        days = _share_days(spec.limits[1], certifying)
        review = "并联审查" if spec.parallel else "审查"
        stages = [
            _stage("accept", "受理", "clerk", days["accept"]),
            _stage("review", review, "reviewer", days["review"], parallel=spec.parallel),
            *(
                _stage(kind, *SPECIAL_STAGES[kind], max_days=max_days)
                for kind, max_days in spec.special
            ),
            _stage("decision", "决定", "approver", days["decision"]),
        ]
        if certifying:
            stages.append(_stage("issue", "制证", "clerk", days["issue"]))
        stages.append(_stage("deliver", "送达", "clerk"))
    return [{"order": n, **stage} for n, stage in enumerate(stages, start=1)]


def _share_days(committed: int, certifying: bool) -> dict[str, int]:
    """Spread the committed limit: a day each for decision, acceptance and 制证 while
    the limit allows, the rest to review."""
    others = ["decision", "accept"] + (["issue"] if certifying else [])
    spare = min(len(others), committed - 1)
    days = {name: int(n < spare) for n, name in enumerate(others)}
    days["review"] = committed - spare
    return days


def _moment(day: dt.date) -> str:
    """Versions are published at 9:00 a week before they take effect."""
    published = dt.datetime.combine(day - dt.timedelta(days=7), dt.time(9), SHANGHAI)
    return published.isoformat()


def _version(spec: Spec, number: int, start: dt.date, end: dt.date | None, note: str = ""):
    legal, committed = spec.limits
    visits, visits_reason = _visits(spec)
    fee_fen, fee_basis = spec.fee
    extension = spec.extension if spec.extension is not None else (0 if spec.instant else 10)
    return {
        "number": number,
        "status": "retired" if end else "published",
        "effective_from": start.isoformat(),
        "effective_until": end.isoformat() if end else None,
        "published_at": _moment(start),
        "published_by": PUBLISHER,
        "change_note": note,
        "name": spec.name,
        "item_type": spec.item_type,
        "subject_type": spec.subject,
        "lead_department": spec.dept,
        "co_departments": sorted(spec.parallel),
        "acceptance_conditions": spec.conditions,
        "handling_type": INSTANT if spec.instant else COMMITTED,
        "legal_limit_days": legal,
        "committed_limit_days": committed,
        "extension_days": extension,
        "fee_fen": fee_fen,
        "fee_basis": fee_basis,
        "visits_required": visits,
        "visits_reason": visits_reason,
        "online_depth": spec.depth,
        "delivery_modes": _delivery(spec),
        "handling_locations": _locations(spec),
        "consult_phone": CONSULT_PHONES[spec.dept],
        "complaint_phone": COMPLAINT_PHONE,
        "legal_bases": list(spec.bases),
        "form_fields": list(spec.fields),
        "materials": list(spec.materials),
        "stages": _stages(spec),
    }


# --- laws cited by several items -----------------------------------------------------------

SOCIAL_INSURANCE_LAW = "中华人民共和国社会保险法"
SOCIAL_ASSISTANCE = "社会救助暂行办法"
MARKET_REGISTRATION = "中华人民共和国市场主体登记管理条例"
URBAN_PLANNING_LAW = "中华人民共和国城乡规划法"
FOOD_SAFETY_LAW = "中华人民共和国食品安全法"
TAX_LAW = "中华人民共和国税收征收管理法"
INVOICE_RULES = "中华人民共和国发票管理办法"
MARRIAGE_REGISTRATION = "婚姻登记条例"
URBAN_ROADS = "城市道路管理条例"
RESIDENT_PENSION = "国务院关于建立统一的城乡居民基本养老保险制度的意见（国发〔2014〕8号）"
RESIDENT_MEDICAL = "国务院关于整合城乡居民基本医疗保险制度的意见（国发〔2016〕3号）"
MEDICAL_SERVICES_LIST = (
    "国家医疗保障局关于印发《全国医疗保障经办政务服务事项清单》的通知（医保发〔2020〕18号）"
)
RETAINED_LICENCES = "国务院对确需保留的行政审批项目设定行政许可的决定（国务院令第412号）"
ID_CARD_FEES = (
    "国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知（发改价格〔2003〕2322号）"
)

REGISTRATION_ON_THE_SPOT = law(
    MARKET_REGISTRATION,
    "第十九条",
    "登记机关应当对申请材料进行形式审查。对申请材料齐全、符合法定形式的予以确认并当场登记。"
    "不能当场登记的，应当在3个工作日内予以登记；情形复杂的，经登记机关负责人批准，"
    "可以再延长3个工作日。",
)
REGISTRATION_CHANGE = law(
    MARKET_REGISTRATION,
    "第二十四条",
    "市场主体变更登记事项，应当自作出变更决议、决定或者法定变更事项发生之日起30日内"
    "向登记机关申请变更登记。",
)
EMPLOYER_REGISTRATION = law(
    SOCIAL_INSURANCE_LAW,
    "第五十七条",
    "用人单位应当自成立之日起三十日内凭营业执照、登记证书或者单位印章，"
    "向当地社会保险经办机构申请办理社会保险登记。",
)
EMPLOYER_CHANGE = law(
    SOCIAL_INSURANCE_LAW,
    "第五十七条第二款",
    "用人单位的社会保险登记事项发生变更或者用人单位依法终止的，应当自变更或者终止之日起"
    "三十日内，到社会保险经办机构办理变更或者注销社会保险登记。",
)
RESIDENT_MEDICAL_INSURANCE = law(
    SOCIAL_INSURANCE_LAW,
    "第二十五条",
    "国家建立和完善城镇居民基本医疗保险制度。城镇居民基本医疗保险实行个人缴费和政府补贴"
    "相结合。享受最低生活保障的人、丧失劳动能力的残疾人、低收入家庭六十周岁以上的老年人和"
    "未成年人等所需个人缴费部分，由政府给予补贴。",
)
RESIDENT_PENSION_INSURANCE = law(
    SOCIAL_INSURANCE_LAW,
    "第二十二条",
    "国家建立和完善城镇居民社会养老保险制度。",
)
CROSS_REGION_SETTLEMENT = law(
    SOCIAL_INSURANCE_LAW,
    "第二十九条",
    "社会保险行政部门和卫生行政部门应当建立异地就医医疗费用结算制度，"
    "方便参保人员享受基本医疗保险待遇。",
)
FOOD_LICENSING = law(
    FOOD_SAFETY_LAW,
    "第三十五条",
    "国家对食品生产经营实行许可制度。从事食品生产、食品销售、餐饮服务，应当依法取得许可。"
    "但是，销售食用农产品和仅销售预包装食品的，不需要取得许可。",
)
FOOD_LICENCE_RULES = "食品经营许可和备案管理办法（国家市场监督管理总局令第78号）"
TAX_CHANGE = law(
    TAX_LAW,
    "第十六条",
    "从事生产、经营的纳税人，税务登记内容发生变化的，自工商行政管理机关办理变更登记之日起"
    "三十日内或者在向工商行政管理机关申请办理注销登记之前，持有关证件向税务机关申报办理"
    "变更或者注销税务登记。",
)
ASSISTANCE_FOR_THE_POOREST = law(
    SOCIAL_ASSISTANCE,
    "第十四条",
    "国家对无劳动能力、无生活来源且无法定赡养、抚养、扶养义务人，或者其法定赡养、抚养、"
    "扶养义务人无赡养、抚养、扶养能力的老年人、残疾人以及未满16周岁的未成年人，"
    "给予特困人员供养。",
)
MINIMUM_LIVING = law(
    SOCIAL_ASSISTANCE,
    "第九条",
    "国家对共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合当地最低生活保障家庭"
    "财产状况规定的家庭，给予最低生活保障。",
)
MARRIAGE_AT_REGISTRY = law(
    "中华人民共和国民法典",
    "第一千零四十九条",
    "要求结婚的男女双方应当亲自到婚姻登记机关申请结婚登记。符合本法规定的，予以登记，"
    "发给结婚证。完成结婚登记，即确立婚姻关系。",
)
ROAD_OCCUPATION = law(
    URBAN_ROADS,
    "第三十一条",
    "因特殊情况需要临时占用城市道路的，须经市政工程行政主管部门和公安交通管理部门批准，"
    "方可按照规定占用。",
)
CONSTRUCTION_PERMIT = law(
    "中华人民共和国建筑法",
    "第八条",
    "申请领取施工许可证，应当具备下列条件：（一）已经办理该建筑工程用地批准手续；"
    "（二）依法应当办理建设工程规划许可证的，已经取得建设工程规划许可证；"
    "（三）需要拆迁的，其拆迁进度符合施工要求；（四）已经确定建筑施工企业；"
    "（五）有满足施工需要的资金安排、施工图纸及技术资料；（六）有保证工程质量和安全的具体措施。",
)
PUBLIC_VENUE_FIRE_CHECK = law(
    "中华人民共和国消防法",
    "第十五条",
    "公众聚集场所投入使用、营业前，建设单位或者使用单位应当向场所所在地的县级以上地方人民政府"
    "消防救援机构申请消防安全检查，并对其承诺和申请材料的真实性负责。",
)


# --- the items, by department ----------------------------------------------------------------

DEVELOPMENT = (
    Spec(
        "FGJ", 1, "企业投资项目备案", OTHER_POWER, ORGANISATION, ("gongcheng",), (3, 0),
        bases=(
            law("企业投资项目核准和备案管理条例", "第十三条",
                "实行备案管理的项目，企业应当在开工建设前通过在线平台将企业基本情况，项目名称、"
                "建设地点、建设规模、建设内容，项目总投资额等信息告知备案机关。"),
            law("企业投资项目核准和备案管理条例", "第十四条",
                "备案机关收到本条例第十三条规定的全部信息即为备案。"),
        ),
        conditions="在本区建设、不使用政府投资资金且不属于《政府核准的投资项目目录》范围的企业"
        "投资项目，开工建设前通过在线平台如实告知项目信息。",
        materials=(
            m("application_form", "企业投资项目备案信息表", form="electronic"),
            m("business_licence"),
        ),
        fields=(*ORG_FIELDS, PROJECT, SITE, INVESTMENT,
                text("construction_content", "建设规模及内容", 500)),
        depth=4,
    ),
    Spec(
        "FGJ", 2, "政府投资项目可行性研究报告审批", OTHER_POWER, ORGANISATION, ("gongcheng",),
        (20, 10),
        bases=(
            law("政府投资条例", "第九条",
                "政府采取直接投资方式、资本金注入方式投资的项目，项目单位应当编制项目建议书、"
                "可行性研究报告、初步设计，按照政府投资管理权限和规定的程序，报投资主管部门或者"
                "其他有关部门审批。"),
            law("政府投资条例", "第十一条"),
        ),
        conditions="区级政府投资项目，项目建议书已获批复，可行性研究报告由具备相应能力的工程"
        "咨询单位编制，用地预审与选址等前置要件齐备。",
        materials=(
            m("application_form", "项目单位关于审批可行性研究报告的请示"),
            m("feasibility_report"),
            m("approval_document", "项目建议书批复文件"),
            m("site_opinion"),
        ),
        fields=(COMPANY, PHONE, PROJECT, SITE, INVESTMENT,
                pick("funding", "资金来源",
                     ("财政预算资金", "政府专项债券", "上级补助资金", "其他"))),
        special=(("expert_review", 20),),
        level="district",
    ),
    Spec(
        "FGJ", 3, "固定资产投资项目节能审查", LICENSING, ORGANISATION, ("gongcheng",), (20, 10),
        bases=(
            law("中华人民共和国节约能源法", "第十五条",
                "国家实行固定资产投资项目节能评估和审查制度。不符合强制性节能标准的项目，建设单位"
                "不得开工建设；已经建成的，不得投入生产、使用。"),
            law("固定资产投资项目节能审查办法", "第十二条"),
        ),
        conditions="年综合能源消费量1000吨标准煤以上（改扩建项目按增量计算）或年电力消费量500万"
        "千瓦时以上的固定资产投资项目，在开工建设前报送节能报告。",
        materials=(
            m("application_form", "节能审查申请文件"),
            m("energy_report"),
            m("business_licence"),
        ),
        fields=(*ORG_FIELDS, PROJECT, SITE,
                num("energy_use", "年综合能源消费量（吨标准煤）"),
                num("electricity_use", "年电力消费量（万千瓦时）")),
        special=(("expert_review", 15),),
    ),
    Spec(
        "FGJ", 4, "依法必须招标项目招标方案核准", OTHER_POWER, ORGANISATION, ("gongcheng",),
        (20, 5),
        bases=(
            law("中华人民共和国招标投标法实施条例", "第七条",
                "按照国家有关规定需要履行项目审批、核准手续的依法必须进行招标的项目，其招标范围、"
                "招标方式、招标组织形式应当报项目审批、核准部门审批、核准。"),
        ),
        conditions="依法必须进行招标且需履行审批、核准手续的项目，在报送项目审批或核准文件时一并"
        "提出招标范围、招标方式和招标组织形式。",
        materials=(
            m("application_form", "招标事项核准申请表"),
            m("project_filing", "项目审批（核准）文件"),
            m("business_licence"),
        ),
        fields=(*ORG_FIELDS, PROJECT,
                pick("tender_method", "招标方式", ("公开招标", "邀请招标")),
                pick("tender_organisation", "招标组织形式", ("自行招标", "委托招标"))),
    ),
)  # fmt: skip

HEALTH = (
    Spec(
        "WJJ", 1, "公共场所卫生许可证核发", LICENSING, BOTH, ("kaiban", "jingying"), (20, 5),
        bases=(
            law("公共场所卫生管理条例", "第八条",
                "除公园、体育场（馆）、公共交通工具外的公共场所，经营单位应当及时向卫生行政部门"
                "申请办理“卫生许可证”。“卫生许可证”两年复核一次。"),
            law("公共场所卫生管理条例实施细则", "第二十二条",
                "国家对公共场所实行卫生许可证管理。公共场所经营者应当按照规定向县级以上地方人民"
                "政府卫生计生行政部门申请卫生许可证。未取得卫生许可证的，不得营业。"),
        ),
        conditions="住宿、沐浴、美容美发、游泳等公共场所，选址、布局和卫生设施符合卫生标准，"
        "从业人员经健康检查合格，建立卫生管理制度。",
        materials=(
            m("application_form", "公共场所卫生许可申请表"),
            m("business_licence"),
            m("legal_rep_id"),
            m("premises_proof"),
            m("floor_plan", "卫生设施平面布局图"),
            m("rules", "公共场所卫生管理制度"),
            m("health_cert", necessity=TOLERABLE, notes="可在现场踏勘前补齐"),
            m("testing_report", "公共场所卫生检测报告", necessity=OPTIONAL,
              notes="新建、改建的场所在竣工后提供"),
        ),
        fields=(*ORG_FIELDS, PREMISES, FLOOR_AREA,
                pick("venue_type", "场所类别",
                     ("住宿场所", "沐浴场所", "美容美发场所", "游泳场所", "文化娱乐场所", "其他")),
                num("staff_count", "从业人员数", 1, 10000)),
        special=(("inspection", 5),),
    ),
    Spec(
        "WJJ", 2, "医疗机构执业登记", LICENSING, ORGANISATION, ("kaiban",), (45, 20),
        bases=(
            law("医疗机构管理条例", "第十五条",
                "医疗机构执业，必须进行登记，领取《医疗机构执业许可证》。"),
            law("医疗机构管理条例实施细则", "第二十五条"),
        ),
        conditions="有符合规定的名称、组织机构和场所，有与开展业务相适应的经费、设施、设备和专业"
        "卫生技术人员，有相应的规章制度，能够独立承担民事责任。",
        materials=(
            m("application_form", "医疗机构申请执业登记注册书"),
            m("legal_rep_id", "法定代表人、主要负责人身份证明"),
            m("premises_proof"),
            m("floor_plan", "医疗机构建筑设计平面图"),
            m("staff_roster", "医疗机构人员名单及执业证书"),
            m("equipment_list", "医疗设备清单"),
            m("rules", "医疗机构规章制度", necessity=TOLERABLE, notes="可在现场踏勘时补齐"),
        ),
        fields=(text("company_name", "机构名称", 100), LEGAL_REP, PHONE,
                text("premises_address", "执业地址", 200),
                pick("institution_type", "医疗机构类别",
                     ("医院", "社区卫生服务中心", "门诊部", "医务室", "其他")),
                num("beds", "床位数", 0, 5000),
                text("departments", "诊疗科目", 500)),
        special=(("inspection", 10),),
        extension=15,
    ),
    Spec(
        "WJJ", 3, "诊所备案", OTHER_POWER, BOTH, ("kaiban",), (1, 0),
        bases=(
            law("医疗机构管理条例", "第十五条",
                "诊所按照国务院卫生健康主管部门的规定向所在地的县级人民政府卫生健康主管部门备案后，"
                "可以执业。"),
            law("诊所备案管理暂行办法", "第五条"),
        ),
        conditions="举办人取得医师执业证书后从事5年以上同一专业的临床工作（或为具备条件的单位），"
        "诊所房屋、设备设施和人员符合《诊所基本标准》。",
        materials=(
            m("application_form", "诊所备案信息表"),
            m("id_card", "举办人居民身份证"),
            m("qualification_cert", "医师执业证书"),
            m("premises_proof"),
            m("floor_plan", "诊所平面布局图"),
            m("equipment_list", "诊所设备清单"),
        ),
        fields=(text("applicant_name", "举办人（单位）", 100), PHONE,
                text("clinic_name", "诊所名称", 100), PREMISES,
                pick("clinic_type", "诊所类别",
                     ("普通诊所", "中医诊所", "口腔诊所", "医疗美容诊所"))),
        level="district",
    ),
    Spec(
        "WJJ", 4, "医师执业注册", LICENSING, PERSON, ("jiuye",), (20, 5),
        bases=(
            law("中华人民共和国医师法", "第十三条",
                "国家实行医师执业注册制度。取得医师资格的，可以向所在地县级以上地方人民政府卫生"
                "健康主管部门申请注册。"),
            law("医师执业注册管理办法", "第九条"),
        ),
        conditions="已取得医师资格，拟在本区医疗、预防、保健机构执业，身体健康，无《医师法》规定"
        "不予注册的情形。",
        materials=(
            m("application_form", "医师执业注册申请审核表", form="electronic"),
            m("qualification_cert", "医师资格证书"),
            m("health_exam", "近6个月内的健康体检证明", form="electronic"),
            m("employment_proof", "拟执业机构聘用证明", form="electronic"),
        ),
        fields=(*PERSON_FIELDS,
                text("qualification_no", "医师资格证书编码", 30),
                pick("practice_type", "执业类别", ("临床", "中医", "口腔", "公共卫生")),
                text("practice_scope", "执业范围", 100),
                text("institution", "拟执业机构", 100)),
        depth=4,
        level="district",
    ),
    Spec(
        "WJJ", 5, "护士执业注册", LICENSING, PERSON, ("jiuye",), (20, 5),
        bases=(
            law("护士条例", "第七条", "护士执业，应当经执业注册取得护士执业证书。"),
            law("护士条例", "第八条",
                "收到申请的卫生主管部门应当自收到申请之日起20个工作日内作出决定，对具备本条例规定"
                "条件的，准予注册，并发给护士执业证书。"),
        ),
        conditions="具有完全民事行为能力，完成规定的护理专业学历教育，通过护士执业资格考试，符合"
        "健康标准，自考试成绩合格之日起3年内申请。",
        materials=(
            m("application_form", "护士执业注册申请审核表", form="electronic"),
            m("qualification_cert", "护士执业资格考试成绩合格证明"),
            m("diploma", "护理专业学历证书"),
            m("health_exam", "近6个月内的健康体检证明", form="electronic"),
            m("employment_proof", "拟执业机构聘用证明", form="electronic"),
        ),
        fields=(*PERSON_FIELDS, text("institution", "拟执业机构", 100),
                day("exam_passed_on", "考试成绩合格日期")),
        depth=4,
        level="district",
    ),
    Spec(
        "WJJ", 6, "生育登记", PUBLIC_SERVICE, PERSON, ("shengyu",), (1, 0),
        bases=(
            law("中华人民共和国人口与计划生育法", "第十八条",
                "国家提倡适龄婚育、优生优育。一对夫妻可以生育三个子女。"),
            law("吉林省人口与计划生育条例", "第十二条"),
        ),
        conditions="夫妻一方户籍在本区或在本区居住，在生育前或子女出生后办理，对生育子女数不作"
        "限制。",
        materials=(
            m("id_card", "夫妻双方居民身份证"),
            m("marriage_certificate", necessity=OPTIONAL, notes="已办理结婚登记的提供"),
        ),
        fields=(*PERSON_FIELDS,
                text("spouse_name", "配偶姓名", 50),
                text("spouse_id_number", "配偶公民身份号码", 18, pattern=ID_PATTERN),
                pick("child_order", "本次生育孩次", ("第一孩", "第二孩", "第三孩及以上")),
                day("expected_on", "预产期或出生日期")),
        depth=4,
    ),
    Spec(
        "WJJ", 7, "出生医学证明首次签发", PUBLIC_SERVICE, PERSON, ("shengyu",), (1, 0),
        bases=(
            law("中华人民共和国母婴保健法", "第二十三条",
                "医疗保健机构和从事家庭接生的人员按照国务院卫生行政部门的规定，出具统一制发的新生儿"
                "出生医学证明。"),
        ),
        conditions="在本区助产机构出生的新生儿，姓名已确定，由其父母或其他监护人申请。",
        materials=(
            m("id_card", "父母双方居民身份证"),
            m("application_form", "出生医学证明首次签发登记表"),
        ),
        fields=(text("baby_name", "新生儿姓名", 50), GENDER, day("birth_date", "出生日期"),
                text("mother_name", "母亲姓名", 50),
                text("mother_id_number", "母亲公民身份号码", 18, pattern=ID_PATTERN), PHONE),
        visits=1,
        visits_reason="需父母一方持身份证件到签发窗口核对新生儿信息并签字领取",
        level="district",
        locations=f"新生儿出生的助产机构出生医学证明签发窗口；{DISTRICT_PLACE}",
    ),
    Spec(
        "WJJ", 8, "计划生育家庭奖励扶助金申领", BENEFIT, PERSON, ("yanglao", "shengyu"), (20, 10),
        bases=(
            law("国务院办公厅转发人口计生委财政部关于开展对农村部分计划生育家庭实行奖励扶助制度"
                "试点工作意见的通知（国办发〔2004〕21号）", "第二部分第（二）项"),
            law("吉林省人口与计划生育条例", "第三十四条"),
        ),
        conditions="本人及配偶为农村居民，1973年至2001年间只生育一个子女或两个女孩（或子女死亡现无"
        "子女），年满60周岁。",
        materials=(
            m("id_card"),
            m("household_register"),
            m("application_form", "计划生育家庭奖励扶助对象申报表"),
            m("bank_account", necessity=TOLERABLE, notes="可在公示结束前补齐"),
        ),
        fields=(*PERSON_FIELDS, ADDRESS, day("birth_date", "出生日期"),
                num("children", "现有子女数", 0, 2)),
        special=(("publicity", 7),),
    ),
)  # fmt: skip

EDUCATION = (
    Spec(
        "JYJ", 1, "民办幼儿园设立审批", LICENSING, ORGANISATION, ("shangxue", "kaiban"), (30, 15),
        bases=(
            law("中华人民共和国民办教育促进法", "第十二条",
                "举办实施学历教育、学前教育、自学考试助学及其他文化教育的民办学校，由县级以上人民"
                "政府教育行政部门按照国家规定的权限审批。"),
            law("幼儿园管理条例", "第十一条",
                "国家实行幼儿园登记注册制度，未经登记注册，任何单位和个人不得举办幼儿园。"),
        ),
        conditions="举办者有相应的办园资金和场所，园舍选址、建筑和设施设备符合《幼儿园建设标准》，"
        "园长、教师和保育员具备相应资格，卫生保健、消防和食品安全条件符合规定。",
        materials=(
            m("application_form", "民办幼儿园设立申请书"),
            m("id_card", "举办者身份证明（单位举办的提供法人登记证书）"),
            m("capital_proof", "资产来源、资金数额及有效证明文件"),
            m("premises_proof", "园舍产权证明或不少于3年的租赁合同"),
            m("articles", "幼儿园章程"),
            m("staff_roster", "园长、教师、保育员名单及资格证明"),
            m("floor_plan", "园舍平面图及设施设备清单", necessity=TOLERABLE,
              notes="可在现场踏勘前补齐"),
        ),
        fields=(text("company_name", "拟设幼儿园名称", 100), text("legal_rep", "举办者", 100),
                PHONE, text("premises_address", "园址", 200),
                num("classes", "拟设班数", 1, 30), num("capacity", "拟招收幼儿数", 1, 1000)),
        parallel=("WJJ", "XFJ", "SCJ"),
        special=(("inspection", 10),),
    ),
    Spec(
        "JYJ", 2, "民办学校变更审批", LICENSING, ORGANISATION, ("shangxue", "biangeng"), (20, 10),
        bases=(
            law("中华人民共和国民办教育促进法", "第五十四条",
                "民办学校举办者的变更，须由举办者提出，在进行财务清算后，经学校理事会或者董事会"
                "同意，报审批机关核准。"),
            law("中华人民共和国民办教育促进法", "第五十五条",
                "民办学校名称、层次、类别的变更，由学校理事会或者董事会报审批机关批准。"),
        ),
        conditions="已取得办学许可证的民办学校，举办者、名称、办学地址或办学层次变更，经学校理事会"
        "（董事会）同意。",
        materials=(
            m("application_form", "民办学校变更申请书"),
            m("school_licence"),
            m("approval_document", "学校理事会（董事会）同意变更的决议", source="applicant"),
            m("liquidation_report", "财务清算审计报告", necessity=OPTIONAL,
              notes="变更举办者的提供"),
        ),
        fields=(text("company_name", "学校名称", 100), USCC, PHONE,
                pick("change_item", "变更事项", ("举办者", "学校名称", "办学地址", "办学层次"))),
    ),
    Spec(
        "JYJ", 3, "教师资格认定", LICENSING, PERSON, ("jiuye",), (30, 15),
        bases=(
            law("中华人民共和国教师法", "第十三条",
                "中小学教师资格由县级以上地方人民政府教育行政部门认定。"),
            law("教师资格条例", "第十四条"),
        ),
        conditions="遵守宪法和法律，热爱教育事业，具备《教师法》规定的学历，普通话水平达到二级乙等"
        "以上，通过中小学教师资格考试，身体条件符合要求。",
        materials=(
            m("application_form", "教师资格认定申请表"),
            m("id_card"),
            m("photo", "近6个月内一寸免冠彩色照片", originals=1),
            m("diploma"),
            m("mandarin_cert"),
            m("health_exam", "教师资格认定体检表"),
        ),
        fields=(*PERSON_FIELDS,
                pick("level", "申请资格种类", ("幼儿园", "小学", "初级中学")),
                text("subject", "任教学科", 30),
                pick("mandarin_level", "普通话等级",
                     ("一级甲等", "一级乙等", "二级甲等", "二级乙等"))),
        visits_reason="需本人到现场确认身份并参加体检，证书可邮寄送达",
        level="district",
    ),
    Spec(
        "JYJ", 4, "义务教育阶段适龄儿童入学登记", PUBLIC_SERVICE, PERSON, ("shangxue",), (10, 5),
        bases=(
            law("中华人民共和国义务教育法", "第十一条",
                "凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学接受并完成义务教育。"),
            law("中华人民共和国义务教育法", "第十二条",
                "适龄儿童、少年免试入学。地方各级人民政府应当保障适龄儿童、少年在户籍所在地学校"
                "就近入学。"),
        ),
        conditions="当年8月31日前年满6周岁的适龄儿童，户籍或监护人居住证在本区学区范围内，由父母或"
        "其他法定监护人申请。",
        materials=(
            m("household_register"),
            m("id_card", "监护人居民身份证"),
            m("residence_proof", "房屋产权证明或居住证"),
            m("birth_certificate"),
        ),
        fields=(text("child_name", "儿童姓名", 50),
                text("child_id_number", "儿童公民身份号码", 18, pattern=ID_PATTERN),
                text("applicant_name", "监护人姓名", 50), PHONE,
                text("school_district", "户籍或居住地址（所属学区）", 200)),
        depth=4,
    ),
    Spec(
        "JYJ", 5, "学前教育幼儿资助申请", BENEFIT, PERSON, ("shangxue", "jiuzhu"), (20, 10),
        bases=(law("学生资助资金管理办法（财教〔2021〕310号）", "第二十一条"),),
        conditions="在本区普惠性幼儿园就读的家庭经济困难儿童、孤儿和残疾儿童。",
        materials=(
            m("application_form", "学前教育资助申请表"),
            m("household_register"),
            m("id_card", "监护人居民身份证"),
            m("hardship_proof", necessity=OPTIONAL, notes="享受低保、特困供养的家庭提供"),
            m("disability_cert", necessity=OPTIONAL, notes="残疾儿童提供"),
        ),
        fields=(text("child_name", "幼儿姓名", 50), text("applicant_name", "监护人姓名", 50),
                PHONE, text("kindergarten", "就读幼儿园", 100),
                pick("hardship", "困难类型",
                     ("最低生活保障家庭", "特困供养", "孤儿", "残疾儿童", "其他家庭经济困难"))),
        special=(("publicity", 5),),
    ),
)  # fmt: skip

CIVIL_AFFAIRS = (
    Spec(
        "MZJ", 1, "老年人优待证办理", PUBLIC_SERVICE, PERSON, ("yanglao",), (5, 0),
        bases=(
            law("中华人民共和国老年人权益保障法", "第五十三条",
                "县级以上人民政府及其有关部门根据经济社会发展情况和老年人的特殊需要，制定优待老年人"
                "的办法，逐步提高优待水平。对常住在本行政区域内的外埠老年人给予同等优待。"),
            law("吉林省老年人权益保障条例", "第三十八条"),
        ),
        conditions="年满60周岁，具有本市户籍或在本市常住的外埠老年人。",
        materials=(
            m("id_card"),
            m("household_register", necessity=OPTIONAL, notes="外埠老年人提供居住证"),
            m("photo", "近期一寸免冠彩色照片", originals=1, notes="可现场免费拍照"),
        ),
        fields=(*PERSON_FIELDS, ADDRESS,
                pick("residency", "户籍类别", ("本市户籍", "外埠常住"))),
        visits_reason="需现场采集照片并当场领取优待证（行动不便的可由网格员帮办代办）",
    ),
    Spec(
        "MZJ", 2, "高龄津贴申领", BENEFIT, PERSON, ("yanglao",), (15, 5),
        bases=(
            law("中华人民共和国老年人权益保障法", "第三十三条",
                "国家鼓励地方建立八十周岁以上低收入老年人高龄津贴制度。"),
            law("吉林省老年人权益保障条例", "第三十六条"),
        ),
        conditions="具有本区户籍、年满80周岁的老年人，由本人、家属或网格员代为申请。",
        materials=(
            m("id_card"),
            m("household_register"),
            m("bank_account", "本人社会保障卡或银行账户", necessity=TOLERABLE,
              notes="可在发放前补齐"),
        ),
        fields=(*PERSON_FIELDS, ADDRESS, BANK_ACCOUNT),
        visits=0,
        delivery=("electronic",),
    ),
    Spec(
        "MZJ", 3, "经济困难老年人养老服务补贴申请", BENEFIT, PERSON, ("yanglao", "jiuzhu"),
        (20, 10),
        bases=(
            law("中华人民共和国老年人权益保障法", "第三十七条",
                "对经济困难的老年人，地方各级人民政府应当逐步给予养老服务补贴。"),
        ),
        conditions="本区户籍、年满60周岁的最低生活保障或低收入家庭老年人，经能力评估为失能或半失能。",
        materials=(
            m("id_card"),
            m("household_register"),
            m("application_form", "养老服务补贴申请审批表"),
            m("hardship_proof"),
            m("medical_records", "失能情况相关病历", necessity=OPTIONAL),
        ),
        fields=(*PERSON_FIELDS, ADDRESS,
                pick("care_level", "失能等级", ("轻度失能", "中度失能", "重度失能"))),
        special=(("inspection", 5),),
    ),
    Spec(
        "MZJ", 4, "结婚登记", CONFIRMATION, PERSON, ("hunyin",), (1, 0),
        bases=(
            MARRIAGE_AT_REGISTRY,
            law(MARRIAGE_REGISTRATION, "第四条",
                "内地居民结婚，男女双方应当共同到一方当事人常住户口所在地的婚姻登记机关办理结婚"
                "登记。"),
        ),
        conditions="男女双方完全自愿，男年满22周岁、女年满20周岁，双方均无配偶，且无直系血亲和三代"
        "以内旁系血亲关系。",
        materials=(
            m("household_register", "双方居民户口簿"),
            m("id_card", "双方居民身份证"),
            m("photo", "双方近期半身免冠合影2寸照片", originals=3),
            m("declaration", "本人无配偶及与对方无直系血亲和三代以内旁系血亲关系的签字声明",
              notes="在登记现场填写"),
        ),
        fields=(text("groom_name", "男方姓名", 50),
                text("groom_id_number", "男方公民身份号码", 18, pattern=ID_PATTERN),
                text("bride_name", "女方姓名", 50),
                text("bride_id_number", "女方公民身份号码", 18, pattern=ID_PATTERN),
                PHONE, day("appointment_on", "预约登记日期", required=False)),
        depth=2,
        visits=1,
        visits_reason="男女双方须亲自到婚姻登记机关申请并现场签字",
        level="district",
        locations="二道区婚姻登记处（二道区政务服务中心二楼）",
    ),
    Spec(
        "MZJ", 5, "补领婚姻登记证", CONFIRMATION, PERSON, ("hunyin",), (1, 0),
        bases=(
            law(MARRIAGE_REGISTRATION, "第十七条",
                "结婚证、离婚证遗失或者损毁的，当事人可以持户口簿、身份证向原办理婚姻登记的婚姻"
                "登记机关或者一方当事人常住户口所在地的婚姻登记机关申请补领。"),
        ),
        conditions="结婚证或离婚证遗失、损毁，婚姻登记档案可查证属实。",
        materials=(
            m("household_register"),
            m("id_card"),
            m("photo", "近期2寸半身免冠照片（补领结婚证的提供双方合影）"),
            m("declaration", "补领婚姻登记证申请书"),
        ),
        fields=(*PERSON_FIELDS,
                pick("certificate", "补领证件", ("结婚证", "离婚证")),
                text("registry", "原婚姻登记机关", 100, required=False),
                day("registered_on", "原登记日期", required=False)),
        depth=2,
        visits=1,
        visits_reason="当事人须本人到场核验身份并签字",
        level="district",
        locations="二道区婚姻登记处（二道区政务服务中心二楼）",
    ),
    Spec(
        "MZJ", 6, "最低生活保障审核确认", BENEFIT, PERSON, ("jiuzhu",), (30, 15),
        bases=(
            MINIMUM_LIVING,
            law(SOCIAL_ASSISTANCE, "第十一条",
                "申请最低生活保障，按照下列程序办理：（一）由共同生活的家庭成员向户籍所在地的乡镇"
                "人民政府、街道办事处提出书面申请。"),
        ),
        conditions="共同生活的家庭成员人均月收入低于本市最低生活保障标准，家庭财产状况符合规定，"
        "申请人户籍在本区。",
        materials=(
            m("application_form", "最低生活保障申请书"),
            m("id_card", "共同生活家庭成员居民身份证"),
            m("household_register"),
            m("consent"),
            m("income_proof"),
            m("bank_account", necessity=TOLERABLE, notes="可在审批前补齐"),
            m("disability_cert", necessity=OPTIONAL, notes="家庭成员有残疾的提供"),
            m("medical_records", necessity=OPTIONAL, notes="家庭成员患重病的提供"),
        ),
        fields=(*PERSON_FIELDS, ADDRESS,
                num("family_size", "共同生活家庭人口", 1, 20),
                num("monthly_income", "家庭月总收入（元）"),
                text("reason", "申请原因", 500)),
        special=(("inspection", 10), ("publicity", 7)),
        visits_reason="需提交书面申请并签署家庭经济状况核对授权书（行动不便的可由网格员上门帮办）",
    ),
    Spec(
        "MZJ", 7, "临时救助", BENEFIT, PERSON, ("jiuzhu",), (10, 5),
        bases=(
            law(SOCIAL_ASSISTANCE, "第四十七条",
                "国家对因火灾、交通事故等意外事件，家庭成员突发重大疾病等原因，导致基本生活暂时出现"
                "严重困难的家庭，给予临时救助。"),
            law(SOCIAL_ASSISTANCE, "第四十八条",
                "申请临时救助的，应当向乡镇人民政府、街道办事处提出，经审核、公示后，由县级人民政府"
                "民政部门审批。情况紧急的，可以按照规定简化审批手续。"),
        ),
        conditions="因意外事件、突发重大疾病等原因，基本生活暂时出现严重困难的本区户籍或常住家庭。",
        materials=(
            m("application_form", "临时救助申请书"),
            m("id_card"),
            m("household_register"),
            m("medical_records", "困难情况证明（医疗费用单据、事故证明等）"),
            m("bank_account", necessity=TOLERABLE, notes="可在发放前补齐"),
        ),
        fields=(*PERSON_FIELDS, ADDRESS,
                pick("hardship", "困难类型", ("突发意外", "重大疾病", "生活必需支出突增", "其他")),
                num("amount", "申请救助金额（元）", 0, 50000)),
    ),
    Spec(
        "MZJ", 8, "特困人员救助供养", BENEFIT, PERSON, ("jiuzhu", "yanglao"), (20, 10),
        bases=(
            ASSISTANCE_FOR_THE_POOREST,
            law(SOCIAL_ASSISTANCE, "第十六条",
                "申请特困人员供养，由本人向户籍所在地的乡镇人民政府、街道办事处提出书面申请；本人申请"
                "有困难的，可以委托村民委员会、居民委员会代为提出申请。"),
        ),
        conditions="无劳动能力、无生活来源，且无法定赡养、抚养、扶养义务人或其义务人无履行能力的"
        "本区户籍老年人、残疾人和未满16周岁的未成年人。",
        materials=(
            m("application_form", "特困人员救助供养申请书"),
            m("id_card"),
            m("household_register"),
            m("consent"),
            m("disability_cert", necessity=OPTIONAL, notes="残疾人提供"),
        ),
        fields=(*PERSON_FIELDS, ADDRESS,
                pick("care_mode", "供养方式", ("分散供养", "集中供养"))),
        special=(("inspection", 10), ("publicity", 7)),
    ),
    Spec(
        "MZJ", 9, "困难残疾人生活补贴和重度残疾人护理补贴", BENEFIT, PERSON, ("canji", "jiuzhu"),
        (20, 10),
        bases=(
            law("中华人民共和国残疾人保障法", "第四十八条",
                "对生活不能自理的残疾人，地方各级人民政府应当根据情况给予护理补贴。"),
            law("国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见"
                "（国发〔2015〕52号）", "第二部分"),
        ),
        conditions="持第二代《中华人民共和国残疾人证》的本区户籍残疾人：生活补贴面向最低生活保障"
        "家庭中的残疾人，护理补贴面向残疾等级为一、二级且需要长期照护的重度残疾人。",
        materials=(
            m("application_form", "残疾人两项补贴申请审批表"),
            m("id_card"),
            m("disability_cert"),
            m("household_register"),
            m("bank_account", necessity=TOLERABLE, notes="可在发放前补齐"),
        ),
        fields=(*PERSON_FIELDS,
                pick("subsidy", "申请补贴",
                     ("困难残疾人生活补贴", "重度残疾人护理补贴", "两项补贴")),
                pick("disability_level", "残疾等级", ("一级", "二级", "三级", "四级"))),
    ),
    Spec(
        "MZJ", 10, "社会团体成立登记", LICENSING, ORGANISATION, ("shzz",), (30, 15),
        bases=(
            law("社会团体登记管理条例", "第三条",
                "成立社会团体，应当经其业务主管单位审查同意，并依照本条例的规定进行登记。"),
            law("社会团体登记管理条例", "第十二条"),
        ),
        conditions="有50个以上个人会员或30个以上单位会员，有规范的名称、组织机构、固定住所和专职"
        "工作人员，有3万元以上活动资金，能够独立承担民事责任。",
        materials=(
            m("application_form", "社会团体成立登记申请书"),
            m("approval_document", "业务主管单位批准文件"),
            m("articles", "社会团体章程"),
            m("capital_proof", "验资报告或资金证明"),
            m("legal_rep_id", "拟任负责人身份证明及基本情况"),
            m("premises_proof", "住所使用权证明", necessity=TOLERABLE, notes="可在发证前补齐"),
        ),
        fields=(text("company_name", "社会团体名称", 100),
                text("legal_rep", "拟任法定代表人", 50), PHONE,
                text("premises_address", "住所", 200),
                num("members", "会员数量", 30, 100000),
                num("funds", "活动资金（万元）", 3)),
    ),
    Spec(
        "MZJ", 11, "民办非企业单位成立登记", LICENSING, ORGANISATION, ("shzz",), (30, 15),
        bases=(
            law("民办非企业单位登记管理暂行条例", "第三条",
                "成立民办非企业单位，应当经其业务主管单位审查同意，并依照本条例的规定登记。"),
            law("民办非企业单位登记管理暂行条例", "第八条"),
        ),
        conditions="经业务主管单位审查同意，有规范的名称、必要的组织机构，有与业务活动相适应的从业"
        "人员、合法财产和必要场所，能够独立承担民事责任。",
        materials=(
            m("application_form", "民办非企业单位成立登记申请书"),
            m("approval_document", "业务主管单位批准文件"),
            m("articles", "民办非企业单位章程草案"),
            m("capital_proof", "开办资金验资报告"),
            m("legal_rep_id", "拟任负责人身份证明"),
            m("premises_proof", "场所使用权证明", necessity=TOLERABLE, notes="可在发证前补齐"),
        ),
        fields=(text("company_name", "单位名称", 100), text("legal_rep", "拟任法定代表人", 50),
                PHONE, text("premises_address", "住所", 200),
                num("funds", "开办资金（万元）"),
                pick("sector", "业务领域",
                     ("教育", "卫生", "文化", "科技", "体育", "社会服务", "其他"))),
    ),
    Spec(
        "MZJ", 12, "养老机构备案", OTHER_POWER, ORGANISATION, ("yanglao",), (5, 0),
        bases=(
            law("中华人民共和国老年人权益保障法", "第四十三条",
                "设立公益性养老机构，应当依法办理相应的登记。设立经营性养老机构，应当在市场监督管理"
                "部门办理登记。养老机构登记后即可开展服务活动，并向县级以上人民政府民政部门备案。"),
            law("养老机构管理办法", "第九条"),
        ),
        conditions="已依法办理法人登记的养老机构，收住老年人前通过在线平台备案，并承诺符合养老机构"
        "有关标准。",
        materials=(
            m("application_form", "养老机构备案书", form="electronic"),
            m("business_licence", "营业执照或事业单位、民办非企业单位登记证书"),
            m("commitment_letter", "养老机构备案承诺书"),
            m("premises_proof", "服务场所使用证明"),
        ),
        fields=(*ORG_FIELDS, PREMISES, num("beds", "床位数", 1, 5000)),
        depth=4,
    ),
)  # fmt: skip

HUMAN_RESOURCES = (
    Spec(
        "RSJ", 1, "失业登记", PUBLIC_SERVICE, PERSON, ("jiuye",), (1, 0),
        bases=(
            law("中华人民共和国就业促进法", "第三十五条",
                "县级以上人民政府建立健全公共就业服务体系，设立公共就业服务机构，为劳动者免费提供"
                "下列服务：……（四）办理就业登记、失业登记等事务。"),
            law("就业服务与就业管理规定", "第六十三条"),
        ),
        conditions="在法定劳动年龄内、有劳动能力、有就业要求、处于无业状态的城乡劳动者，可在常住地"
        "进行失业登记。",
        materials=(m("id_card"), m("application_form", "失业登记表", form="electronic")),
        fields=(*PERSON_FIELDS, ADDRESS, day("unemployed_since", "失业日期"),
                pick("education", "文化程度",
                     ("初中及以下", "高中（中专）", "大专", "本科", "研究生"))),
        depth=4,
    ),
    Spec(
        "RSJ", 2, "《就业失业登记证》补办", PUBLIC_SERVICE, PERSON, ("jiuye",), (1, 0),
        bases=(
            law("就业服务与就业管理规定", "第六十一条"),
            law("人力资源社会保障部关于进一步完善就业失业登记管理办法的通知（人社部发〔2014〕97号）",
                "第三项"),
        ),
        conditions="原《就业失业登记证》（《就业创业证》）遗失或损毁，本人就业失业登记信息可在信息"
        "系统中查询。",
        materials=(
            m("id_card"),
            m("photo", "近期一寸免冠照片", originals=1),
            m("application_form", "《就业失业登记证》补发申请表"),
        ),
        fields=(*PERSON_FIELDS, text("original_no", "原证编号", 30, required=False),
                pick("reason", "补办原因", ("遗失", "损毁"))),
        visits_reason="需本人到窗口核验身份并当场领取补发的证件",
    ),
    Spec(
        "RSJ", 3, "城镇居民社会养老保险参保信息变更", PUBLIC_SERVICE, PERSON, ("yanglao",), (1, 0),
        bases=(RESIDENT_PENSION_INSURANCE, law(RESIDENT_PENSION, "第九部分")),
        conditions="已参加城乡居民基本养老保险（原城镇居民社会养老保险），姓名、公民身份号码、联系"
        "方式、银行账户等参保信息发生变化。",
        materials=(
            m("id_card"),
            m("application_form", "城乡居民基本养老保险参保信息变更表"),
            m("household_register", necessity=OPTIONAL, notes="变更姓名、公民身份号码的提供"),
            m("bank_account", necessity=OPTIONAL, notes="变更银行账户的提供"),
        ),
        fields=(*PERSON_FIELDS,
                pick("change_item", "变更事项",
                     ("联系电话", "居住地址", "银行账户", "姓名", "公民身份号码")),
                text("new_value", "变更后内容", 200)),
    ),
    Spec(
        "RSJ", 4, "城乡居民基本养老保险参保登记", PUBLIC_SERVICE, PERSON, ("yanglao",), (1, 0),
        bases=(RESIDENT_PENSION_INSURANCE, law(RESIDENT_PENSION, "第四部分")),
        conditions="年满16周岁（不含在校学生），非国家机关和事业单位工作人员，且不属于职工基本养老"
        "保险覆盖范围的本区户籍居民。",
        materials=(
            m("id_card"),
            m("application_form", "城乡居民基本养老保险参保登记表", form="electronic"),
        ),
        fields=(*PERSON_FIELDS, ADDRESS,
                pick("contribution", "缴费档次",
                     ("200元", "500元", "1000元", "2000元", "3000元"))),
        depth=4,
    ),
    Spec(
        "RSJ", 5, "城乡居民基本养老保险待遇申领", BENEFIT, PERSON, ("yanglao",), (20, 5),
        bases=(RESIDENT_PENSION_INSURANCE, law(RESIDENT_PENSION, "第六部分")),
        conditions="参加城乡居民养老保险、年满60周岁、累计缴费满15年，且未领取国家规定的基本养老"
        "保障待遇的本区户籍居民。",
        materials=(
            m("id_card"),
            m("household_register"),
            m("application_form", "城乡居民基本养老保险待遇申领表"),
            m("bank_account", necessity=TOLERABLE, notes="可在首次发放前补齐"),
        ),
        fields=(*PERSON_FIELDS, day("birth_date", "出生日期"), BANK_ACCOUNT),
    ),
    Spec(
        "RSJ", 6, "企业职工基本养老保险退休待遇申领", BENEFIT, PERSON, ("yanglao",), (20, 10),
        bases=(
            law(SOCIAL_INSURANCE_LAW, "第十六条",
                "参加基本养老保险的个人，达到法定退休年龄时累计缴费满十五年的，按月领取基本养老金。"),
            law("国务院关于工人退休、退职的暂行办法（国发〔1978〕104号）", "第一条"),
        ),
        conditions="参加企业职工基本养老保险，达到法定退休年龄且累计缴费满15年的职工，由所在单位或"
        "本人（灵活就业人员）申报。",
        materials=(
            m("application_form", "职工退休审批表"),
            m("id_card"),
            m("personnel_file"),
            m("bank_account", necessity=TOLERABLE, notes="可在首次发放前补齐"),
            m("social_security_card", necessity=OPTIONAL),
        ),
        fields=(*PERSON_FIELDS, text("employer", "所在单位", 100, required=False),
                day("birth_date", "出生日期"), day("work_start", "参加工作时间")),
        level="district",
    ),
    Spec(
        "RSJ", 7, "社会保障卡申领", PUBLIC_SERVICE, PERSON, ("yibao", "jiuye"), (1, 0),
        bases=(
            law(SOCIAL_INSURANCE_LAW, "第五十八条第三款",
                "国家建立全国统一的个人社会保障号码。个人社会保障号码为公民身份号码。"),
        ),
        conditions="已参加社会保险或需要使用社会保障卡的本区户籍及常住人员；新生儿由监护人代为申领。",
        materials=(
            m("id_card", "本人居民身份证（新生儿提供户口簿或出生医学证明）"),
            m("application_form", "社会保障卡申领登记表"),
            m("photo", originals=1, necessity=OPTIONAL, notes="现场采集照片的无需提供"),
        ),
        fields=(*PERSON_FIELDS,
                pick("bank", "服务银行",
                     ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "吉林银行"))),
        visits_reason="需本人（或监护人）到场采集照片，当场领取即时制卡",
    ),
    Spec(
        "RSJ", 8, "单位社会保险登记", PUBLIC_SERVICE, ORGANISATION, ("kaiban",), (1, 0),
        bases=(EMPLOYER_REGISTRATION,),
        conditions="在本区登记注册的企业及其他用人单位，自成立之日起30日内申请社会保险登记。",
        materials=(
            m("business_licence"),
            m("application_form", "社会保险登记表", form="electronic"),
            m("bank_account", "单位银行开户信息"),
        ),
        fields=(*ORG_FIELDS, num("insured_staff", "参保职工人数", 0, 100000)),
        depth=4,
    ),
    Spec(
        "RSJ", 9, "单位社会保险登记信息变更", PUBLIC_SERVICE, ORGANISATION, ("biangeng",), (1, 0),
        bases=(EMPLOYER_CHANGE,),
        conditions="用人单位名称、住所、法定代表人、银行账户等社会保险登记事项发生变更，自变更之日起"
        "30日内申请。",
        materials=(
            m("business_licence", "变更后的营业执照"),
            m("change_proof"),
            m("application_form", "社会保险登记变更表", form="electronic"),
        ),
        fields=(*ORG_FIELDS, pick("change_item", "变更事项", ORG_CHANGES),
                text("new_value", "变更后内容", 200)),
        depth=4,
    ),
    Spec(
        "RSJ", 10, "失业保险金申领", BENEFIT, PERSON, ("jiuye",), (10, 3),
        bases=(
            law("失业保险条例", "第十四条",
                "具备下列条件的失业人员，可以领取失业保险金：（一）按照规定参加失业保险，所在单位"
                "和本人已按照规定履行缴费义务满1年的；（二）非因本人意愿中断就业的；（三）已办理失业"
                "登记，并有求职要求的。"),
            law("失业保险条例", "第十六条"),
        ),
        conditions="参加失业保险且缴费满1年，非因本人意愿中断就业，已办理失业登记并有求职要求。",
        materials=(m("id_card"), m("termination_cert"), m("social_security_card")),
        fields=(*PERSON_FIELDS, day("terminated_on", "劳动关系终止日期"),
                text("former_employer", "原工作单位", 100)),
        depth=4,
    ),
    Spec(
        "RSJ", 11, "灵活就业人员参加职工基本养老保险登记", PUBLIC_SERVICE, PERSON,
        ("jiuye", "yanglao"), (1, 0),
        bases=(
            law(SOCIAL_INSURANCE_LAW, "第十条第二款",
                "无雇工的个体工商户、未在用人单位参加基本养老保险的非全日制从业人员以及其他灵活就业"
                "人员可以参加基本养老保险，由个人缴纳基本养老保险费。"),
        ),
        conditions="无雇工的个体工商户、未在用人单位参保的非全日制从业人员及其他灵活就业人员，年龄在"
        "法定退休年龄以内。",
        materials=(
            m("id_card"),
            m("application_form", "灵活就业人员参保登记表", form="electronic"),
        ),
        fields=(*PERSON_FIELDS,
                pick("base", "缴费基数档次", ("60%", "80%", "100%", "150%", "200%", "300%"))),
        depth=4,
    ),
    Spec(
        "RSJ", 12, "人力资源服务许可", LICENSING, ORGANISATION, ("kaiban", "jingying"), (20, 10),
        bases=(
            law("人力资源市场暂行条例", "第十八条",
                "经营性人力资源服务机构从事职业中介活动的，应当依法向人力资源社会保障行政部门申请"
                "行政许可，取得人力资源服务许可证。"),
            law("人力资源市场暂行条例", "第十九条",
                "人力资源社会保障行政部门应当自收到经营性人力资源服务机构从事职业中介活动的申请之日"
                "起20日内依法作出行政许可决定。"),
        ),
        conditions="有明确的章程和管理制度，有开展业务必备的固定场所、办公设施，有5名以上取得相关"
        "资格的专职工作人员。",
        materials=(
            m("application_form", "人力资源服务许可申请表"),
            m("business_licence"),
            m("premises_proof"),
            m("staff_roster", "专职工作人员名单及资格证明"),
            m("rules", "服务规范及管理制度文本", necessity=TOLERABLE, notes="可在发证前补齐"),
        ),
        fields=(*ORG_FIELDS, PREMISES,
                pick("service", "主要业务",
                     ("职业中介", "人力资源供求信息收集和发布", "就业和创业指导",
                      "人力资源管理咨询", "人力资源测评", "人力资源培训"))),
    ),
)  # fmt: skip

MEDICAL_SECURITY = (
    Spec(
        "YBJ", 1, "新生儿城乡居民基本医疗保险参保登记", PUBLIC_SERVICE, PERSON,
        ("yibao", "shengyu"), (1, 0),
        bases=(RESIDENT_MEDICAL_INSURANCE, law(RESIDENT_MEDICAL, "第二部分第（一）项")),
        conditions="出生90日内的新生儿，父母一方在本区参保或户籍在本区，由监护人代为办理；出生当年"
        "参保缴费的，自出生之日起享受待遇。",
        materials=(
            m("birth_certificate"),
            m("id_card", "监护人居民身份证"),
            m("household_register", "新生儿户口簿", necessity=OPTIONAL, notes="已落户的提供"),
        ),
        fields=(text("baby_name", "新生儿姓名", 50), day("birth_date", "出生日期"), GENDER,
                text("applicant_name", "监护人姓名", 50),
                text("id_number", "监护人公民身份号码", 18, pattern=ID_PATTERN), PHONE),
        visits_reason="需监护人持出生医学证明到窗口核验（可在街道、社区就近办理），当场办结",
    ),
    Spec(
        "YBJ", 2, "城乡居民基本医疗保险参保登记", PUBLIC_SERVICE, PERSON, ("yibao",), (1, 0),
        bases=(RESIDENT_MEDICAL_INSURANCE, law(RESIDENT_MEDICAL, "第二部分第（一）项")),
        conditions="职工基本医疗保险应参保人员以外的本区户籍及持居住证的常住居民（含学生、儿童、"
        "灵活就业人员）。",
        materials=(
            m("id_card", "居民身份证（未成年人提供户口簿）"),
            m("application_form", "城乡居民基本医疗保险参保登记表", form="electronic"),
        ),
        fields=(*PERSON_FIELDS,
                pick("category", "人员类别",
                     ("成年居民", "未成年人", "在校学生", "低保对象", "残疾人",
                      "60周岁以上老年人"))),
        depth=4,
    ),
    Spec(
        "YBJ", 3, "城乡居民基本医疗保险参保信息变更", PUBLIC_SERVICE, PERSON, ("yibao",), (1, 0),
        bases=(RESIDENT_MEDICAL_INSURANCE, law(MEDICAL_SERVICES_LIST, "附件第一项")),
        conditions="已在本区参加城乡居民基本医疗保险，联系方式、居住地址、人员类别等信息发生变化。",
        materials=(m("id_card"), m("change_proof", necessity=OPTIONAL, notes="变更人员类别的提供")),
        fields=(*PERSON_FIELDS,
                pick("change_item", "变更事项", ("联系电话", "居住地址", "人员类别", "姓名")),
                text("new_value", "变更后内容", 200)),
        depth=4,
    ),
    Spec(
        "YBJ", 4, "基本医疗保险关系转移接续", PUBLIC_SERVICE, PERSON, ("yibao", "jiuye"), (15, 5),
        bases=(
            law(SOCIAL_INSURANCE_LAW, "第三十二条",
                "个人跨统筹地区就业的，其基本医疗保险关系随本人转移，缴费年限累计计算。"),
            law("流动就业人员基本医疗保障关系转移接续暂行办法", "第六条"),
        ),
        conditions="参保人员跨统筹地区流动就业或变更参保地，已在转入地参保。",
        materials=(m("id_card"), m("insurance_record")),
        fields=(*PERSON_FIELDS, text("from_region", "转出地", 100)),
        depth=4,
    ),
    Spec(
        "YBJ", 5, "异地就医备案", PUBLIC_SERVICE, PERSON, ("yibao",), (1, 0),
        bases=(
            CROSS_REGION_SETTLEMENT,
            law("国家医疗保障局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知"
                "（医保发〔2022〕22号）", "第二部分"),
        ),
        conditions="本区参保人员因异地长期居住、常驻异地工作、异地转诊就医或临时外出就医，需要在就医"
        "地直接结算医疗费用。",
        materials=(
            m("id_card"),
            m("commitment_letter", "个人承诺书", necessity=OPTIONAL, notes="异地长期居住人员提供"),
        ),
        fields=(*PERSON_FIELDS,
                pick("filing_type", "备案类型",
                     ("异地长期居住", "常驻异地工作", "异地转诊", "临时外出就医")),
                text("destination", "就医地", 100), day("start_on", "备案开始日期")),
        depth=4,
    ),
    Spec(
        "YBJ", 6, "门诊慢特病待遇认定", CONFIRMATION, PERSON, ("yibao",), (20, 10),
        bases=(
            law(SOCIAL_INSURANCE_LAW, "第二十八条",
                "符合基本医疗保险药品目录、诊疗项目、医疗服务设施标准以及急诊、抢救的医疗费用，按照"
                "国家规定从基本医疗保险基金中支付。"),
            law(MEDICAL_SERVICES_LIST, "附件第六项"),
        ),
        conditions="本区参保人员经二级及以上定点医疗机构确诊患有门诊慢特病病种目录内的疾病。",
        materials=(
            m("application_form", "门诊慢特病待遇认定申请表"),
            m("id_card"),
            m("medical_records", "近一年相关病历、检查检验报告及诊断证明"),
        ),
        fields=(*PERSON_FIELDS,
                pick("disease", "申请病种",
                     ("高血压（有并发症）", "糖尿病", "慢性肾功能衰竭（透析）",
                      "恶性肿瘤门诊放化疗",
                      "精神分裂症", "器官移植术后抗排异治疗", "其他")),
                text("hospital", "确诊医疗机构", 100)),
        special=(("expert_review", 10),),
    ),
    Spec(
        "YBJ", 7, "零星医疗费用报销", BENEFIT, PERSON, ("yibao",), (20, 10),
        bases=(CROSS_REGION_SETTLEMENT, law(MEDICAL_SERVICES_LIST, "附件第八项")),
        conditions="本区参保人员因特殊原因未能直接结算的、符合医保支付范围的医疗费用，自出院（就诊）"
        "之日起一年内申请。",
        materials=(
            m("id_card"),
            m("hospital_bills"),
            m("medical_records", "出院小结或诊断证明"),
            m("bank_account", necessity=TOLERABLE, notes="可在拨付前补齐"),
        ),
        fields=(*PERSON_FIELDS, num("amount", "申报金额（元）", 0.01),
                day("treated_on", "就诊（出院）日期"), text("hospital", "就诊医疗机构", 100)),
        visits=0,
        delivery=("post", "electronic"),
    ),
    Spec(
        "YBJ", 8, "单位参加基本医疗保险登记", PUBLIC_SERVICE, ORGANISATION, ("kaiban",), (1, 0),
        bases=(EMPLOYER_REGISTRATION,),
        conditions="在本区登记注册的用人单位，自成立之日起30日内为职工办理基本医疗保险参保登记。",
        materials=(
            m("business_licence"),
            m("application_form", "单位参保登记表", form="electronic"),
        ),
        fields=(*ORG_FIELDS, num("insured_staff", "参保职工人数", 0, 100000)),
        depth=4,
    ),
    Spec(
        "YBJ", 9, "单位医疗保险登记信息变更", PUBLIC_SERVICE, ORGANISATION, ("biangeng",), (1, 0),
        bases=(EMPLOYER_CHANGE,),
        conditions="用人单位名称、住所、法定代表人、银行账户等医疗保险登记信息发生变更。",
        materials=(
            m("business_licence", "变更后的营业执照"),
            m("change_proof"),
            m("application_form", "单位医疗保险信息变更表", form="electronic"),
        ),
        fields=(*ORG_FIELDS, pick("change_item", "变更事项", ORG_CHANGES),
                text("new_value", "变更后内容", 200)),
        depth=4,
    ),
    Spec(
        "YBJ", 10, "退休人员基本医疗保险待遇核定", CONFIRMATION, PERSON, ("yanglao", "yibao"),
        (20, 5),
        bases=(
            law(SOCIAL_INSURANCE_LAW, "第二十七条",
                "参加职工基本医疗保险的个人，达到法定退休年龄时累计缴费达到国家规定年限的，退休后不"
                "再缴纳基本医疗保险费，按照国家规定享受基本医疗保险待遇。"),
        ),
        conditions="参加职工基本医疗保险、已办理退休手续，累计缴费年限达到本市规定年限；不足年限的"
        "可按规定一次性补缴。",
        materials=(
            m("id_card"),
            m("approval_document", "职工退休审批表（人社部门共享）"),
        ),
        fields=(*PERSON_FIELDS, day("retired_on", "退休日期"),
                num("contribution_years", "累计缴费年限", 0, 60)),
        level="district",
    ),
)  # fmt: skip

MARKET_REGULATION = (
    Spec(
        "SCJ", 1, "公司设立登记", LICENSING, ORGANISATION, ("kaiban",), (3, 1),
        bases=(
            law("中华人民共和国公司法", "第二十九条",
                "设立公司，应当依法向公司登记机关申请设立登记。"),
            REGISTRATION_ON_THE_SPOT,
        ),
        conditions="有符合规定的公司名称、住所、注册资本、公司章程和组织机构，股东符合法定人数；"
        "经营范围涉及前置许可的已取得许可。",
        materials=(
            m("application_form", "公司登记（备案）申请书", form="electronic"),
            m("articles"),
            m("id_card", "全体股东主体资格证明或自然人身份证件"),
            m("legal_rep_id", "法定代表人、董事、监事和经理的任职文件及身份证明"),
            m("premises_proof", "住所使用相关文件"),
        ),
        fields=(text("company_name", "拟设公司名称", 100),
                pick("company_type", "公司类型",
                     ("有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）",
                      "股份有限公司")),
                num("registered_capital", "注册资本（万元）", 0, 10000000), LEGAL_REP,
                text("registered_address", "住所", 200),
                text("business_scope", "经营范围", 1000), PHONE),
        depth=4,
        extension=3,
    ),
    Spec(
        "SCJ", 2, "公司名称变更登记", LICENSING, ORGANISATION, ("biangeng",), (3, 1),
        bases=(
            REGISTRATION_CHANGE,
            law("中华人民共和国公司法", "第三十四条",
                "公司登记事项发生变更的，应当依法办理变更登记。"),
        ),
        conditions="已通过企业名称自主申报取得拟变更的名称，股东会已作出变更名称的决议并修改章程，"
        "自决议之日起30日内申请。",
        materials=(
            m("application_form", "公司变更登记（备案）申请书", form="electronic"),
            m("shareholder_resolution", "股东会关于变更公司名称的决议"),
            m("articles", "修改后的公司章程或章程修正案"),
            m("business_licence", "营业执照正、副本", notes="领取新照时交回原照"),
        ),
        fields=(text("company_name", "原公司名称", 100),
                text("new_name", "变更后公司名称", 100), USCC, LEGAL_REP, PHONE,
                day("resolved_on", "股东会决议日期")),
        depth=4,
        extension=3,
    ),
    Spec(
        "SCJ", 3, "公司注销登记", LICENSING, ORGANISATION, ("biangeng",), (3, 1),
        bases=(
            law(MARKET_REGISTRATION, "第三十一条",
                "市场主体因解散、被宣告破产或者其他法定事由需要终止的，应当依法向登记机关申请注销"
                "登记。经依法清算的，清算组应当自清算结束之日起30日内向登记机关申请注销登记。"),
            law("中华人民共和国公司法", "第二百三十九条",
                "公司清算结束后，清算组应当制作清算报告，报股东会或者人民法院确认，并报送公司登记"
                "机关，申请注销公司登记。"),
        ),
        conditions="公司已依法解散并完成清算，清算组已公告且债权人申报期满，已完成清税。",
        materials=(
            m("application_form", "公司注销登记申请书", form="electronic"),
            m("liquidation_report", "经股东会确认的清算报告"),
            m("tax_clearance"),
            m("business_licence", "营业执照正、副本"),
        ),
        fields=(*ORG_FIELDS, day("dissolved_on", "解散日期"),
                text("liquidator", "清算组负责人", 50)),
        depth=4,
        extension=3,
    ),
    Spec(
        "SCJ", 4, "个体工商户设立登记", LICENSING, PERSON, ("kaiban",), (3, 0),
        bases=(
            law("促进个体工商户发展条例", "第二条",
                "有经营能力的公民在中华人民共和国境内从事工商业经营，依照《中华人民共和国市场主体登记"
                "管理条例》办理登记的，为个体工商户。"),
            REGISTRATION_ON_THE_SPOT,
        ),
        conditions="有经营能力的公民，有固定的经营场所，经营范围不属于禁止个人经营的项目（涉及许可的"
        "另行取得许可）。",
        materials=(
            m("id_card", "经营者居民身份证"),
            m("application_form", "个体工商户登记（备案）申请书", form="electronic"),
            m("premises_proof", "经营场所使用证明"),
        ),
        fields=(text("applicant_name", "经营者姓名", 50), ID_NUMBER, PHONE,
                text("shop_name", "个体工商户名称", 100, required=False), PREMISES,
                text("business_scope", "经营范围", 500), num("funds", "资金数额（万元）")),
        depth=4,
    ),
    Spec(
        "SCJ", 5, "个体工商户变更登记", LICENSING, PERSON, ("biangeng",), (3, 0),
        bases=(REGISTRATION_CHANGE,),
        conditions="个体工商户名称、经营场所、经营范围、经营者等登记事项发生变化，自变化之日起30日内"
        "申请。",
        materials=(
            m("id_card", "经营者居民身份证"),
            m("application_form", "个体工商户变更登记（备案）申请书", form="electronic"),
            m("business_licence"),
            m("premises_proof", necessity=OPTIONAL, notes="变更经营场所的提供"),
        ),
        fields=(text("applicant_name", "经营者姓名", 50), ID_NUMBER, PHONE, USCC,
                pick("change_item", "变更事项",
                     ("名称", "经营场所", "经营范围", "经营者", "组成形式"))),
        depth=4,
    ),
    Spec(
        "SCJ", 6, "食品经营许可证核发", LICENSING, BOTH, ("kaiban", "jingying"), (10, 5),
        bases=(FOOD_LICENSING, law(FOOD_LICENCE_RULES, "第十一条")),
        conditions="具有与经营的食品品种、数量相适应的经营场所和设施设备，有食品安全管理人员和管理"
        "制度，设备布局和工艺流程合理；仅销售预包装食品的改为备案。",
        materials=(
            m("application_form", "食品经营许可申请书"),
            m("business_licence", "营业执照或其他主体资格证明文件"),
            m("legal_rep_id"),
            m("premises_proof"),
            m("floor_plan", "经营场所平面图和设备布局、工艺流程图"),
            m("equipment_list"),
            m("rules", "食品安全管理制度目录及食品安全管理人员名单"),
            m("health_cert", necessity=TOLERABLE, notes="可在现场核查前补齐"),
        ),
        fields=(text("company_name", "经营者名称", 100), USCC, LEGAL_REP, PHONE, PREMISES,
                FLOOR_AREA,
                pick("operator_type", "主体业态",
                     ("食品销售经营者", "餐饮服务经营者", "单位食堂"))),
        special=(("inspection", 5),),
    ),
    Spec(
        "SCJ", 7, "食品经营许可证变更", LICENSING, BOTH, ("biangeng", "jingying"), (10, 2),
        bases=(FOOD_LICENSING, law(FOOD_LICENCE_RULES, "第三十三条")),
        conditions="许可证载明的经营者名称、法定代表人（负责人）等事项发生变化，经营场所和主体业态未"
        "改变（经营场所改变的应重新申请许可）。",
        materials=(
            m("application_form", "食品经营许可变更申请书", form="electronic"),
            m("food_licence"),
            m("business_licence", "变更后的营业执照"),
        ),
        fields=(text("company_name", "变更后经营者名称", 100), USCC,
                text("licence_no", "许可证编号", 20), PHONE,
                pick("change_item", "变更事项",
                     ("经营者名称", "法定代表人（负责人）", "住所", "经营项目（不涉及现场核查）"))),
        depth=4,
    ),
    Spec(
        "SCJ", 8, "药品零售企业经营许可", LICENSING, ORGANISATION, ("kaiban", "jingying"), (30, 15),
        bases=(
            law("中华人民共和国药品管理法", "第五十一条",
                "从事药品零售活动，应当经所在地县级以上地方人民政府药品监督管理部门批准，取得药品"
                "经营许可证。无药品经营许可证的，不得经营药品。"),
            law("中华人民共和国药品管理法", "第五十二条"),
        ),
        conditions="有依法经过资格认定的药师或其他药学技术人员，有与所经营药品相适应的营业场所、设备、"
        "仓储设施和卫生环境，有保证药品质量的规章制度。",
        materials=(
            m("application_form", "药品经营许可证申请表"),
            m("business_licence"),
            m("premises_proof"),
            m("floor_plan", "营业场所、仓库平面布置图"),
            m("staff_roster", "执业药师注册证及质量负责人资质证明"),
            m("equipment_list", "主要设施设备目录"),
            m("rules", "药品质量管理文件目录", necessity=TOLERABLE, notes="可在现场检查前补齐"),
        ),
        fields=(*ORG_FIELDS, PREMISES, FLOOR_AREA,
                pick("scope", "经营范围",
                     ("中药饮片", "中成药", "化学药", "生物制品（除疫苗）", "第二类精神药品"))),
        special=(("inspection", 10),),
    ),
    Spec(
        "SCJ", 9, "第二类医疗器械经营备案", OTHER_POWER, ORGANISATION, ("jingying",), (5, 0),
        bases=(
            law("医疗器械监督管理条例", "第四十一条",
                "从事第二类医疗器械经营的，由经营企业向所在地设区的市级人民政府负责药品监督管理的"
                "部门备案。"),
        ),
        conditions="有与经营规模和范围相适应的经营场所和贮存条件，以及相适应的质量管理制度和质量管理"
        "机构或人员。",
        materials=(
            m("application_form", "第二类医疗器械经营备案表", form="electronic"),
            m("business_licence"),
            m("premises_proof"),
            m("staff_roster", "质量管理人员身份证明及学历或职称证明"),
            m("rules", "经营质量管理制度目录"),
        ),
        fields=(*ORG_FIELDS, PREMISES, text("scope", "经营范围（分类编码）", 500)),
        depth=4,
    ),
    Spec(
        "SCJ", 10, "特种设备使用登记", LICENSING, ORGANISATION, ("jingying",), (15, 5),
        bases=(
            law("中华人民共和国特种设备安全法", "第三十三条",
                "特种设备使用单位应当在特种设备投入使用前或者投入使用后三十日内，向负责特种设备安全"
                "监督管理的部门办理使用登记，取得使用登记证书。"),
        ),
        conditions="特种设备已经安装（监督）检验合格，使用单位在投入使用前或投入使用后30日内申请。",
        materials=(
            m("application_form", "特种设备使用登记表"),
            m("equipment_certificate"),
            m("business_licence"),
            m("staff_roster", "作业人员资格证明", necessity=OPTIONAL),
        ),
        fields=(*ORG_FIELDS,
                pick("equipment_type", "设备种类",
                     ("电梯", "锅炉", "压力容器", "起重机械", "场（厂）内专用机动车辆")),
                text("device_code", "设备代码", 30), text("location", "使用地点", 200)),
    ),
)  # fmt: skip

HOUSING = (
    Spec(
        "ZJJ", 1, "建筑工程施工许可证核发", LICENSING, ORGANISATION, ("gongcheng",), (7, 3),
        bases=(
            law("中华人民共和国建筑法", "第七条",
                "建筑工程开工前，建设单位应当按照国家有关规定向工程所在地县级以上人民政府建设行政"
                "主管部门申请领取施工许可证。"),
            CONSTRUCTION_PERMIT,
        ),
        conditions="工程投资额30万元以上或建筑面积300平方米以上的建筑工程，已办理用地批准手续和建设"
        "工程规划许可证，已确定施工企业，资金和施工图纸、质量安全措施已落实。",
        materials=(
            m("application_form", "建筑工程施工许可申请表"),
            m("land_cert", "用地批准手续（不动产权证书）"),
            m("planning_permit"),
            m("construction_contract"),
            m("drawing_review"),
            m("commitment_letter", "建设资金已落实承诺书"),
        ),
        fields=(text("company_name", "建设单位", 100), USCC, PHONE, PROJECT, SITE, FLOOR_SPACE,
                num("contract_price", "合同价格（万元）"), day("start_on", "计划开工日期")),
        delivery=("window", "post", "electronic"),
    ),
    Spec(
        "ZJJ", 2, "特殊建设工程消防设计审查", LICENSING, ORGANISATION, ("gongcheng",), (15, 7),
        bases=(
            law("中华人民共和国消防法", "第十一条",
                "国务院住房和城乡建设主管部门规定的特殊建设工程，建设单位应当将消防设计文件报送住房"
                "和城乡建设主管部门审查，住房和城乡建设主管部门依法对审查的结果负责。"),
            law("建设工程消防设计审查验收管理暂行规定", "第十五条"),
        ),
        conditions="属于特殊建设工程，消防设计文件符合国家工程建设消防技术标准；采用特殊消防设计的"
        "须经专家评审。",
        materials=(
            m("application_form", "特殊建设工程消防设计审查申请表"),
            m("fire_design"),
            m("business_licence", "建设单位营业执照"),
            m("approval_document", "临时性建筑批准文件", necessity=OPTIONAL,
              notes="依法需批准的临时性建筑提供"),
        ),
        fields=(text("company_name", "建设单位", 100), USCC, PHONE, PROJECT, SITE, FLOOR_SPACE,
                pick("usage", "使用性质",
                     ("人员密集场所", "高层公共建筑", "地下或半地下建筑", "其他"))),
        special=(("expert_review", 10),),
    ),
    Spec(
        "ZJJ", 3, "特殊建设工程消防验收", LICENSING, ORGANISATION, ("gongcheng",), (15, 7),
        bases=(
            law("中华人民共和国消防法", "第十三条",
                "国务院住房和城乡建设主管部门规定应当申请消防验收的建设工程竣工，建设单位应当向住房和"
                "城乡建设主管部门申请消防验收。"),
        ),
        conditions="已取得消防设计审查合格意见，工程竣工并完成消防设施检测，建设单位组织竣工验收"
        "合格。",
        materials=(
            m("application_form", "特殊建设工程消防验收申请表"),
            m("approval_document", "特殊建设工程消防设计审查意见书"),
            m("testing_report", "消防设施检测报告"),
            m("completion_report"),
        ),
        fields=(text("company_name", "建设单位", 100), USCC, PHONE, PROJECT, SITE, FLOOR_SPACE),
        special=(("inspection", 10),),
    ),
    Spec(
        "ZJJ", 4, "房屋建筑和市政基础设施工程竣工验收备案", OTHER_POWER, ORGANISATION,
        ("gongcheng",), (5, 2),
        bases=(
            law("建设工程质量管理条例", "第四十九条",
                "建设单位应当自建设工程竣工验收合格之日起15日内，将建设工程竣工验收报告和规划、公安"
                "消防、环保等部门出具的认可文件或者准许使用文件报建设行政主管部门或者其他有关部门"
                "备案。"),
        ),
        conditions="工程已竣工验收合格，自验收合格之日起15日内申请备案。",
        materials=(
            m("application_form", "工程竣工验收备案表"),
            m("completion_report"),
            m("approval_document", "规划、消防、环保等部门出具的认可文件或准许使用文件"),
            m("commitment_letter", "施工单位签署的工程质量保修书"),
        ),
        fields=(text("company_name", "建设单位", 100), USCC, PHONE, PROJECT, SITE,
                day("completed_on", "竣工验收日期")),
    ),
    Spec(
        "ZJJ", 5, "公共租赁住房保障资格申请", PUBLIC_SERVICE, PERSON, ("zhufang", "jiuzhu"),
        (30, 15),
        bases=(
            law("公共租赁住房管理办法", "第七条",
                "申请公共租赁住房，应当符合以下条件：（一）在本地无住房或者住房面积低于规定标准；"
                "（二）收入、财产低于规定标准；（三）申请人为外来务工人员的，在本地稳定就业达到规定"
                "年限。"),
        ),
        conditions="本区城镇住房、收入困难家庭，新就业无房职工和在本区稳定就业的外来务工人员，无自有"
        "住房或人均住房面积低于规定标准，收入和财产低于规定标准。",
        materials=(
            m("application_form", "公共租赁住房申请表"),
            m("id_card", "申请人及家庭成员居民身份证"),
            m("household_register"),
            m("income_proof"),
            m("consent"),
            m("residence_proof", "现住房情况证明", necessity=TOLERABLE, notes="可在入户调查时补齐"),
            m("marriage_certificate", necessity=OPTIONAL, notes="已婚的提供"),
        ),
        fields=(*PERSON_FIELDS, ADDRESS, num("family_size", "家庭人口", 1, 20),
                num("income_per_person", "家庭人均月收入（元）"),
                num("living_space", "现人均住房面积（平方米）")),
        special=(("inspection", 10), ("publicity", 7)),
    ),
    Spec(
        "ZJJ", 6, "城镇污水排入排水管网许可证核发", LICENSING, ORGANISATION,
        ("jingying", "gongcheng"), (20, 10),
        bases=(
            law("城镇排水与污水处理条例", "第二十一条",
                "从事工业、建筑、餐饮、医疗等活动的企业事业单位、个体工商户向城镇排水设施排放污水的，"
                "应当向城镇排水主管部门申请领取污水排入排水管网许可证。"),
        ),
        conditions="排水户内部排水管网、专用检测井、排放口设置符合规定，预处理设施满足排放标准。",
        materials=(
            m("application_form", "城镇污水排入排水管网许可申请表"),
            m("business_licence"),
            m("drainage_plan"),
            m("testing_report", "排水水质检测报告", necessity=TOLERABLE,
              notes="可在现场踏勘前补齐"),
        ),
        fields=(*ORG_FIELDS, PREMISES, num("daily_discharge", "日排水量（立方米）"),
                pick("discharge_type", "排水户类型",
                     ("餐饮", "医疗", "洗浴", "工业", "建筑施工", "其他"))),
        special=(("inspection", 5),),
    ),
)  # fmt: skip

NATURAL_RESOURCES = (
    Spec(
        "GTJ", 1, "建设用地规划许可证核发", LICENSING, ORGANISATION, ("gongcheng",), (20, 10),
        bases=(
            law(URBAN_PLANNING_LAW, "第三十七条"),
            law(URBAN_PLANNING_LAW, "第三十八条",
                "建设单位在取得建设项目的批准、核准、备案文件和签订国有土地使用权出让合同后，向城市、"
                "县人民政府城乡规划主管部门领取建设用地规划许可证。"),
        ),
        conditions="建设项目已经批准、核准或备案，已签订国有土地使用权出让合同或取得划拨决定书，"
        "符合控制性详细规划。",
        materials=(
            m("application_form", "建设用地规划许可申请表"),
            m("land_contract"),
            m("project_filing"),
            m("site_opinion", necessity=OPTIONAL, notes="以划拨方式供地的提供"),
            m("site_drawing", "标注用地范围的地形图"),
        ),
        fields=(text("company_name", "建设单位", 100), USCC, PHONE, PROJECT, SITE,
                num("land_area", "用地面积（平方米）")),
    ),
    Spec(
        "GTJ", 2, "建设工程规划许可证核发", LICENSING, ORGANISATION, ("gongcheng",), (20, 10),
        bases=(
            law(URBAN_PLANNING_LAW, "第四十条",
                "在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设的，建设单位或者个人"
                "应当向城市、县人民政府城乡规划主管部门或者省、自治区、直辖市人民政府确定的镇人民政府"
                "申请办理建设工程规划许可证。"),
        ),
        conditions="已取得建设用地规划许可证和土地使用证明，建设工程设计方案符合控制性详细规划和规划"
        "条件。",
        materials=(
            m("application_form", "建设工程规划许可申请表"),
            m("land_cert", "使用土地的有关证明文件（不动产权证书）"),
            m("land_planning_permit"),
            m("site_drawing", "建设工程设计方案（总平面图、建筑单体方案）"),
        ),
        fields=(text("company_name", "建设单位", 100), USCC, PHONE, PROJECT, SITE, FLOOR_SPACE,
                num("height", "建筑高度（米）", 0, 500)),
        special=(("publicity", 7),),
    ),
    Spec(
        "GTJ", 3, "乡村建设规划许可证核发", LICENSING, BOTH, ("zhufang", "gongcheng"), (20, 10),
        bases=(
            law(URBAN_PLANNING_LAW, "第四十一条",
                "在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设的，建设单位或者个人应当"
                "向乡、镇人民政府提出申请，由乡、镇人民政府报城市、县人民政府城乡规划主管部门核发乡村"
                "建设规划许可证。"),
        ),
        conditions="在英俊镇乡、村庄规划区内建设，符合乡、村庄规划；占用农用地的已办理农用地转用"
        "审批。",
        materials=(
            m("application_form", "乡村建设规划许可申请表"),
            m("id_card", "申请人身份证明（单位提供营业执照）"),
            m("land_cert", "宅基地或集体建设用地使用证明"),
            m("site_drawing", "建设工程设计方案或农房通用图"),
            m("approval_document", "村民委员会意见", source="other"),
        ),
        fields=(text("applicant_name", "申请人（单位）", 100), PHONE, SITE, FLOOR_SPACE,
                num("storeys", "层数", 1, 3),
                pick("purpose", "建设类型",
                     ("农村村民住宅", "乡村公共设施", "乡村公益事业", "乡镇企业"))),
        special=(("inspection", 5),),
        level="town",
    ),
    Spec(
        "GTJ", 4, "临时建设工程规划许可", LICENSING, BOTH, ("gongcheng",), (20, 10),
        bases=(
            law(URBAN_PLANNING_LAW, "第四十四条",
                "在城市、镇规划区内进行临时建设的，应当经城市、县人民政府城乡规划主管部门批准。临时"
                "建设影响近期建设规划或者控制性详细规划的实施以及交通、市容、安全等的，不得批准。"),
        ),
        conditions="临时建设不影响近期建设规划和控制性详细规划的实施以及交通、市容、安全，使用期限"
        "不超过2年，期满自行拆除。",
        materials=(
            m("application_form", "临时建设工程规划许可申请表"),
            m("land_cert", "土地使用证明或临时用地批准文件"),
            m("site_drawing", "临时建设设计方案及总平面图"),
            m("commitment_letter", "到期自行拆除承诺书"),
        ),
        fields=(text("applicant_name", "申请人（单位）", 100), PHONE, SITE, FLOOR_SPACE,
                num("months", "使用期限（月）", 1, 24)),
    ),
)  # fmt: skip

ENVIRONMENT = (
    Spec(
        "HBJ", 1, "建设项目环境影响报告表审批", LICENSING, ORGANISATION, ("gongcheng",), (30, 15),
        bases=(
            law("中华人民共和国环境影响评价法", "第二十二条",
                "审批部门应当自收到环境影响报告书之日起六十日内，收到环境影响报告表之日起三十日内，"
                "分别作出审批决定并书面通知建设单位。"),
            law("建设项目环境保护管理条例", "第九条"),
        ),
        conditions="按《建设项目环境影响评价分类管理名录》应编制环境影响报告表的本区建设项目，开工"
        "建设前报批。",
        materials=(
            m("application_form", "建设项目环境影响报告表审批申请书"),
            m("eia_report"),
            m("business_licence"),
        ),
        fields=(*ORG_FIELDS, PROJECT, SITE, INVESTMENT, num("env_investment", "环保投资（万元）")),
        special=(("expert_review", 15),),
    ),
    Spec(
        "HBJ", 2, "建设项目环境影响登记表备案", OTHER_POWER, ORGANISATION, ("gongcheng",), (1, 0),
        bases=(
            law("中华人民共和国环境影响评价法", "第十六条",
                "对环境影响很小、不需要进行环境影响评价的，应当填报环境影响登记表。"),
            law("建设项目环境影响登记表备案管理办法", "第三条"),
        ),
        conditions="按分类管理名录应填报环境影响登记表的建设项目，在建成投产前通过网上备案系统填报。",
        materials=(
            m("application_form", "建设项目环境影响登记表", form="electronic"),
            m("business_licence"),
        ),
        fields=(*ORG_FIELDS, PROJECT, SITE, INVESTMENT),
        depth=4,
    ),
    Spec(
        "HBJ", 3, "夜间连续施工作业证明", OTHER_POWER, ORGANISATION, ("gongcheng",), (5, 2),
        bases=(
            law("中华人民共和国噪声污染防治法", "第四十三条",
                "在噪声敏感建筑物集中区域，禁止夜间进行产生噪声的建筑施工作业，但抢修、抢险施工作业，"
                "因生产工艺要求或者其他特殊需要必须连续施工作业的除外。因特殊需要必须连续施工作业的，"
                "应当取得地方人民政府住房和城乡建设、生态环境主管部门或者地方人民政府指定的部门的"
                "证明。"),
        ),
        conditions="因生产工艺要求或其他特殊需要，必须在夜间连续施工作业，已制定降噪措施并在施工现场"
        "附近居民区公告。",
        materials=(
            m("application_form", "夜间连续施工作业申请表", form="electronic"),
            m("approval_document", "生产工艺要求或特殊需要的证明材料", source="applicant"),
            m("noise_plan"),
        ),
        fields=(*ORG_FIELDS, PROJECT, SITE, day("start_on", "开始日期"), day("end_on", "结束日期")),
        depth=4,
    ),
)  # fmt: skip

CULTURE = (
    Spec(
        "WLJ", 1, "娱乐场所经营许可", LICENSING, ORGANISATION, ("kaiban", "jingying"), (20, 10),
        bases=(
            law("娱乐场所管理条例", "第九条",
                "娱乐场所申请从事娱乐场所经营活动，应当向所在地县级人民政府文化主管部门提出申请。"),
            law("娱乐场所管理办法", "第八条"),
        ),
        conditions="场所不在居民楼、博物馆、图书馆和文物保护单位内，营业面积和设施符合规定，投资人和"
        "从业人员无《娱乐场所管理条例》第五条规定的情形。",
        materials=(
            m("application_form", "娱乐经营许可申请表"),
            m("business_licence"),
            m("legal_rep_id", "法定代表人、主要负责人及投资人身份证明和无犯罪记录声明"),
            m("premises_proof"),
            m("floor_plan", "营业场所平面图（标明包厢面积、消防通道）"),
            m("equipment_list", "歌舞娱乐或游艺设备清单", necessity=TOLERABLE,
              notes="可在现场踏勘前补齐"),
        ),
        fields=(*ORG_FIELDS, PREMISES, FLOOR_AREA,
                pick("category", "场所类别", ("歌舞娱乐场所", "游艺娱乐场所")),
                num("rooms", "包厢（包间）数量", 0, 200)),
        parallel=("XFJ", "WJJ", "SCJ"),
        special=(("inspection", 10),),
    ),
    Spec(
        "WLJ", 2, "互联网上网服务营业场所经营许可", LICENSING, ORGANISATION, ("kaiban", "jingying"),
        (20, 10),
        bases=(
            law("互联网上网服务营业场所管理条例", "第十一条",
                "文化行政部门应当自收到申请之日起20个工作日内作出决定；经实地检查并审核合格的，发给"
                "《网络文化经营许可证》。"),
        ),
        conditions="营业场所距中小学校校园出入口最近步行直线距离不少于200米，计算机台数和营业面积"
        "符合本省标准，具备网络和信息安全管理措施。",
        materials=(
            m("application_form", "网络文化经营许可申请表"),
            m("business_licence"),
            m("legal_rep_id"),
            m("premises_proof"),
            m("floor_plan", "营业场所平面图及计算机布局图"),
            m("rules", "网络安全、信息安全管理制度"),
        ),
        fields=(*ORG_FIELDS, PREMISES, FLOOR_AREA, num("computers", "计算机台数", 1, 1000)),
        parallel=("XFJ", "GAJ"),
        special=(("inspection", 5),),
    ),
    Spec(
        "WLJ", 3, "营业性演出许可（文艺表演团体）", LICENSING, ORGANISATION, ("jingying",),
        (20, 10),
        bases=(
            law("营业性演出管理条例", "第六条",
                "文艺表演团体申请从事营业性演出活动，应当有与其业务相适应的专职演员和器材设备，并向县级"
                "人民政府文化主管部门提出申请。"),
        ),
        conditions="有与业务相适应的专职演员和器材设备，演员无禁止从业情形。",
        materials=(
            m("application_form", "营业性演出许可证申请登记表"),
            m("business_licence"),
            m("staff_roster", "专职演员名单及身份证明"),
            m("equipment_list", "演出器材设备清单", necessity=TOLERABLE, notes="可在发证前补齐"),
        ),
        fields=(*ORG_FIELDS, num("performers", "专职演员人数", 1, 1000),
                pick("art_form", "演出类别", ("戏曲", "歌舞", "曲艺", "杂技", "话剧", "综合"))),
    ),
    Spec(
        "WLJ", 4, "出版物零售业务经营许可", LICENSING, BOTH, ("jingying",), (20, 10),
        bases=(
            law("出版管理条例", "第三十七条",
                "从事出版物零售业务的单位和个体工商户，应当经县级人民政府出版行政主管部门审核许可，"
                "取得《出版物经营许可证》。"),
        ),
        conditions="有确定的企业（个体工商户）名称和经营范围，有固定的经营场所，有与出版物零售业务"
        "相适应的设备和从业人员。",
        materials=(
            m("application_form", "出版物经营许可申请表"),
            m("business_licence"),
            m("premises_proof"),
            m("id_card", "经营者或负责人身份证明"),
        ),
        fields=(text("company_name", "经营者名称", 100), USCC, PHONE, PREMISES, FLOOR_AREA),
    ),
)  # fmt: skip

URBAN_MANAGEMENT = (
    Spec(
        "CGJ", 1, "户外牌匾审批", LICENSING, BOTH, ("jingying",), (20, 10),
        bases=(law("长春市牌匾标识设置管理规范（规范性文件）", "第五条"),),
        conditions="在本区临街建筑物上设置门头牌匾、标识，规格、色彩、材质符合城市容貌标准。",
        materials=(
            m("application_form", "户外牌匾设置申请表"),
            m("business_licence"),
            m("ad_design", "牌匾设置效果图及安装位置图"),
            m("premises_proof"),
        ),
        fields=(text("company_name", "申请单位（个人）", 100), PHONE, PREMISES,
                num("sign_area", "牌匾面积（平方米）")),
        special=(("inspection", 5),),
    ),
    Spec(
        "CGJ", 2, "设置大型户外广告及在城市建筑物、设施上张挂宣传品审批", LICENSING, BOTH,
        ("jingying",), (20, 5),
        bases=(
            law("城市市容和环境卫生管理条例", "第十一条",
                "大型户外广告的设置必须征得城市人民政府市容环境卫生行政主管部门同意后，按照有关规定"
                "办理审批手续。"),
            law("城市市容和环境卫生管理条例", "第十七条",
                "单位和个人在城市建筑物、设施上张挂、张贴宣传品等，须经城市人民政府市容环境卫生行政"
                "主管部门或者其他有关部门批准。"),
        ),
        conditions="设置位置符合户外广告设置规划，设施结构安全，内容健康、外型美观。",
        materials=(
            m("application_form", "户外广告设置申请表"),
            m("business_licence", "营业执照或申请人身份证明"),
            m("ad_design", "广告设施设计图、效果图及位置图"),
            m("premises_proof", "设置场地使用权证明"),
            m("testing_report", "结构安全检测报告", necessity=OPTIONAL, notes="大型广告设施提供"),
        ),
        fields=(text("company_name", "申请单位（个人）", 100), PHONE,
                text("project_site", "设置地点", 200), num("area", "设置面积（平方米）"),
                num("months", "设置期限（月）", 1, 36)),
        special=(("inspection", 5),),
    ),
    Spec(
        "CGJ", 3, "城市建筑垃圾处置核准", LICENSING, ORGANISATION, ("gongcheng",), (20, 5),
        bases=(
            law(RETAINED_LICENCES, "附件第101项"),
            law("城市建筑垃圾管理规定", "第七条",
                "处置建筑垃圾的单位，应当向城市人民政府市容环境卫生主管部门提出申请，获得城市建筑"
                "垃圾处置核准后，方可处置。"),
        ),
        conditions="有建筑垃圾分类处置方案和运输、消纳合同，运输车辆具备全密闭运输机械装置及行驶及"
        "装卸记录仪。",
        materials=(
            m("application_form", "城市建筑垃圾处置核准申请表"),
            m("business_licence"),
            m("waste_plan"),
            m("approval_document", "工程施工许可文件"),
        ),
        fields=(*ORG_FIELDS, PROJECT, SITE, num("volume", "预计处置量（立方米）"),
                text("disposal_site", "消纳场所", 200)),
    ),
    Spec(
        "CGJ", 4, "临时占用城市道路审批", LICENSING, BOTH, ("gongcheng",), (20, 5),
        bases=(ROAD_OCCUPATION,),
        conditions="因建设施工、临时堆放物料等特殊情况确需临时占用城市道路，占用期限和面积符合规定，"
        "不影响交通安全。",
        materials=(
            m("application_form", "临时占用城市道路申请表"),
            m("business_licence", "申请单位营业执照或申请人身份证件"),
            m("traffic_plan", "占道施工方案及交通组织方案"),
            m("site_drawing", "占道位置平面图"),
        ),
        fields=(text("company_name", "申请单位（个人）", 100), PHONE,
                text("project_site", "占用地点", 200), num("area", "占用面积（平方米）", 1),
                day("start_on", "开始日期"), num("days", "占用期限（天）", 1, 180)),
        parallel=("GAJ",),
        special=(("inspection", 3),),
    ),
    Spec(
        "CGJ", 5, "挖掘城市道路审批", LICENSING, ORGANISATION, ("gongcheng",), (20, 5),
        bases=(
            law(URBAN_ROADS, "第三十三条",
                "因工程建设需要挖掘城市道路的，应当持城市规划部门批准签发的文件和有关设计文件，到市政"
                "工程行政主管部门和公安交通管理部门办理审批手续，方可按照规定挖掘。"),
        ),
        conditions="因工程建设确需挖掘城市道路，已取得规划批准文件，施工和道路恢复方案可行。",
        materials=(
            m("application_form", "挖掘城市道路申请表"),
            m("planning_permit", "规划部门批准文件"),
            m("traffic_plan", "施工方案、交通组织方案及道路恢复方案"),
            m("site_drawing", "挖掘位置平面图及设计文件"),
        ),
        fields=(*ORG_FIELDS, PROJECT, SITE, num("length", "挖掘长度（米）"),
                day("start_on", "开始日期")),
        parallel=("GAJ",),
    ),
    Spec(
        "CGJ", 6, "砍伐、迁移城市树木审批", LICENSING, BOTH, ("gongcheng",), (20, 10),
        bases=(law("城市绿化条例", "第二十条"),),
        conditions="因城市建设、树木严重影响居住安全或采光通风、树木死亡或存在安全隐患等原因确需砍伐"
        "或迁移（古树名木除外），并承诺按规定补植。",
        materials=(
            m("application_form", "砍伐、迁移城市树木申请表"),
            m("id_card", "申请人身份证明（单位提供营业执照）"),
            m("tree_list"),
            m("commitment_letter", "补植承诺书"),
        ),
        fields=(text("applicant_name", "申请人（单位）", 100), PHONE, SITE,
                num("trees", "树木数量（株）", 1, 1000),
                pick("action", "申请事项", ("砍伐", "迁移"))),
        special=(("inspection", 5),),
    ),
    Spec(
        "CGJ", 7, "从事城市生活垃圾经营性清扫、收集、运输服务审批", LICENSING, ORGANISATION,
        ("jingying",), (20, 10),
        bases=(
            law(RETAINED_LICENCES, "附件第102项"),
            law("城市生活垃圾管理办法", "第十七条",
                "从事城市生活垃圾经营性清扫、收集、运输的企业，应当取得城市生活垃圾经营性清扫、收集、"
                "运输服务许可证。"),
        ),
        conditions="有全密闭的垃圾收集运输车辆和相应的停车场地，有健全的技术、质量、安全和监测管理"
        "制度。",
        materials=(
            m("application_form", "城市生活垃圾经营性服务许可申请表"),
            m("business_licence"),
            m("equipment_list", "垃圾收集运输车辆及设备清单"),
            m("rules", "作业规范及安全管理制度"),
            m("premises_proof", "车辆停放场所证明"),
        ),
        fields=(*ORG_FIELDS, num("vehicles", "运输车辆数", 1, 500),
                text("service_area", "服务区域", 200)),
        special=(("inspection", 5),),
    ),
)  # fmt: skip

PUBLIC_SECURITY = (
    Spec(
        "GAJ", 1, "出生登记", CONFIRMATION, PERSON, ("shengyu", "huji"), (1, 0),
        bases=(
            law("中华人民共和国户口登记条例", "第七条",
                "婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生"
                "登记。"),
        ),
        conditions="新生儿父母一方户籍在本区，凭出生医学证明申报出生登记（随父或随母落户）。",
        materials=(
            m("birth_certificate"),
            m("household_register", "落户方居民户口簿"),
            m("id_card", "父母双方居民身份证"),
            m("marriage_certificate", necessity=OPTIONAL, notes="已办理结婚登记的提供"),
        ),
        fields=(text("baby_name", "新生儿姓名", 50), GENDER, day("birth_date", "出生日期"),
                text("applicant_name", "申报人姓名", 50), ID_NUMBER,
                pick("relation", "申报人与新生儿关系", ("父亲", "母亲", "其他监护人")), PHONE),
        visits_reason="需监护人持出生医学证明原件到户籍窗口核验，当场落户",
        level="district",
        locations=f"新生儿父（母）户籍所在地派出所户籍窗口；{DISTRICT_PLACE}",
    ),
    Spec(
        "GAJ", 2, "居民身份证申领（首次申领、有效期满换领）", CONFIRMATION, PERSON, ("huji",),
        (40, 20),
        bases=(
            law("中华人民共和国居民身份证法", "第八条",
                "居民身份证由居民常住户口所在地的县级人民政府公安机关签发。"),
        ),
        conditions="居住在中华人民共和国境内的年满16周岁的中国公民首次申领，或居民身份证有效期满前3个"
        "月内换领；未满16周岁的可自愿申领。",
        materials=(
            m("household_register"),
            m("photo", "符合标准的数码相片", originals=1, necessity=OPTIONAL,
              notes="现场采集的无需提供"),
            m("id_card", "原居民身份证", copies=0, necessity=OPTIONAL, notes="换领的交回"),
        ),
        fields=(*PERSON_FIELDS, pick("application_type", "申领类型", ("首次申领", "有效期满换领")),
                text("mailing_address", "邮寄地址", 200, required=False)),
        depth=2,
        visits_reason="需本人到场采集人像和指纹信息，证件可邮寄送达",
        fee=(2000, f"《{ID_CARD_FEES}》：居民身份证工本费每证20元。"),
        level="district",
        locations=f"户籍所在地派出所户籍窗口；{DISTRICT_PLACE}",
    ),
    Spec(
        "GAJ", 3, "临时居民身份证申领", CONFIRMATION, PERSON, ("huji",), (3, 0),
        bases=(law("中华人民共和国临时居民身份证管理办法", "第三条"),),
        conditions="正在申领、换领、补领居民身份证期间急需使用居民身份证的公民。",
        materials=(
            m("household_register"),
            m("id_receipt"),
            m("photo", "近期免冠相片", originals=1, necessity=OPTIONAL, notes="现场采集的无需提供"),
        ),
        fields=(*PERSON_FIELDS, text("reason", "急需用证事由", 200)),
        visits_reason="需本人到场核验身份并当场领取临时居民身份证",
        fee=(1000, f"《{ID_CARD_FEES}》：临时居民身份证工本费每证10元。"),
        level="district",
        locations=f"户籍所在地派出所户籍窗口；{DISTRICT_PLACE}",
    ),
    Spec(
        "GAJ", 4, "居住证申领", CONFIRMATION, PERSON, ("huji", "zhufang"), (15, 7),
        bases=(
            law("居住证暂行条例", "第二条",
                "公民离开常住户口所在地，到其他城市居住半年以上，符合有合法稳定就业、合法稳定住所、"
                "连续就读条件之一的，可以依照本条例的规定申领居住证。"),
            law("居住证暂行条例", "第九条"),
        ),
        conditions="离开常住户口所在地到本区居住半年以上，有合法稳定就业、合法稳定住所或连续就读"
        "条件之一。",
        materials=(
            m("id_card"),
            m("photo", "近期一寸免冠彩色照片", originals=1),
            m("residence_proof", "居住地住址证明（房屋租赁合同、房屋产权证明等）"),
            m("employment_proof", "就业或就读证明", necessity=OPTIONAL),
        ),
        fields=(*PERSON_FIELDS, text("address", "居住地址", 200),
                day("resident_since", "来本区居住日期"),
                pick("basis", "申领条件", ("合法稳定就业", "合法稳定住所", "连续就读"))),
    ),
    Spec(
        "GAJ", 5, "无犯罪记录证明开具", PUBLIC_SERVICE, PERSON, ("jiuye",), (3, 0),
        bases=(law("公安机关办理犯罪记录查询工作规定（公通字〔2021〕19号）", "第二条"),),
        conditions="个人因就业、出国（境）、入学等需要，查询本人在中国大陆是否有犯罪记录。",
        materials=(
            m("id_card"),
            m("application_form", "犯罪记录查询申请表", form="electronic"),
            AGENT,
        ),
        fields=(*PERSON_FIELDS,
                pick("purpose", "查询用途", ("就业", "出国（境）", "入学", "资格认定", "其他"))),
        depth=4,
    ),
    Spec(
        "GAJ", 6, "旅馆业特种行业许可证核发", LICENSING, ORGANISATION, ("kaiban", "jingying"),
        (20, 10),
        bases=(
            law("旅馆业治安管理办法", "第四条",
                "申请开办旅馆，应经主管部门审查批准，经当地公安机关签发特种行业许可证。"),
        ),
        conditions="房屋建筑、出入口和通道等符合治安、消防要求，具备必要的防盗安全设施，设有治安保卫"
        "组织或指定安全保卫人员，已安装旅馆业治安管理信息系统。",
        materials=(
            m("application_form", "旅馆业特种行业许可证申请登记表"),
            m("business_licence"),
            m("legal_rep_id"),
            m("premises_proof"),
            m("floor_plan", "旅馆平面示意图（标明客房位置和安全出口）"),
            m("rules", "治安保卫组织和安全管理制度", necessity=TOLERABLE,
              notes="可在现场踏勘前补齐"),
        ),
        fields=(*ORG_FIELDS, PREMISES, num("rooms", "客房数量", 1, 2000),
                num("beds", "床位数", 1, 5000)),
        special=(("inspection", 5),),
    ),
    Spec(
        "GAJ", 7, "公章刻制备案", OTHER_POWER, ORGANISATION, ("kaiban",), (1, 0),
        bases=(
            law("国务院关于第三批取消中央指定地方实施行政许可事项的决定（国发〔2017〕7号）",
                "附件第15项"),
            law("印铸刻字业暂行管理规则", "第五条"),
        ),
        conditions="新设立或需要刻制、更换公章的企业和其他组织，委托已备案的印章刻制企业刻制，由刻制"
        "企业报送备案信息。",
        materials=(
            m("business_licence"),
            m("legal_rep_id"),
            m("application_form", "印章刻制备案信息表", form="electronic"),
        ),
        fields=(*ORG_FIELDS,
                pick("seal_type", "印章种类",
                     ("公章", "财务专用章", "发票专用章", "合同专用章", "法定代表人名章")),
                num("count", "刻制枚数", 1, 10)),
        depth=4,
    ),
)  # fmt: skip

TAXATION = (
    Spec(
        "SWJ", 1, "新办纳税人涉税事项综合办理", OTHER_POWER, ORGANISATION, ("kaiban", "nashui"),
        (1, 0),
        bases=(
            law(TAX_LAW, "第十五条",
                "企业，企业在外地设立的分支机构和从事生产、经营的场所，个体工商户和从事生产、经营的"
                "事业单位，自领取营业执照之日起三十日内，持有关证件，向税务机关申报办理税务登记。"),
        ),
        conditions="已领取营业执照的新设立企业、个体工商户等，首次办理涉税事项时确认登记信息并完成"
        "税费种认定。",
        materials=(
            m("business_licence"),
            m("id_card", "法定代表人（负责人）、财务负责人、办税人员身份证件"),
            m("bank_account", "单位银行账户信息"),
        ),
        fields=(*ORG_FIELDS, text("finance_head", "财务负责人", 50),
                pick("taxpayer_type", "纳税人类型", ("小规模纳税人", "一般纳税人"))),
        depth=4,
    ),
    Spec(
        "SWJ", 2, "变更税务登记", OTHER_POWER, ORGANISATION, ("biangeng", "nashui"), (1, 0),
        bases=(TAX_CHANGE,),
        conditions="纳税人名称、住所、法定代表人等税务登记内容发生变化，自市场主体变更登记之日起30日"
        "内申请。",
        materials=(
            m("business_licence", "变更后的营业执照"),
            m("change_proof"),
            m("application_form", "变更税务登记表", form="electronic"),
        ),
        fields=(*ORG_FIELDS, pick("change_item", "变更事项", ORG_CHANGES),
                text("new_value", "变更后内容", 200)),
        depth=4,
    ),
    Spec(
        "SWJ", 3, "清税申报（注销税务登记）", OTHER_POWER, ORGANISATION, ("biangeng", "nashui"),
        (20, 3),
        bases=(TAX_CHANGE,),
        conditions="纳税人依法终止纳税义务，已结清应纳税款、滞纳金、罚款，已缴销发票和税控设备。",
        materials=(
            m("application_form", "清税申报表", form="electronic"),
            m("approval_document", "股东会决议或上级主管部门批准注销的文件", source="applicant"),
            m("business_licence"),
        ),
        fields=(*ORG_FIELDS, day("terminated_on", "终止日期"),
                pick("reason", "注销原因", ("解散", "破产", "被吊销营业执照", "其他"))),
        depth=4,
    ),
    Spec(
        "SWJ", 4, "发票领用", OTHER_POWER, ORGANISATION, ("kaiban", "nashui"), (1, 0),
        bases=(
            law(INVOICE_RULES, "第十五条",
                "需要领用发票的单位和个人，应当持设立登记证件或者税务登记证件，以及经办人身份证明，"
                "向主管税务机关办理发票领用手续。"),
        ),
        conditions="已完成税务信息确认的纳税人，根据经营需要申请领用发票。",
        materials=(
            m("business_licence"),
            m("id_card", "经办人身份证件"),
            m("application_form", "发票领用申请", form="electronic"),
        ),
        fields=(*ORG_FIELDS,
                pick("invoice_type", "发票种类",
                     ("数电发票（增值税专用发票）", "数电发票（普通发票）", "其他发票"))),
        depth=4,
    ),
    Spec(
        "SWJ", 5, "代开增值税发票", PUBLIC_SERVICE, BOTH, ("nashui",), (1, 0),
        bases=(
            law(INVOICE_RULES, "第十六条",
                "需要临时使用发票的单位和个人，可以凭购销商品、提供或者接受服务以及从事其他经营活动的"
                "书面证明、经办人身份证明，直接向经营地税务机关申请代开发票。"),
        ),
        conditions="小规模纳税人、自然人等发生应税行为需要开具发票且符合代开条件。",
        materials=(
            m("id_card"),
            m("transaction_proof"),
            m("application_form", "代开增值税发票缴纳税款申报单"),
        ),
        fields=(text("applicant_name", "申请人（纳税人）名称", 100),
                text("taxpayer_id", "纳税人识别号或公民身份号码", 20), PHONE,
                num("amount", "开票金额（元）", 0.01), text("goods", "货物或应税服务名称", 100)),
        visits_reason="首次代开须到窗口核验身份及交易证明，以后可通过电子税务局办理",
        delivery=("window", "electronic"),
        level="district",
    ),
)  # fmt: skip

FIRE_RESCUE = (
    Spec(
        "XFJ", 1, "公众聚集场所投入使用、营业前消防安全检查", LICENSING, ORGANISATION,
        ("kaiban", "jingying"), (10, 5),
        bases=(PUBLIC_VENUE_FIRE_CHECK,
               law("公众聚集场所投入使用、营业消防安全检查规则", "第五条")),
        conditions="宾馆、商场、餐饮、娱乐等公众聚集场所，建设工程已通过消防验收或备案，申请人对场所"
        "符合消防技术标准作出承诺。",
        materials=(
            m("application_form", "公众聚集场所投入使用、营业消防安全检查申请表"),
            m("business_licence"),
            m("commitment_letter", "消防安全告知承诺书"),
            m("floor_plan", "场所平面布置图、消防设施平面图"),
            m("rules", "消防安全制度、灭火和应急疏散预案", necessity=TOLERABLE,
              notes="可在现场核查前补齐"),
        ),
        fields=(*ORG_FIELDS, PREMISES, FLOOR_AREA,
                pick("venue_type", "场所类型",
                     ("宾馆饭店", "商场市场", "餐饮场所", "歌舞娱乐场所", "影剧院", "其他"))),
        special=(("inspection", 5),),
    ),
)  # fmt: skip

ITEMS = (
    DEVELOPMENT + HEALTH + EDUCATION + CIVIL_AFFAIRS + HUMAN_RESOURCES + MEDICAL_SECURITY
    + MARKET_REGULATION + HOUSING + NATURAL_RESOURCES + ENVIRONMENT + CULTURE
    + URBAN_MANAGEMENT + PUBLIC_SECURITY + TAXATION + FIRE_RESCUE
)  # fmt: skip


# --- history: earlier versions and a cancelled item -------------------------------------------


class Revision(NamedTuple):
    """The current version replaced an earlier one (`before`: what differed) on `on`."""

    on: dt.date
    note: str
    before: dict


REVISIONS = {
    "220105-SCJ-002": Revision(
        dt.date(2022, 3, 1),
        "依据《中华人民共和国市场主体登记管理条例》（2022年3月1日起施行）修订：设定依据更新；法定"
        "时限调整为3个工作日，承诺时限压缩至1个工作日；实行全程网办，电子营业执照即时发放，纸质"
        "执照免费邮寄，实现零跑动。",
        {
            "bases": (
                law(
                    "中华人民共和国公司登记管理条例",
                    "第二十六条",
                    "公司变更登记事项，应当向原公司登记机关申请变更登记。未经变更登记，公司不得擅自"
                    "改变登记事项。",
                ),
                law("中华人民共和国公司登记管理条例", "第二十七条"),
            ),
            "limits": (15, 3),
            "depth": 3,
            "visits": 2,
            "visits_reason": "提交申请材料原件、领取变更后的营业执照各到窗口一次",
            "delivery": ("window",),
            "extension": 10,
        },
    ),
    "220105-SCJ-006": Revision(
        dt.date(2023, 12, 1),
        "依据《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号，2023年12月1日起施行）"
        "修订：法定时限由20个工作日调整为10个工作日，承诺时限由10个工作日压缩至5个工作日，现场"
        "核查不超过5个工作日；仅销售预包装食品改为备案管理。",
        {
            "bases": (
                law(
                    FOOD_SAFETY_LAW,
                    "第三十五条",
                    "国家对食品生产经营实行许可制度。从事食品生产、食品销售、餐饮服务，应当依法取得"
                    "许可。但是，销售食用农产品，不需要取得许可。",
                ),
                law("食品经营许可管理办法（国家食品药品监督管理总局令第17号）", "第二十条"),
            ),
            "conditions": "具有与经营的食品品种、数量相适应的经营场所和设施设备，有食品安全管理人员"
            "和管理制度，设备布局和工艺流程合理。",
            "limits": (20, 10),
            "special": (("inspection", 10),),
        },
    ),
}


class Cancellation(NamedTuple):
    effective_from: dt.date
    cancelled_at: dt.datetime
    reason: str


CANCELLATIONS = {
    "220105-CGJ-001": Cancellation(
        dt.date(2017, 12, 1),
        dt.datetime(2018, 3, 15, 9, 0, tzinfo=SHANGHAI),
        "户外牌匾设置审批仅由规范性文件设定，无法律、行政法规和地方性法规依据。依据《中华人民共和国"
        "行政许可法》第十四条、第十五条和第十七条，规范性文件不得设定行政许可，该审批事项予以取消，"
        "改为执行牌匾设置技术规范并加强事中事后监管。",
    ),
}


def _versions(spec: Spec) -> list[dict]:
    if spec.code in CANCELLATIONS:
        cancellation = CANCELLATIONS[spec.code]
        return [_version(spec, 1, cancellation.effective_from, cancellation.cancelled_at.date())]
    revision = REVISIONS.get(spec.code)
    if revision is None:
        return [_version(spec, 1, EDITION_FROM, None)]
    earlier = replace(spec, **revision.before)
    return [
        _version(earlier, 1, FIRST_EDITION_FROM, revision.on),
        _version(spec, 2, revision.on, None, revision.note),
    ]


def _item(spec: Spec) -> dict:
    cancellation = CANCELLATIONS.get(spec.code)
    return {
        "code": spec.code,
        "status": "cancelled" if cancellation else "active",
        "cancelled_at": cancellation.cancelled_at.isoformat() if cancellation else None,
        "cancel_reason": cancellation.reason if cancellation else "",
        "themes": sorted(spec.themes),
        "versions": _versions(spec),
    }


# --- centers and bundles ------------------------------------------------------------------------


def _center(center: Center, items: list[str]) -> dict:
    return {**center._asdict(), "items": sorted(items)}


def _handles(center: Center, spec: Spec) -> bool:
    """The district center handles every item; streets the person-facing ones near home."""
    if center.level == "district":
        return True
    return spec.handled_at == "street" or (spec.handled_at == "town" and center.code == TOWN)


def _centers() -> list[dict]:
    active = [s for s in ITEMS if s.code not in CANCELLATIONS]
    return [_center(c, [s.code for s in active if _handles(c, s)]) for c in (DISTRICT, *STREETS)]


BUNDLES = (
    (
        "220105-YJS-001",
        "老年人优待证和新生儿医保参保一次办",
        "老人在街道（社区）为本人办理老年人优待证，同时为刚出生的孙辈办理城乡居民医保参保登记。"
        "两项均为即办件，在街道（镇）公共服务中心一个窗口当场办结：东盛街道万通社区的张大娘用11分钟"
        "办完，过去要跑社区、街道和区里，至少15天。",
        ("yanglao", "yibao"),
        ("220105-MZJ-001", "220105-YBJ-001"),
    ),
    (
        "220105-YJS-002",
        "企业名称变更一件事",
        "企业更名后，营业执照、食品经营许可证、税务登记和社保、医保登记信息一次申请、同步变更。",
        ("biangeng",),
        ("220105-SCJ-002", "220105-SCJ-007", "220105-SWJ-002", "220105-RSJ-009", "220105-YBJ-009"),
    ),
    (
        "220105-YJS-003",
        "新生儿出生一件事",
        "新生儿出生医学证明、户口登记、城乡居民医保参保和社会保障卡申领一次办理。",
        ("shengyu",),
        ("220105-WJJ-007", "220105-GAJ-001", "220105-YBJ-001", "220105-RSJ-007"),
    ),
    (
        "220105-YJS-004",
        "开办企业一件事",
        "公司设立登记、公章刻制、新办纳税人涉税事项、发票领用和社保、医保单位登记一次申请，"
        "一个工作日内办结。",
        ("kaiban",),
        (
            "220105-SCJ-001",
            "220105-GAJ-007",
            "220105-SWJ-001",
            "220105-SWJ-004",
            "220105-RSJ-008",
            "220105-YBJ-008",
        ),
    ),
    (
        "220105-YJS-005",
        "退休一件事",
        "职工退休时，基本养老金申领与退休人员医保待遇核定一次申请、并联办理。",
        ("yanglao",),
        ("220105-RSJ-006", "220105-YBJ-010"),
    ),
    (
        "220105-YJS-006",
        "残疾人服务一件事",
        "困难残疾人生活补贴和重度残疾人护理补贴、城乡居民医保参保（个人缴费由政府资助）和最低生活"
        "保障一次申请。",
        ("canji", "jiuzhu"),
        ("220105-MZJ-009", "220105-YBJ-002", "220105-MZJ-006"),
    ),
    (
        "220105-YJS-007",
        "开办歌舞娱乐场所一件事",
        "娱乐经营许可、公共场所卫生许可和公众聚集场所消防安全检查一次申请，消防、卫健、市场监管"
        "并联审查。",
        ("kaiban", "jingying"),
        ("220105-WLJ-001", "220105-WJJ-001", "220105-XFJ-001"),
    ),
)


def _bundle(code: str, name: str, description: str, themes, items) -> dict:
    return {
        "code": code,
        "name": name,
        "description": description,
        "themes": sorted(themes),
        "is_active": True,
        "items": list(items),
    }


# --- the whole catalog ----------------------------------------------------------------------


def demo_catalog() -> dict:
    """The demo catalog in the exchange format, each list in export order."""
    catalog = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "departments": sorted(
            (
                {"code": d.code, "name": d.name, "is_regulator": d.is_regulator, "sort_order": n}
                for n, d in enumerate(DEPARTMENTS, start=1)
            ),
            key=lambda d: d["code"],
        ),
        "themes": sorted(
            (
                {"code": code, "name": name, "sort_order": n}
                for n, (code, name) in enumerate(THEMES, start=1)
            ),
            key=lambda t: t["code"],
        ),
        "material_kinds": [
            {"code": code, "name": k.name, "is_licence": k.is_licence}
            for code, k in sorted(KINDS.items())
        ],
        "centers": sorted(_centers(), key=lambda c: c["code"]),
        "items": sorted((_item(spec) for spec in ITEMS), key=lambda i: i["code"]),
        "bundles": [_bundle(*bundle) for bundle in BUNDLES],
    }
    return copy.deepcopy(catalog)  # the specs share their parts; callers may change the result
