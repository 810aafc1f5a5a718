"""Registry feeds: CSV import upserts by ID or USCC and reports every rejected row;
the lookup interface asks an external registry for subjects Yimen has not seen."""

import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import subjects as make
from yimen.catalog.models import Role
from yimen.errors import InvalidInput
from yimen.subjects import registry
from yimen.subjects.models import Organisation, Person

pytestmark = pytest.mark.django_db

GRANDMA = make.resident_id("19530312", "002")
SON = make.resident_id("19790506", "031")
BAD_CHECK = GRANDMA[:-1] + "9"
ZHAO = make.resident_id("19860921", "048")


def masked(resident_id: str) -> str:
    return f"{resident_id[:4]}**********{resident_id[-4:]}"


def lines(text: str):
    return io.StringIO(text.lstrip())


def test_persons_are_created_then_updated_by_resident_id():
    first = registry.import_persons(
        lines(f"""
姓名,身份证号,联系电话,住址
张桂兰,{GRANDMA},13904310001,东盛街道万通社区
李建国,{SON},,东盛街道万通社区
""")
    )
    assert (first.created, first.updated, first.unchanged, first.rejected) == (2, 0, 0, [])
    second = registry.import_persons(
        lines(f"""
name,resident_id,phone,address
张桂兰,{GRANDMA},,东盛街道万通社区5栋
李建国,{SON},,东盛街道万通社区
""")
    )
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    grandma = Person.objects.by_code(GRANDMA).get()
    # A blank cell in a feed keeps what is known.
    assert (grandma.address, grandma.phone) == ("东盛街道万通社区5栋", "13904310001")


def test_rejected_rows_are_reported_and_the_good_rows_still_imported():
    report = registry.import_persons(
        lines(f"""
姓名,身份证号,联系电话,住址
张桂兰,{GRANDMA},13904310001,东盛街道
李建国,{BAD_CHECK},,东盛街道

,{SON},,东盛街道
赵丽华,{ZHAO},12345,荣光街道
""")
    )
    assert report.created == 1
    assert [(r.line, r.identifier, r.code, r.message) for r in report.rejected] == [
        (3, masked(BAD_CHECK), "invalid_resident_id", "身份证号校验位不正确，请核对是否输错。"),
        (5, masked(SON), "required", "请填写姓名。"),
        (
            6,
            masked(ZHAO),
            "invalid_phone",
            "联系电话格式不正确：请填写11位手机号码或带区号的固定电话（如 0431-84600000）。",
        ),
    ]
    assert list(Person.objects.values_list("name", flat=True)) == ["张桂兰"]


def test_organisations_need_their_legal_representative_in_the_registry():
    make.person("陈志强", birth="19720830")
    chen = Person.objects.get(name="陈志强")
    report = registry.import_organisations(
        lines(f"""
名称,统一社会信用代码,类型,法定代表人身份证号,住所
吉林省东盛建筑工程有限公司,91220105MA14X2Q5T7,企业,{chen.code},东盛大街1099号
三道村股份经济合作社,N2220105MF3R7L9P08,other,{chen.code},英俊镇三道村
无名公司,91220105MA14X2Q5T8,企业,{chen.code},
某某商店,92220105MA15D8K3WX,商店,{chen.code},
李记小吃,92220105MA15D8K3WX,个体工商户,{SON},
""")
    )
    assert report.created == 2
    assert [(r.line, r.identifier, r.code) for r in report.rejected] == [
        (4, "91220105MA14X2Q5T8", "invalid_uscc"),
        (5, "92220105MA15D8K3WX", "invalid_org_type"),
        (6, "92220105MA15D8K3WX", "legal_representative_unknown"),
    ]
    assert report.rejected[2].message == (
        f"法定代表人（身份证号 {masked(SON)}）尚未登记，请先登记或导入其个人信息。"
    )
    village = Organisation.objects.by_code("N2220105MF3R7L9P08").get()
    assert (village.org_type, village.legal_representative) == ("other", chen)


def test_a_file_without_the_required_columns_is_refused_whole():
    with pytest.raises(InvalidInput) as excinfo:
        registry.import_persons(lines(f"姓名,电话\n张桂兰,{GRANDMA}\n"))
    assert excinfo.value.message == "CSV 文件缺少必填列：身份证号。"
    assert not Person.objects.exists()


def run_import(*args):
    out, err = StringIO(), StringIO()
    call_command("registry-import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_counts_and_rejected_rows(tmp_path):
    feed = tmp_path / "persons.csv"
    feed.write_text(
        f"\ufeff姓名,身份证号,联系电话,住址\n张桂兰,{GRANDMA},,\n李建国,{BAD_CHECK},,\n",
        encoding="utf-8",
    )
    out, err = run_import("persons", str(feed))
    assert out == "新增 1 条，更新 0 条，未变 0 条，拒绝 1 条。\n"
    assert err == f"第 3 行（{masked(BAD_CHECK)}）：身份证号校验位不正确，请核对是否输错。\n"


def test_the_command_explains_an_unreadable_file(tmp_path):
    feed = tmp_path / "gbk.csv"
    feed.write_bytes(f"姓名,身份证号\n张桂兰,{GRANDMA}\n".encode("gbk"))
    with pytest.raises(CommandError, match="文件不是 utf-8-sig 编码，请用 --encoding 指定"):
        run_import("persons", str(feed))
    assert run_import("persons", str(feed), "--encoding", "gbk")[0].startswith("新增 1 条")
    with pytest.raises(CommandError, match="无法读取文件"):
        run_import("organisations", str(tmp_path / "missing.csv"))


class PopulationBase:
    """Stands in for the provincial population registry."""

    def find_person(self, resident_id):
        if resident_id == GRANDMA:
            return registry.PersonRecord("张桂兰", GRANDMA, "13904310001", "东盛街道万通社区")
        return None

    def find_organisation(self, uscc):
        return None


def test_staff_lookup_by_exact_id_asks_the_configured_registry(settings):
    settings.YIMEN_SUBJECT_REGISTRY = f"{__name__}.PopulationBase"
    clerk = make.staff(Role.CLERK)
    assert registry.subject_lookup(clerk, "张桂兰") == []
    [found] = registry.subject_lookup(clerk, GRANDMA)
    assert (found.subject.name, found.code, found.full) == ("张桂兰", GRANDMA, True)
    # Kept locally: the name search finds her now, masked.
    [by_name] = registry.subject_lookup(clerk, "桂兰")
    assert (by_name.code, by_name.phone) == ("2201**********0028", "139****0001")
    assert registry.subject_lookup(clerk, SON) == []


def test_the_local_registry_is_the_default():
    grandma = make.person("张桂兰")
    assert isinstance(registry.get_registry(), registry.LocalRegistry)
    assert registry.get_registry().find_person(grandma.code).name == "张桂兰"
    assert registry.get_registry().find_person(SON) is None
