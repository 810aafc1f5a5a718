"""Forms for the catalog staff pages in the admin."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yimen.catalog.errors import CatalogError
from yimen.catalog.models import (
    DeliveryMode,
    ItemVersion,
    MaterialSpec,
    ServiceItem,
    VersionStatus,
)
from yimen.catalog.widgets import MaterialFileInput
from yimen.errors import InvalidInput
from yimen.uploads import check_upload, random_name


class ItemVersionForm(forms.ModelForm):
    """A draft version; delivery modes are ticked rather than typed as JSON.

    `refusal` is the error a catalog service raised when this same input was
    saved; the admin shows the form again with it beside the field it concerns.
    """

    refusal: CatalogError | None = None

    delivery_modes = forms.MultipleChoiceField(
        label=_("送达方式"),
        choices=DeliveryMode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ItemVersion
        fields = [*ItemVersion.CONTENT_FIELDS, "change_note"]

    def _get_validation_exclusions(self):
        # The catalog service checks the limits and names both in its message; the
        # database constraint behind it would only say that a constraint failed.
        return super()._get_validation_exclusions() | {"committed_limit_days"}

    def clean(self):
        cleaned_data = super().clean()
        if self.refusal:
            field = self.refusal.field if self.refusal.field in self.fields else None
            self.add_error(field, self.refusal.message)
        return cleaned_data


class NewItemForm(ItemVersionForm):
    """The first draft of a new service item, which gets its code here."""

    code = forms.CharField(
        label=_("事项编码"),
        max_length=ServiceItem._meta.get_field("code").max_length,
        help_text=_("新事项的编码。修订已有事项请在“服务事项”中使用“新建修订草稿”。"),
    )


MATERIAL_FILE_HELP = _(
    "PDF、OFD、JPG 或 PNG，按文件内容识别。Word、Excel 表格请另存为 PDF 后上传。"
    "公众在办事指南中下载。"
)


class MaterialSpecForm(forms.ModelForm):
    """A material of a draft version. Its blank form and sample are published in the
    service guide, so they pass the same checks as citizens' uploads and are stored
    under random names."""

    class Meta:
        model = MaterialSpec
        fields = [
            "order",
            "kind",
            "name",
            "necessity",
            "form",
            "source",
            "originals",
            "copies",
            "reusable",
            "blank_form",
            "sample",
            "notes",
        ]
        help_texts = {"blank_form": MATERIAL_FILE_HELP, "sample": MATERIAL_FILE_HELP}
        widgets = {"blank_form": MaterialFileInput, "sample": MaterialFileInput}

    def clean_blank_form(self):
        return self._checked_file("blank_form")

    def clean_sample(self):
        return self._checked_file("sample")

    def _checked_file(self, name: str):
        file = self.cleaned_data[name]
        if not isinstance(file, UploadedFile):  # unchanged, cleared or never given
            return file
        try:
            checked = check_upload(file, field=name)
        except InvalidInput as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None
        file.name = random_name(checked)
        return file


def _date_defaulting_to_today(**kwargs) -> forms.DateField:
    return forms.DateField(
        initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}), **kwargs
    )


class PublishForm(forms.Form):
    effective_from = _date_defaulting_to_today(label=_("生效日期"))
    change_note = forms.CharField(
        label=_("修订说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("本版本与上一版本相比改了什么、为什么改。"),
    )


class RetireForm(forms.Form):
    effective_until = _date_defaulting_to_today(label=_("停用日期"))


class CancelForm(forms.Form):
    # Left optional here: the cancel service owns the rule that a reason is required.
    reason = forms.CharField(
        label=_("取消原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：无法律法规依据。事项及取消原因将保留可查。"),
    )


def version_label(number: int, status: str) -> str:
    return _("第%(n)s版（%(s)s）") % {"n": number, "s": VersionStatus(status).label}


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ItemVersion) -> str:
        return version_label(obj.number, obj.status)


class CompareForm(forms.Form):
    before = VersionChoiceField(label=_("修改前"), queryset=ItemVersion.objects.none())
    after = VersionChoiceField(label=_("修改后"), queryset=ItemVersion.objects.none())

    def __init__(self, *args, item: ServiceItem, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("before", "after"):
            self.fields[name].queryset = item.versions.order_by("number")
