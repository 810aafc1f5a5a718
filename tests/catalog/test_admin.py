"""The catalog admin as catalog staff use it: drafts, publishing, revisions, cancelling."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import catalog as make
from yimen.catalog import services
from yimen.catalog.models import (
    Bundle,
    BundleItem,
    ItemVersion,
    MaterialSpec,
    ServiceCenter,
    ServiceItem,
    StageSpec,
    Theme,
    VersionStatus,
)

pytestmark = pytest.mark.django_db

INLINES = ("legal_bases", "form_fields", "materials", "stages")


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("catalog-admin", password="x")
    client.force_login(user)
    return client


def url(name: str, *args, query: str = "") -> str:
    path = reverse(f"admin:catalog_{name}", args=args)
    return f"{path}?{query}" if query else path


def version_form(version: ItemVersion | None = None, **overrides) -> dict:
    """POST data of the version form, as the page would send it, without inline rows."""
    fields = make.version_fields()
    data = {
        **{name: value for name, value in fields.items() if name != "lead_department"},
        "lead_department": fields["lead_department"].pk,
        "extension_days": 10,
        "fee_fen": 0,
        "online_depth": 3,
    }
    if version is not None:
        data.update({name: getattr(version, name) for name in data if name != "lead_department"})
    for prefix in INLINES:
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data | overrides


def rows(prefix: str, *forms: dict) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": len(forms), f"{prefix}-INITIAL_FORMS": 0}
    for index, form in enumerate(forms):
        data |= {f"{prefix}-{index}-{name}": value for name, value in form.items()}
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_every_catalog_page_loads(staff):
    published = make.published()
    draft = services.item_revise(item=published.item)
    center = ServiceCenter.objects.create(
        code="QZX", name="二道区政务服务中心", level="district", address="东盛大街", hours="8:30"
    )
    center.items.add(published.item)
    theme = Theme.objects.create(code="yanglao", name="养老")
    bundle = Bundle.objects.create(code="YJS-1", name="老年人一件事")
    BundleItem.objects.create(bundle=bundle, item=published.item)
    objects = {
        "department": published.lead_department,
        "servicecenter": center,
        "theme": theme,
        "materialkind": make.kind(),
        "serviceitem": published.item,
        "itemversion": draft,
        "bundle": bundle,
    }
    for model, obj in objects.items():
        for page in (url(f"{model}_changelist"), url(f"{model}_change", obj.pk)):
            response = staff.get(page)
            assert response.status_code == 200, page
    assert staff.get(url("itemversion_change", published.pk)).status_code == 200
    assert "老年人优待证办理" in staff.get(url("serviceitem_changelist")).content.decode()
    assert staff.get(url("itemversion_add")).status_code == 200


def test_adding_a_draft_item_with_materials_and_stages(staff):
    kind = make.kind()
    data = version_form(code=" 220105-MZJ-009 ", name="高龄津贴申领", delivery_modes=["post"])
    data |= rows(
        "legal_bases", {"order": 1, "law": "吉林省老年人权益保障条例", "article": "第九条"}
    )
    data |= rows(
        "materials",
        {
            "order": 1,
            "kind": kind.pk,
            "name": "居民身份证",
            "form": "both",
            "originals": 1,
            "copies": 1,
            "source": "applicant",
            "necessity": "required",
            "reusable": "on",
        },
    )
    data |= rows(
        "stages",
        {"order": 1, "kind": "accept", "name": "受理", "role": "clerk", "share_days": 1},
        {"order": 2, "kind": "decision", "name": "决定", "role": "approver", "share_days": 2},
    )

    response = staff.post(url("itemversion_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    version = ItemVersion.objects.get(item__code="220105-MZJ-009")
    assert (version.number, version.status, version.name) == (
        1,
        VersionStatus.DRAFT,
        "高龄津贴申领",
    )
    assert version.delivery_modes == ["post"]
    assert [m.name for m in version.materials.all()] == ["居民身份证"]
    assert [s.name for s in version.stages.all()] == ["受理", "决定"]
    assert version.legal_bases.get().article == "第九条"


def test_adding_an_item_whose_code_is_taken_keeps_the_input_and_saves_nothing(staff):
    make.draft("220105-MZJ-001")
    data = version_form(code="220105-MZJ-001", name="另一个事项")
    data |= rows("legal_bases", {"order": 1, "law": "某条例", "article": "第一条"})

    response = staff.post(url("itemversion_add"), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["code"] == ["事项编码 220105-MZJ-001 已存在。"]
    assert form["name"].value() == "另一个事项"
    assert response.context["inline_admin_formsets"][0].formset.forms[0]["law"].value() == "某条例"
    assert ItemVersion.objects.count() == 1
    assert not ItemVersion.objects.filter(name="另一个事项").exists()


def test_a_draft_is_edited_in_the_admin(staff):
    draft = make.draft()
    data = version_form(draft, name="老年人优待证申领", committed_limit_days=8)

    response = staff.post(url("itemversion_change", draft.pk), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.committed_limit_days) == ("老年人优待证申领", 8)
    assert draft.materials.count() == 1  # rows not posted are left as they were


def test_a_committed_limit_over_the_legal_one_is_refused_and_nothing_changes(staff):
    draft = make.draft()
    response = staff.post(
        url("itemversion_change", draft.pk), version_form(draft, committed_limit_days=30)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["committed_limit_days"] == [
        "承诺时限（30个工作日）不得超过法定时限（20个工作日）。"
    ]
    draft.refresh_from_db()
    assert draft.committed_limit_days == 10


def test_publish_page_warns_about_a_committed_limit_over_half_and_publishes(staff):
    draft = make.draft(legal_limit_days=20, committed_limit_days=15)

    page = staff.get(url("itemversion_publish", draft.pk))
    assert page.status_code == 200
    assert "承诺时限超过法定时限的一半" in page.content.decode()
    assert 'id="publish-errors"' not in page.content.decode()

    response = staff.post(
        url("itemversion_publish", draft.pk),
        {"effective_from": "2025-03-01", "change_note": "首次发布"},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.effective_from == dt.date(2025, 3, 1)
    assert (draft.change_note, draft.published_by) == ("首次发布", "catalog-admin")
    shown = messages_of(response)
    assert any("第1版已发布" in m for m in shown)
    assert any("承诺时限超过法定时限的一半" in m for m in shown)


def test_publishing_an_invalid_draft_shows_the_errors_and_keeps_it_a_draft(staff):
    draft = make.draft(fee_fen=500, visits_reason="")
    MaterialSpec.objects.filter(version=draft).delete()

    page = staff.get(url("itemversion_publish", draft.pk))
    assert 'id="publish-errors"' in page.content.decode()
    assert page.context["blocked"]

    response = staff.post(url("itemversion_publish", draft.pk), {"effective_from": "2025-03-01"})

    assert response.status_code == 200
    [message] = messages_of(response)
    for error in ("收费事项须写明收费依据", "到现场次数不为0时须说明原因", "事项须列明申请材料"):
        assert error in message
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert draft.effective_from is None


def test_an_effective_date_before_the_current_version_is_refused_beside_the_field(staff):
    make.published(effective_from=dt.date(2025, 6, 1))
    draft = services.item_revise(item=ServiceItem.objects.get())

    response = staff.post(url("itemversion_publish", draft.pk), {"effective_from": "2025-01-01"})

    assert "生效日期不得早于上一版本的生效日期" in str(response.context["form"].errors)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_published_version_is_read_only(staff):
    published = make.published()

    page = staff.get(url("itemversion_change", published.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="name"' not in html
    assert 'name="stages-0-name"' not in html
    assert "窗口领取、快递送达" in html
    assert not page.context["has_delete_permission"]
    assert all(not inline.has_add_permission for inline in page.context["inline_admin_formsets"])

    response = staff.post(
        url("itemversion_change", published.pk), version_form(published, name="改名")
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.name == "老年人优待证办理"
    assert staff.post(url("itemversion_delete", published.pk), {"post": "yes"}).status_code == 403
    assert ItemVersion.objects.filter(pk=published.pk).exists()


def test_versions_cannot_be_deleted_in_bulk(staff):
    make.published()
    response = staff.get(url("itemversion_changelist"))
    assert "delete_selected" not in response.content.decode()


def test_deleting_the_only_draft_removes_the_new_item(staff):
    draft = make.draft()
    response = staff.post(url("itemversion_delete", draft.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not ServiceItem.objects.exists()


def test_revise_creates_the_next_version_as_a_copy(staff):
    published = make.published()

    confirm = staff.get(url("serviceitem_revise", published.item_id))
    assert "第1版（已发布）" in confirm.content.decode()
    response = staff.post(url("serviceitem_revise", published.item_id))

    draft = ItemVersion.objects.get(item=published.item, number=2)
    assert response.url == url("itemversion_change", draft.pk)
    assert draft.status == VersionStatus.DRAFT
    assert draft.name == published.name
    assert [m.name for m in draft.materials.all()] == [m.name for m in published.materials.all()]
    assert draft.stages.count() == published.stages.count() == 2

    again = staff.post(url("serviceitem_revise", published.item_id), follow=True)
    assert any("该事项已有未发布的修订草稿" in m for m in messages_of(again))
    assert published.item.versions.count() == 2


def test_diff_page_shows_what_changed_between_any_two_versions(staff):
    v1 = make.published()
    v2 = services.item_revise(item=v1.item)
    staff.post(url("itemversion_change", v2.pk), version_form(v2, committed_limit_days=5))

    page = staff.get(url("itemversion_compare", v2.pk))

    assert page.status_code == 200
    [change] = page.context["changes"]
    assert (change.label, change.before, change.after) == ("承诺办结时限（工作日）", "10", "5")
    html = page.content.decode()
    assert "修改前" in html and "修改后" in html and "承诺办结时限（工作日）" in html

    same = staff.get(url("itemversion_compare", v2.pk, query=f"before={v1.pk}&after={v1.pk}"))
    assert same.context["changes"] == []
    assert "没有差异" in same.content.decode()


def test_retiring_a_published_version(staff):
    published = make.published()
    response = staff.post(
        url("itemversion_retire", published.pk), {"effective_until": "2030-01-01"}, follow=True
    )
    published.refresh_from_db()
    assert published.status == VersionStatus.RETIRED
    assert published.effective_until == dt.date(2030, 1, 1)
    assert "第1版已停用。" in messages_of(response)


def test_cancelling_an_item_with_a_reason(staff):
    published = make.published()
    cancel = url("serviceitem_cancel", query=f"ids={published.item_id}")
    assert staff.get(cancel).status_code == 200

    response = staff.post(cancel, {"reason": "无法律法规依据"}, follow=True)

    item = ServiceItem.objects.get()
    assert item.status == ServiceItem.Status.CANCELLED
    assert item.cancel_reason == "无法律法规依据"
    assert "已取消1个事项。" in messages_of(response)
    listing = staff.get(url("serviceitem_changelist")).content.decode()
    assert "已取消" in listing and "无法律法规依据" in listing


def test_cancelling_without_a_reason_is_refused(staff):
    published = make.published()
    response = staff.post(
        url("serviceitem_cancel", query=f"ids={published.item_id}"), {"reason": " "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["取消事项须写明原因。"]
    assert ServiceItem.objects.get().status == ServiceItem.Status.ACTIVE


def test_cancelling_several_items_at_once_from_the_list(staff):
    codes = ["220105-CG-001", "220105-CG-002"]
    items = [make.published(code, name=f"户外牌匾审批{n}").item for n, code in enumerate(codes)]
    selected = {"action": "cancel_selected", "_selected_action": [i.pk for i in items]}

    response = staff.post(url("serviceitem_changelist"), selected)
    staff.post(response.url, {"reason": "无法律法规依据，予以取消"})

    assert set(ServiceItem.objects.values_list("status", flat=True)) == {"cancelled"}
    assert not ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()


def test_a_bundle_is_made_of_items(staff):
    item = make.published().item
    data = {"code": "YJS-9", "name": "退休一件事", "description": "", "is_active": "on"}
    data |= rows("members", {"order": 1, "item": item.pk})
    response = staff.post(url("bundle_add"), data)
    assert response.status_code == 302
    assert list(Bundle.objects.get(code="YJS-9").members.values_list("item", flat=True)) == [
        item.pk
    ]


def test_stage_inline_saves_parallel_departments(staff):
    draft = make.draft()
    review = make.department("ZJJ", "区住房和城乡建设局")
    data = version_form(draft) | rows(
        "stages",
        {
            "order": 3,
            "kind": "review",
            "name": "并联审查",
            "role": "reviewer",
            "share_days": 1,
            "parallel_departments": [review.pk],
        },
    )
    assert staff.post(url("itemversion_change", draft.pk), data).status_code == 302
    stage = StageSpec.objects.get(version=draft, order=3)
    assert list(stage.parallel_departments.all()) == [review]


def test_staff_who_may_only_view_see_versions_but_cannot_change_them(client):
    draft = make.draft()
    viewer = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="catalog", codename__startswith="view_")
    )
    client.force_login(viewer)

    page = client.get(url("itemversion_change", draft.pk))
    assert page.status_code == 200
    assert not page.context["can_manage"]
    assert url("itemversion_publish", draft.pk) not in page.content.decode()
    assert client.get(url("itemversion_compare", draft.pk)).status_code == 200
    assert client.post(url("itemversion_publish", draft.pk), {}).status_code == 403
    assert client.post(url("serviceitem_revise", draft.item_id)).status_code == 403
    cancel = url("serviceitem_cancel", query=f"ids={draft.item_id}")
    assert client.post(cancel, {"reason": "无依据"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert draft.item.versions.count() == 1
    assert draft.item.status == ServiceItem.Status.ACTIVE
