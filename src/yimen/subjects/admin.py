"""Admin pages for subjects, accounts and staff roles. Lists show masked IDs and phones.

A resident ID is stored sealed, so the forms carry it as an ordinary field and the
search finds a subject by its whole ID or USCC through the keyed hash. Opening a
person's page shows the whole ID to staff who may see whole IDs (`subject.view_full_id`),
and is recorded like any other full view; to other admin users it stays masked.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yimen.errors import InvalidInput
from yimen.subjects import permissions, selectors, validators
from yimen.subjects.models import (
    Account,
    ApiToken,
    Authorisation,
    DelegatedAct,
    LockerAccessGrant,
    LockerEntry,
    LockerReuse,
    Organisation,
    Person,
    StaffRole,
    Subject,
)
from yimen.subjects.signals import full_id_viewed


def portal_sign_in(request, extra_context=None):
    """The admin site signs in through the portal's sign-in page, which asks staff for their
    second factor; the admin's own password-only form is never shown."""
    return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))


admin.site.login = portal_sign_in


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


@admin.register(Account)
class AccountAdmin(UserAdmin):
    list_display = ["username", "name", "masked_phone", "is_staff", "is_active"]
    search_fields = ["username", "name", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["name", "phone", "email"]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    inlines = [StaffRoleInline]

    @admin.display(description=_("手机号码"))
    def masked_phone(self, account: Account) -> str:
        return account.masked_phone


class SubjectCodeForm(forms.ModelForm):
    """The subject's ID or USCC as a form field (the model keeps it sealed)."""

    normalise = staticmethod(validators.normalise_resident_id)
    code = forms.CharField(label=_("证件号码"), max_length=18)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["code"] = self.instance.code

    def clean_code(self) -> str:
        try:
            code = self.normalise(self.cleaned_data["code"])
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        taken = type(self.instance).objects.by_code(code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("该证件号码已登记。"), code="code_taken")
        return code

    def save(self, commit=True):
        self.instance.code = self.cleaned_data["code"]
        return super().save(commit)


class PersonForm(SubjectCodeForm):
    class Meta:
        model = Person
        fields = ["name", "phone", "address", "account"]


class MaskedPersonForm(forms.ModelForm):
    """A person's page for staff who may not see whole IDs: the ID and the phone stay
    masked and cannot be changed here."""

    class Meta:
        model = Person
        fields = ["name", "address", "account"]


class OrganisationForm(SubjectCodeForm):
    normalise = staticmethod(validators.normalise_uscc)

    class Meta:
        model = Organisation
        fields = ["name", "org_type", "legal_representative", "address"]


class SubjectSearchMixin:
    """Search by name, or by a whole ID or USCC (found through its keyed hash)."""

    search_fields = ["name"]

    def get_search_results(self, request, queryset, search_term):
        exact = selectors.exact_code(search_term.strip())
        if exact and queryset.by_code(exact[1]).exists():
            return queryset.by_code(exact[1]), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(Person)
class PersonAdmin(SubjectSearchMixin, admin.ModelAdmin):
    form = PersonForm
    list_display = ["name", "masked_code", "masked_phone", "address"]
    fields = ["name", "code", "phone", "address", "account"]
    masked_fields = ["name", "masked_code", "masked_phone", "address", "account"]
    raw_id_fields = ["account"]

    def _masked_for(self, request, person: Person | None) -> bool:
        return person is not None and not permissions.can(request.user, "subject.view_full_id")

    def get_fields(self, request, obj=None):
        return self.masked_fields if self._masked_for(request, obj) else self.fields

    def get_readonly_fields(self, request, obj=None):
        return ["masked_code", "masked_phone"] if self._masked_for(request, obj) else []

    def get_form(self, request, obj=None, **kwargs):
        if self._masked_for(request, obj):
            kwargs["form"] = MaskedPersonForm
        return super().get_form(request, obj, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = self.get_object(request, object_id)
        shown = person is not None and not self._masked_for(request, person)
        if shown and self.has_view_or_change_permission(request, person):
            full_id_viewed.send(Subject, viewer=request.user, subject=person, purpose="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("身份证号"))
    def masked_code(self, person: Person) -> str:
        return person.masked_code

    @admin.display(description=_("联系电话"))
    def masked_phone(self, person: Person) -> str:
        return person.masked_phone


@admin.register(Organisation)
class OrganisationAdmin(SubjectSearchMixin, admin.ModelAdmin):
    form = OrganisationForm
    list_display = ["name", "code", "org_type", "legal_representative"]
    list_filter = ["org_type"]
    fields = ["name", "code", "org_type", "legal_representative", "address"]
    raw_id_fields = ["legal_representative"]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["account", "role", "center", "department", "is_active"]
    list_filter = ["role", "center", "department", "is_active"]


@admin.register(Authorisation)
class AuthorisationAdmin(admin.ModelAdmin):
    list_display = ["principal", "agent", "all_items", "valid_from", "valid_until", "revoked_at"]
    raw_id_fields = ["principal", "agent", "granted_by", "revoked_by"]
    filter_horizontal = ["items"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services; the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LockerEntry)
class LockerEntryAdmin(ReadOnlyAdmin):
    list_display = ["title", "subject", "kind", "source", "valid_until", "revoked_at"]
    list_filter = ["source", "kind"]


@admin.register(LockerReuse)
class LockerReuseAdmin(ReadOnlyAdmin):
    list_display = ["entry", "item_code", "case_ref", "actor", "authorisation", "at"]


@admin.register(DelegatedAct)
class DelegatedActAdmin(ReadOnlyAdmin):
    list_display = ["action", "principal", "actor", "item_code", "case_ref", "at"]


@admin.register(LockerAccessGrant)
class LockerAccessGrantAdmin(ReadOnlyAdmin):
    list_display = ["staff", "subject", "case_ref", "granted_at", "expires_at", "revoked_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["account", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
