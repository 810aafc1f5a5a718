"""Admin pages for subjects, accounts and staff roles. Lists show masked IDs and phones."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

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
)


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


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_code", "masked_phone", "address"]
    search_fields = ["name", "=code"]
    fields = ["name", "code", "phone", "address", "account"]
    raw_id_fields = ["account"]

    @admin.display(description=_("身份证号"))
    def masked_code(self, person: Person) -> str:
        return person.masked_code

    @admin.display(description=_("联系电话"))
    def masked_phone(self, person: Person) -> str:
        return person.masked_phone


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "org_type", "legal_representative"]
    list_filter = ["org_type"]
    search_fields = ["name", "=code"]
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
