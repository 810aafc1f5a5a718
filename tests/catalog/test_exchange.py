"""Catalog export and import: JSON and XLSX round trips, and files refused whole."""

import copy
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from yimen.catalog import services
from yimen.catalog.exchange import (
    CatalogImportError,
    dump_json,
    export_catalog,
    import_catalog,
    read_json,
    read_xlsx,
    write_xlsx,
)
from yimen.catalog.models import (
    Bundle,
    BundleItem,
    Department,
    FormField,
    HandlingType,
    ItemType,
    ItemVersion,
    LegalBasis,
    MaterialKind,
    MaterialSpec,
    Role,
    ServiceCenter,
    ServiceItem,
    StageKind,
    StageSpec,
    SubjectType,
    Theme,
    VersionStatus,
)

pytestmark = pytest.mark.django_db

ELDER_CARD = "220105-MZ-001"
PENSION = "220105-RS-001"
FOOD_LICENCE = "220105-SC-001"
OLD_ITEM = "220105-MZ-009"


def add_parts(version: ItemVersion, *, kinds: list[str], review_days: int) -> None:
    LegalBasis.objects.create(
        version=version, order=1, law="中华人民共和国老年人权益保障法", article="第五十七条"
    )
    for order, code in enumerate(kinds, start=1):
        MaterialSpec.objects.create(
            version=version,
            order=order,
            kind=MaterialKind.objects.get(code=code),
            name=MaterialKind.objects.get(code=code).name,
            form=MaterialSpec.Form.BOTH,
            originals=1,
            copies=order,
            source=MaterialSpec.Source.APPLICANT,
            necessity=MaterialSpec.Necessity.REQUIRED,
            blank_form="catalog/forms/申请表.docx" if order == 1 else "",
            notes="复印件须清晰",
        )
    StageSpec.objects.create(
        version=version, order=1, kind=StageKind.ACCEPT, name="受理", role=Role.CLERK
    )
    StageSpec.objects.create(
        version=version,
        order=2,
        kind=StageKind.DECISION,
        name="决定",
        role=Role.APPROVER,
        share_days=review_days,
    )


def version_fields(**overrides) -> dict:
    fields = {
        "name": "老年人优待证办理",
        "item_type": ItemType.PUBLIC_SERVICE,
        "subject_type": SubjectType.PERSON,
        "lead_department": Department.objects.get(code="MZJ"),
        "acceptance_conditions": "年满60周岁的本区户籍老年人。",
        "handling_type": HandlingType.INSTANT,
        "legal_limit_days": 5,
        "committed_limit_days": 0,
        "visits_required": 1,
        "visits_reason": "核验身份证原件",
        "delivery_modes": ["window"],
        "handling_locations": "二道区政务服务中心一楼综合窗口",
        "consult_phone": "0431-84600000",
        "complaint_phone": "0431-84600001",
    }
    return fields | overrides


def new_item(code: str, *, kinds=("id_card",), review_days=0, **overrides) -> ItemVersion:
    version = services.item_create(code=code, **version_fields(**overrides))
    add_parts(version, kinds=list(kinds), review_days=review_days)
    return version


def publish(version: ItemVersion, on: str) -> ItemVersion:
    services.version_publish(
        version=version,
        actor="catalog-admin",
        effective_from=dt.date.fromisoformat(on),
        change_note="首次发布" if version.number == 1 else "压缩时限",
    )
    version.refresh_from_db()
    return version


@pytest.fixture
def catalog() -> None:
    """A small catalog that uses every part of the format."""
    reference_data()
    elder_card()
    pension_with_a_draft()
    food_licence()
    old = publish(new_item(OLD_ITEM, name="独生子女父母光荣证办理"), "2023-01-01")
    services.item_cancel(item=old.item, reason="上级取消该事项", actor="catalog-admin")
    centers_and_bundle()


def reference_data() -> None:
    for order, (code, name) in enumerate(
        [("MZJ", "区民政局"), ("RSJ", "区人社局"), ("WJJ", "区卫健局"), ("SCJ", "区市场监管局")],
        start=1,
    ):
        Department.objects.create(
            code=code, name=name, sort_order=order, is_regulator=code == "SCJ"
        )
    Theme.objects.create(code="yanglao", name="养老", sort_order=1)
    Theme.objects.create(code="kaiban", name="开办企业", sort_order=2)
    MaterialKind.objects.create(code="id_card", name="居民身份证")
    MaterialKind.objects.create(code="hukou", name="居民户口簿")
    MaterialKind.objects.create(code="business_licence", name="营业执照", is_licence=True)


def elder_card() -> None:
    """Two versions, the first retired; form fields with decimals and choices."""
    elder = new_item(ELDER_CARD, kinds=("id_card", "hukou"))
    FormField.objects.create(
        version=elder,
        order=1,
        key="age",
        label="年龄",
        field_type=FormField.FieldType.NUMBER,
        min_value=Decimal("60.00"),
        max_value=Decimal("150.50"),
    )
    FormField.objects.create(
        version=elder,
        order=2,
        key="kind",
        label="证件类别",
        field_type="choice",
        choices=["优待证", "高龄津贴"],
        required=False,
        help_text="请选择",
    )
    publish(elder, "2024-01-01")
    revision = services.item_revise(item=elder.item)
    services.draft_update(version=revision, legal_limit_days=3, visits_reason="核验原件并拍照")
    publish(revision, "2025-01-01")
    elder.item.themes.add(Theme.objects.get(code="yanglao"))


def pension_with_a_draft() -> None:
    pension = publish(
        new_item(
            PENSION,
            name="城乡居民养老保险参保登记",
            lead_department=Department.objects.get(code="RSJ"),
        ),
        "2024-03-01",
    )
    draft = services.item_revise(item=pension.item)
    services.draft_update(version=draft, name="城乡居民基本养老保险参保登记")


def food_licence() -> None:
    """A committed item reviewed by several departments, with a special procedure."""
    food = new_item(
        FOOD_LICENCE,
        kinds=("business_licence", "id_card"),
        review_days=8,
        name="食品经营许可证核发",
        item_type=ItemType.LICENSING,
        subject_type=SubjectType.ORGANISATION,
        lead_department=Department.objects.get(code="SCJ"),
        handling_type=HandlingType.COMMITTED,
        legal_limit_days=20,
        committed_limit_days=10,
        fee_fen=0,
        online_depth=4,
        visits_required=0,
        visits_reason="",
        delivery_modes=["electronic", "post"],
        co_departments=[Department.objects.get(code="WJJ")],
    )
    inspection = StageSpec.objects.create(
        version=food,
        order=3,
        kind=StageKind.INSPECTION,
        name="现场核查",
        role=Role.INSPECTOR,
        department=Department.objects.get(code="SCJ"),
        stops_clock=True,
        max_days=10,
    )
    inspection.parallel_departments.set(Department.objects.filter(code__in=["WJJ", "MZJ"]))
    publish(food, "2024-06-01")


def centers_and_bundle() -> None:
    district = ServiceCenter.objects.create(
        code="QZX",
        name="二道区政务服务中心",
        level="district",
        address="远达大街",
        hours="工作日 9:00-17:00",
        phone="0431-84600000",
    )
    district.items.set(ServiceItem.objects.exclude(code=OLD_ITEM))
    street = ServiceCenter.objects.create(
        code="DS01",
        name="东盛街道公共服务中心",
        level="street",
        address="东盛大街",
        hours="工作日 8:30-16:30",
    )
    street.items.set(ServiceItem.objects.filter(code=ELDER_CARD))
    bundle = Bundle.objects.create(
        code="ylyjs", name="老年人养老一件事", description="老年证和养老保险一起办"
    )
    bundle.themes.add(Theme.objects.get(code="yanglao"))
    BundleItem.objects.create(bundle=bundle, item=ServiceItem.objects.get(code=PENSION), order=1)
    BundleItem.objects.create(bundle=bundle, item=ServiceItem.objects.get(code=ELDER_CARD), order=2)


def empty_catalog() -> None:
    for model in (
        BundleItem,
        Bundle,
        ServiceCenter,
        StageSpec,
        MaterialSpec,
        FormField,
        LegalBasis,
        ItemVersion,
        ServiceItem,
        MaterialKind,
        Theme,
        Department,
    ):
        model.objects.all().delete()


def record_counts() -> dict[str, int]:
    models = (
        Department,
        Theme,
        MaterialKind,
        ServiceCenter,
        ServiceItem,
        ItemVersion,
        LegalBasis,
        FormField,
        MaterialSpec,
        StageSpec,
        Bundle,
        BundleItem,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_the_export_covers_the_catalog_in_a_fixed_order(catalog):
    data = export_catalog()
    assert list(data) == [
        "format",
        "format_version",
        "departments",
        "themes",
        "material_kinds",
        "centers",
        "items",
        "bundles",
    ]
    assert [i["code"] for i in data["items"]] == [ELDER_CARD, OLD_ITEM, PENSION, FOOD_LICENCE]
    elder = data["items"][0]
    assert [(v["number"], v["status"]) for v in elder["versions"]] == [
        (1, "retired"),
        (2, "published"),
    ]
    assert elder["versions"][0]["effective_until"] == "2025-01-01"
    age = elder["versions"][1]["form_fields"][0]
    assert (age["min_value"], age["max_value"]) == ("60.00", "150.50")
    food_stages = data["items"][3]["versions"][0]["stages"]
    assert food_stages[2]["parallel_departments"] == ["MZJ", "WJJ"]
    old = data["items"][1]
    assert old["status"] == "cancelled" and old["cancel_reason"] == "上级取消该事项"
    assert data["bundles"][0]["items"] == [PENSION, ELDER_CARD]


def test_json_round_trip_into_an_empty_database_gives_the_same_bytes(catalog):
    before = dump_json(export_catalog())
    counts = record_counts()
    empty_catalog()

    report = import_catalog(read_json(before), actor="importer")

    assert dump_json(export_catalog()) == before
    assert record_counts() == counts
    assert report.counts["items"]["created"] == 4
    assert report.counts["versions"]["created"] == 6


def test_xlsx_round_trip_gives_the_same_json(catalog):
    before = dump_json(export_catalog())
    workbook = write_xlsx(export_catalog())
    empty_catalog()

    import_catalog(read_xlsx(workbook), actor="importer")

    assert dump_json(export_catalog()) == before


def test_reimporting_the_same_file_changes_nothing(catalog):
    data = export_catalog()
    report = import_catalog(copy.deepcopy(data), actor="importer")
    assert not report.changed
    assert report.counts["versions"] == {"unchanged": 6}
    assert export_catalog() == data


def test_a_changed_published_version_is_refused(catalog):
    data = export_catalog()
    published = data["items"][0]["versions"][1]
    published["legal_limit_days"] = 4
    published["materials"].pop()

    with pytest.raises(CatalogImportError) as excinfo:
        import_catalog(data, actor="importer")

    [problem] = excinfo.value.problems
    assert problem.sheet == "items[0].versions[1]"
    assert "已发布版本不可修改" in problem.message
    assert "法定办结时限（工作日）" in problem.message and "申请材料" in problem.message
    assert ItemVersion.objects.get(item__code=ELDER_CARD, number=2).legal_limit_days == 3


def test_a_draft_is_replaced_and_a_new_version_published_over_the_current_one(catalog):
    data = export_catalog()
    pension = data["items"][2]
    pension["versions"][0].update(status="retired", effective_until="2026-01-01")
    pension["versions"][1].update(
        status="published",
        effective_from="2026-01-01",
        published_at="2025-12-20T10:00:00+08:00",
        published_by="王科长",
        change_note="更名",
    )
    report = import_catalog(data, actor="importer")

    assert report.counts["versions"] == {"unchanged": 4, "updated": 2}
    first, second = ItemVersion.objects.filter(item__code=PENSION).order_by("number")
    assert (first.status, first.effective_until) == (VersionStatus.RETIRED, dt.date(2026, 1, 1))
    assert (second.status, second.published_by) == (VersionStatus.PUBLISHED, "王科长")
    assert dump_json(export_catalog()) == dump_json(data)


def bad_file() -> dict:
    """Problems on several records at once."""
    data = export_catalog()
    data["departments"][0]["is_regulator"] = "否"
    data["centers"].append(copy.deepcopy(data["centers"][0]))
    data["items"][0]["versions"][1]["materials"][0]["necessity"] = "must"
    data["items"][2]["versions"][1]["lead_department"] = "XXJ"
    food = data["items"][3]
    revision = copy.deepcopy(food["versions"][0]) | {
        "number": 2,
        "status": "draft",
        "effective_from": None,
        "published_at": None,
        "published_by": "",
        "committed_limit_days": 30,
    }
    food["versions"].append(revision)
    return data


def test_a_bad_file_is_refused_whole_with_every_problem_listed(catalog):
    counts = record_counts()
    before = dump_json(export_catalog())

    with pytest.raises(CatalogImportError) as excinfo:
        import_catalog(bad_file(), actor="importer")

    found = {(p.sheet, p.row, p.field) for p in excinfo.value.problems}
    assert found == {
        ("departments[0]", 0, "监管部门"),
        ("centers[2]", 2, "中心编码"),
        ("centers[2]", 2, "中心名称"),
        ("items[0].versions[1].materials[0]", 0, "必要性"),
        ("items[2].versions[1]", 1, "实施部门"),
        ("items[3].versions[1]", 1, "承诺办结时限（工作日）"),
    }
    messages = {p.field: p.message for p in excinfo.value.problems}
    assert messages["实施部门"] == "未知的部门编码“XXJ”。"
    assert "不得超过法定时限" in messages["承诺办结时限（工作日）"]
    assert "“must”无效" in messages["必要性"] and "required（必要）" in messages["必要性"]
    assert excinfo.value.code == "import_invalid"
    assert record_counts() == counts
    assert dump_json(export_catalog()) == before


def test_a_bad_workbook_is_refused_with_sheets_and_rows(catalog):
    workbook = load_workbook(io.BytesIO(write_xlsx(export_catalog())))
    versions = workbook["事项版本"]
    headers = [c.value for c in versions[1]]
    versions.cell(row=2, column=headers.index("实施部门") + 1, value="XXJ")
    versions.cell(row=3, column=headers.index("承诺办结时限（工作日）") + 1, value=30)
    versions.cell(row=4, column=headers.index("服务对象") + 1, value="人")
    workbook["申请材料"].cell(row=2, column=2, value=7)  # a version the item does not have
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(CatalogImportError) as excinfo:
        import_catalog(read_xlsx(buffer.getvalue()), actor="importer")
    assert [str(p) for p in excinfo.value.problems] == [
        f"申请材料 第2行 版本号：找不到此行所属的事项版本（事项编码 {ELDER_CARD}、版本号 7）。"
    ]

    workbook["申请材料"].cell(row=2, column=2, value=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(CatalogImportError) as excinfo:
        import_catalog(read_xlsx(buffer.getvalue()), actor="importer")
    lines = [str(p) for p in excinfo.value.problems]
    assert "事项版本 第2行 实施部门：未知的部门编码“XXJ”。" in lines
    assert any(
        line.startswith("事项版本 第3行 承诺办结时限（工作日）：承诺时限（30个") for line in lines
    )
    assert any(line.startswith("事项版本 第4行 服务对象：“人”无效") for line in lines)
    assert len(lines) == 3


def test_publication_rules_found_while_applying_are_reported_at_the_version(catalog):
    data = export_catalog()
    new = copy.deepcopy(data["items"][0])
    new["code"] = "220105-MZ-002"
    new["themes"] = []
    new["versions"] = new["versions"][1:]
    new["versions"][0]["number"] = 1
    new["versions"][0]["stages"] = []
    new["versions"][0]["fee_fen"] = 500
    data["items"].insert(1, new)
    counts = record_counts()

    with pytest.raises(CatalogImportError) as excinfo:
        import_catalog(data, actor="importer")

    assert {(p.sheet, p.field) for p in excinfo.value.problems} == {
        ("items[1].versions[0]", "收费依据"),
        ("items[1].versions[0]", "办理环节"),
    }
    assert record_counts() == counts
    assert not ServiceItem.objects.filter(code="220105-MZ-002").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"format": "yimen-catalog",', "不是有效的 JSON（第 1 行"),
        (b"\xff\xfe", "不是 UTF-8 编码"),
    ],
)
def test_unreadable_json_gets_a_clear_message(content, expected):
    with pytest.raises(CatalogImportError) as excinfo:
        read_json(content)
    assert expected in str(excinfo.value.problems[0])


@pytest.mark.parametrize(
    "data",
    [
        {"format": "other", "format_version": 1},
        {"format": "yimen-catalog", "format_version": 2},
        [],
    ],
)
def test_a_file_of_another_format_is_refused(data):
    with pytest.raises(CatalogImportError) as excinfo:
        import_catalog(data, actor="importer")
    [problem] = excinfo.value.problems
    assert problem.sheet == "文件"
    assert "JSON 对象" in problem.message or "不是一门事项目录文件" in problem.message


def test_what_is_not_a_workbook_is_refused():
    with pytest.raises(CatalogImportError) as excinfo:
        read_xlsx(b"PK\x03\x04 not really a zip")
    assert str(excinfo.value.problems[0]) == "XLSX：文件不是有效的 XLSX 工作簿。"
    other = io.BytesIO()
    Workbook().save(other)
    with pytest.raises(CatalogImportError) as excinfo:
        read_xlsx(other.getvalue())
    assert "不是一门事项目录工作簿" in excinfo.value.problems[0].message


def test_the_commands_export_and_import(catalog, tmp_path, capsys):
    target = tmp_path / "catalog.xlsx"
    call_command("catalog-export", "-o", str(target))
    assert "已导出 4 个事项" in capsys.readouterr().out
    call_command("catalog-export")
    exported = capsys.readouterr().out
    assert json.loads(exported) == export_catalog()

    call_command("catalog-import", str(target), "--actor", "王科长")
    assert "事项：新增 0，更新 0，未变 4" in capsys.readouterr().out


def test_the_import_command_lists_every_problem_and_fails(catalog, tmp_path, capsys):
    source = tmp_path / "bad.json"
    source.write_bytes(dump_json(bad_file()))
    counts = record_counts()

    with pytest.raises(CommandError, match="6 处问题"):
        call_command("catalog-import", str(source))

    lines = capsys.readouterr().err.splitlines()
    assert "items[2].versions[1] 实施部门：未知的部门编码“XXJ”。" in lines
    assert len(lines) == 6
    assert record_counts() == counts


def test_the_import_command_refuses_a_broken_file(tmp_path, capsys):
    source = tmp_path / "broken.json"
    source.write_text("{ not json")
    with pytest.raises(CommandError):
        call_command("catalog-import", str(source))
    assert "JSON 第1行：不是有效的 JSON" in capsys.readouterr().err
    with pytest.raises(CommandError, match="不支持的文件类型"):
        call_command("catalog-import", str(tmp_path / "catalog.csv"))
