"""The catalog in the admin, shaped for catalog staff.

Drafts are edited here with their parts inline. Every lifecycle step (create,
publish, retire, revise, cancel) goes through `yimen.catalog.services`, so the
rules live in one place; a refusal is shown as a Chinese message, never as an
error page. Published and retired versions are shown read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Case, OuterRef, QuerySet, Subquery, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yimen.catalog.downloads import material_file_response
from yimen.catalog.errors import CatalogError
from yimen.catalog.forms import (
    CancelForm,
    CompareForm,
    ItemVersionForm,
    MaterialSpecForm,
    NewItemForm,
    PublishForm,
    RetireForm,
    version_label,
)
from yimen.catalog.models import (
    Bundle,
    BundleItem,
    DeliveryMode,
    Department,
    FormField,
    ItemVersion,
    LegalBasis,
    MaterialKind,
    MaterialSpec,
    ServiceCenter,
    ServiceItem,
    StageSpec,
    Theme,
    VersionStatus,
)
from yimen.catalog.rules import check_version
from yimen.catalog.selectors import version_diff
from yimen.catalog.services import (
    draft_delete,
    draft_update,
    item_cancel,
    item_create,
    item_revise,
    version_publish,
    version_retire,
)
from yimen.catalog.widgets import material_file_url
from yimen.errors import NotFound

ACTION_TEMPLATE = "admin/catalog/action_form.html"
# Themes are few: ticking them is quicker than a two-list selector.
THEMES_AS_CHECKBOXES = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}


def _current_version(field: str) -> Subquery:
    """A field of an item's current version: its latest published (or since retired)
    version, or its draft when it has never been published."""
    versions = ItemVersion.objects.filter(item=OuterRef("pk")).order_by(
        Case(When(status=VersionStatus.DRAFT, then=1), default=0), "-number"
    )
    return Subquery(versions.values(field)[:1])


def items_with_current_version(items: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    return items.annotate(
        current_name=_current_version("name"),
        current_number=_current_version("number"),
        current_status=_current_version("status"),
        current_department=_current_version("lead_department__name"),
    )


def _may(request, action: str, model) -> bool:
    return request.user.has_perm(
        f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"
    )


class ActionPagesMixin:
    """Extra admin pages, each a `<name>_view` method, reached by the URL name
    `admin:<app>_<model>_<name>`; they render one shared confirmation template."""

    action_routes: tuple[tuple[str, str], ...] = ()

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        extra = [
            path(
                route,
                self.admin_site.admin_view(getattr(self, f"{name}_view")),
                name=f"{prefix}_{name}",
            )
            for route, name in self.action_routes
        ]
        return extra + super().get_urls()

    def _object_or_404(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        return obj

    def _change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def _render_action(self, request, *, title, submit_label, obj=None, **context):
        back_url = (
            self._change_url(obj)
            if obj
            else reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )
        return TemplateResponse(
            request,
            ACTION_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "object": obj,
                "title": title,
                "submit_label": submit_label,
                "back_url": back_url,
                **context,
            },
        )

    @staticmethod
    def _refuse(request, form, error: CatalogError) -> None:
        """Shows a refusal beside the field it concerns, or as a message."""
        if error.field in form.fields:
            form.add_error(error.field, error.message)
        else:
            messages.error(request, error.message)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_regulator", "sort_order"]
    list_filter = ["is_regulator"]
    search_fields = ["code", "name"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order"]
    search_fields = ["code", "name"]


@admin.register(MaterialKind)
class MaterialKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_licence"]
    list_filter = ["is_licence"]
    search_fields = ["code", "name"]


class ItemChoiceField(forms.ModelMultipleChoiceField):
    """Items named by code and current name (the item itself only has a code)."""

    def label_from_instance(self, obj: ServiceItem) -> str:
        return f"{obj.code} {obj.current_name or ''}".strip()


@admin.register(ServiceCenter)
class ServiceCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "phone"]
    list_filter = ["level"]
    search_fields = ["code", "name", "address"]
    filter_horizontal = ["items"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "items":
            kwargs["queryset"] = items_with_current_version(ServiceItem.objects.all())
            kwargs["form_class"] = ItemChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(ServiceItem)
class ServiceItemAdmin(ActionPagesMixin, admin.ModelAdmin):
    list_display = ["code", "current_name", "status_with_reason", "current_version", "department"]
    list_filter = [
        "status",
        "themes",
        "versions__lead_department",
        "versions__item_type",
        "versions__handling_type",
    ]
    search_fields = ["code", "versions__name"]
    formfield_overrides = THEMES_AS_CHECKBOXES
    readonly_fields = [
        "code",
        "status",
        "cancelled_at",
        "cancel_reason",
        "popularity",
        "created_at",
        "version_table",
    ]
    actions = ["cancel_selected"]
    action_routes = (("<path:object_id>/revise/", "revise"), ("cancel/", "cancel"))

    def get_queryset(self, request):
        return items_with_current_version(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        fields = ["code", "status", "themes", "popularity", "created_at", "version_table"]
        if obj and obj.status == ServiceItem.Status.CANCELLED:
            fields[2:2] = ["cancelled_at", "cancel_reason"]
        return fields

    def add_view(self, request, form_url="", extra_context=None):
        # An item is born with its first draft version, so it is added there.
        return redirect("admin:catalog_itemversion_add")

    def has_add_permission(self, request):
        return _may(request, "add", ItemVersion)

    def has_delete_permission(self, request, obj=None):
        return False  # items are cancelled, never deleted

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        draft = item and item.versions.filter(status=VersionStatus.DRAFT).first()
        extra_context = {
            **(extra_context or {}),
            "draft": draft,
            "show_save_and_add_another": False,
            "can_revise": _may(request, "add", ItemVersion),
            "can_cancel": self.has_change_permission(request, item),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=gettext_lazy("事项名称"), ordering="current_name")
    def current_name(self, item: ServiceItem) -> str:
        return item.current_name

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def status_with_reason(self, item: ServiceItem) -> str:
        if item.status != ServiceItem.Status.CANCELLED:
            return item.get_status_display()
        return format_html(
            "{}<br><small>{}</small>",
            item.get_status_display(),
            Truncator(item.cancel_reason).chars(60),
        )

    @admin.display(description=gettext_lazy("当前版本"), ordering="current_number")
    def current_version(self, item: ServiceItem) -> str:
        if item.current_number is None:
            return "—"
        return version_label(item.current_number, item.current_status)

    @admin.display(description=gettext_lazy("实施部门"), ordering="current_department")
    def department(self, item: ServiceItem) -> str:
        return item.current_department or "—"

    @admin.display(description=gettext_lazy("各版本"))
    def version_table(self, item: ServiceItem) -> str:
        return render_to_string(
            "admin/catalog/serviceitem/version_table.html",
            {"versions": item.versions.order_by("-number")},
        )

    @admin.action(description=gettext_lazy("取消所选事项"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(f"{reverse('admin:catalog_serviceitem_cancel')}?ids={ids}")

    def revise_view(self, request, object_id):
        item = self._object_or_404(request, object_id)
        if not _may(request, "add", ItemVersion):
            raise PermissionDenied
        if request.method == "POST":
            try:
                draft = item_revise(item=item)
            except CatalogError as error:
                messages.error(request, error.message)
                return redirect(self._change_url(item))
            self.log_change(request, item, _("新建修订草稿"))
            messages.success(request, _("已新建第%(n)s版修订草稿。") % {"n": draft.number})
            return redirect("admin:catalog_itemversion_change", draft.pk)
        return self._render_action(
            request,
            obj=item,
            title=_("新建修订草稿"),
            submit_label=_("新建修订草稿"),
            intro=_("将以%(v)s为基础新建修订草稿。草稿发布之前，现行版本继续有效。")
            % {"v": self.current_version(item)},
        )

    def cancel_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdigit()]
        items = list(
            self.get_queryset(request).filter(pk__in=ids, status=ServiceItem.Status.ACTIVE)
        )
        if not items:
            messages.error(request, _("请选择要取消的有效事项。"))
            return redirect("admin:catalog_serviceitem_changelist")
        form = CancelForm(request.POST or None)
        if form.is_valid():
            try:
                self._cancel(request, items, form.cleaned_data["reason"])
            except CatalogError as error:
                self._refuse(request, form, error)
            else:
                messages.success(request, _("已取消%(n)s个事项。") % {"n": len(items)})
                if len(items) == 1:
                    return redirect(self._change_url(items[0]))
                return redirect("admin:catalog_serviceitem_changelist")
        return self._render_action(
            request,
            obj=items[0] if len(items) == 1 else None,
            title=_("取消事项"),
            submit_label=_("确认取消事项"),
            intro=_(
                "取消后事项不再受理，已发布版本即日停用，未发布的草稿将被删除。事项及取消原因仍保留可查。"
            ),
            listed=[f"{item.code} {item.current_name or ''}" for item in items],
            form=form,
        )

    def _cancel(self, request, items: list[ServiceItem], reason: str) -> None:
        actor = request.user.get_username()
        with transaction.atomic():  # all the selected items, or none
            for item in items:
                item_cancel(item=item, reason=reason, actor=actor)
                self.log_change(request, item, _("取消事项：%(r)s") % {"r": reason})


def _is_editable(version: ItemVersion | None) -> bool:
    return version is None or version.is_draft


class DraftPartInline:
    """A part of a version: editable while the version is a draft, read-only after."""

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def has_add_permission(self, request, obj):
        return _is_editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_editable(obj) and super().has_delete_permission(request, obj)


class LegalBasisInline(DraftPartInline, admin.TabularInline):
    model = LegalBasis
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    fields = ["order", "law", "article", "text"]


class FormFieldInline(DraftPartInline, admin.StackedInline):
    model = FormField
    classes = ["collapse"]
    fields = [
        ("order", "key", "label"),
        ("field_type", "required"),
        ("choices", "pattern", "max_length"),
        ("min_value", "max_value"),
        "help_text",
    ]


MATERIAL_FILE_FIELDS = ("blank_form", "sample")


def _material_file_link(material: MaterialSpec, part: str) -> str:
    stored = getattr(material, part)
    if not stored:
        return "—"
    return format_html('<a href="{}">{}</a>', material_file_url(material, part), stored.name)


class MaterialSpecInline(DraftPartInline, admin.StackedInline):
    model = MaterialSpec
    form = MaterialSpecForm
    autocomplete_fields = ["kind"]
    fields = [
        ("order", "kind", "name"),
        ("necessity", "form", "source"),
        ("originals", "copies", "reusable"),
        MATERIAL_FILE_FIELDS,
        "notes",
    ]
    readonly_fields = ["blank_form_link", "sample_link"]

    def get_fields(self, request, obj=None):
        if _is_editable(obj):
            return self.fields
        # Read-only, the admin would link the files to their storage, which no URL serves.
        return [
            ("blank_form_link", "sample_link") if f == MATERIAL_FILE_FIELDS else f
            for f in self.fields
        ]

    @admin.display(description=MaterialSpec._meta.get_field("blank_form").verbose_name)
    def blank_form_link(self, material: MaterialSpec) -> str:
        return _material_file_link(material, "blank_form")

    @admin.display(description=MaterialSpec._meta.get_field("sample").verbose_name)
    def sample_link(self, material: MaterialSpec) -> str:
        return _material_file_link(material, "sample")


class StageSpecInline(DraftPartInline, admin.StackedInline):
    model = StageSpec
    autocomplete_fields = ["department", "parallel_departments"]
    fields = [
        ("order", "kind", "name"),
        ("role", "department"),
        "parallel_departments",
        ("share_days", "stops_clock", "max_days"),
    ]


VERSION_FIELDS = [
    "item",
    "number",
    "status",
    ("effective_from", "effective_until"),
    ("published_at", "published_by"),
]
CONTENT_FIELDSETS = [
    (
        gettext_lazy("基本信息"),
        {
            "fields": [
                "name",
                ("item_type", "subject_type"),
                "lead_department",
                "co_departments",
            ]
        },
    ),
    (
        gettext_lazy("受理条件与时限"),
        {
            "fields": [
                "acceptance_conditions",
                "handling_type",
                ("legal_limit_days", "committed_limit_days", "extension_days"),
            ]
        },
    ),
    (gettext_lazy("收费"), {"fields": ["fee_fen", "fee_basis"]}),
    (
        gettext_lazy("办理方式"),
        {
            "fields": [
                ("visits_required", "online_depth"),
                "visits_reason",
                "delivery_modes",
                "handling_locations",
                ("consult_phone", "complaint_phone"),
            ]
        },
    ),
    (gettext_lazy("修订说明"), {"fields": ["change_note"]}),
]


def _fieldsets_for(version: ItemVersion | None) -> list:
    if version is None:
        return [(None, {"fields": ["code"]}), *CONTENT_FIELDSETS]
    fieldsets = [(gettext_lazy("版本"), {"fields": VERSION_FIELDS}), *CONTENT_FIELDSETS]
    if version.is_draft:
        return fieldsets
    return [
        (title, {"fields": [_frozen_name(f) for f in options["fields"]]})
        for title, options in fieldsets
    ]


def _frozen_name(field):
    """Read-only pages show delivery modes by their labels, not as stored JSON."""
    return "delivery_modes_display" if field == "delivery_modes" else field


@admin.register(ItemVersion)
class ItemVersionAdmin(ActionPagesMixin, admin.ModelAdmin):
    list_display = [
        "item",
        "name",
        "number",
        "status",
        "effective_from",
        "effective_until",
        "lead_department",
        "handling_type",
    ]
    list_display_links = ["name"]
    list_filter = ["status", "lead_department", "item_type", "handling_type", "subject_type"]
    list_select_related = ["item", "lead_department"]
    search_fields = ["item__code", "name"]
    autocomplete_fields = ["lead_department", "co_departments"]
    inlines = [LegalBasisInline, FormFieldInline, MaterialSpecInline, StageSpecInline]
    action_routes = (
        ("<path:object_id>/publish/", "publish"),
        ("<path:object_id>/retire/", "retire"),
        ("<path:object_id>/compare/", "compare"),
        ("<path:object_id>/materials/<int:material_id>/<str:part>/", "material_file"),
    )

    def get_fieldsets(self, request, obj=None):
        return _fieldsets_for(obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if not obj.is_draft:
            return flatten_fieldsets(_fieldsets_for(obj))
        return flatten_fieldsets([(None, {"fields": VERSION_FIELDS})])

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = ItemVersionForm if obj else NewItemForm
        refusal = getattr(request, "catalog_refusal", None)
        kwargs["form"] = type(base.__name__, (base,), {"refusal": refusal})
        return super().get_form(request, obj, change, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # A bulk delete would bypass the rule that only drafts may be deleted.
        actions.pop("delete_selected", None)
        return actions

    def has_change_permission(self, request, obj=None):
        return _is_editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_editable(obj) and super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CatalogError as error:
            # The service refused the save and it was rolled back: show the same input
            # again with the refusal beside its field (see ItemVersionForm.refusal).
            request.catalog_refusal = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_manage": self.has_change_permission(request),
            "can_revise": self.has_add_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        fields = dict(form.cleaned_data)
        code = fields.pop("code", None)
        if change:
            draft_update(version=obj, **fields)
        else:
            _adopt(obj, item_create(code=code, **fields))

    def delete_model(self, request, obj):
        draft_delete(version=obj)

    @admin.display(description=gettext_lazy("送达方式"))
    def delivery_modes_display(self, version: ItemVersion) -> str:
        return "、".join(str(DeliveryMode(mode).label) for mode in version.delivery_modes)

    def publish_view(self, request, object_id):
        version = self._version_to_manage(request, object_id)
        form = PublishForm(request.POST or None, initial={"change_note": version.change_note})
        if form.is_valid():
            try:
                warnings = version_publish(
                    version=version, actor=request.user.get_username(), **form.cleaned_data
                )
            except CatalogError as error:
                self._refuse(request, form, error)
            else:
                self.log_change(request, version, _("发布"))
                version.refresh_from_db()
                messages.success(
                    request,
                    _("第%(n)s版已发布，%(d)s起生效。")
                    % {"n": version.number, "d": version.effective_from},
                )
                for warning in warnings:
                    messages.warning(request, warning.message)
                return redirect(self._change_url(version))
        findings = check_version(version)
        return self._render_action(
            request,
            obj=version,
            title=_("发布事项版本"),
            submit_label=_("发布"),
            intro=_("发布后本版本内容冻结，不可再修改；上一版本在新版本生效之日停用。"),
            findings=findings,
            blocked=bool(findings.errors) or not version.is_draft,
            form=form,
        )

    def retire_view(self, request, object_id):
        version = self._version_to_manage(request, object_id)
        form = RetireForm(request.POST or None)
        if form.is_valid():
            try:
                version_retire(version=version, **form.cleaned_data)
            except CatalogError as error:
                self._refuse(request, form, error)
            else:
                self.log_change(request, version, _("停用"))
                messages.success(request, _("第%(n)s版已停用。") % {"n": version.number})
                return redirect(self._change_url(version))
        return self._render_action(
            request,
            obj=version,
            title=_("停用事项版本"),
            submit_label=_("停用"),
            intro=_("停用后该版本自停用日期起不再受理，已受理的办件仍按该版本办理。"),
            form=form,
        )

    def compare_view(self, request, object_id):
        version = self._object_or_404(request, object_id)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        form = CompareForm(request.GET or _default_pair(version), item=version.item)
        changes = (
            version_diff(form.cleaned_data["before"], form.cleaned_data["after"])
            if form.is_valid()
            else None
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": version,
            "title": _("版本比较：%(item)s") % {"item": version.item.code},
            "form": form,
            "changes": changes,
        }
        return TemplateResponse(request, "admin/catalog/itemversion/compare.html", context)

    def material_file_view(self, request, object_id, material_id, part):
        """A material's blank form or sample, for staff who may see its version: the
        only address of a draft's files, which the guide does not serve."""
        version = self._object_or_404(request, object_id)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        if part not in MATERIAL_FILE_FIELDS:
            raise Http404
        material = version.materials.exclude(**{part: ""}).filter(pk=material_id).first()
        if material is None:
            raise Http404
        try:
            return material_file_response(material, part)
        except NotFound:
            raise Http404 from None

    def _version_to_manage(self, request, object_id) -> ItemVersion:
        version = self._object_or_404(request, object_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        return version


def _default_pair(version: ItemVersion) -> dict:
    previous = version.item.versions.filter(number__lt=version.number).order_by("-number").first()
    return {"before": (previous or version).pk, "after": version.pk}


def _adopt(obj: ItemVersion, created: ItemVersion) -> None:
    """Points the admin's unsaved instance at the version the service created, so
    the inline formsets built around that instance save their rows into it."""
    obj.pk, obj.item, obj.number = created.pk, created.item, created.number
    obj._state.adding = False
    obj._state.db = created._state.db


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    autocomplete_fields = ["item"]
    fields = ["order", "item"]
    extra = 1


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active", "themes"]
    search_fields = ["code", "name"]
    formfield_overrides = THEMES_AS_CHECKBOXES
    inlines = [BundleItemInline]
