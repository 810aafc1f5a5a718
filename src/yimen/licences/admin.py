"""Read-only admin for the seal, its uses and the licence registry: they change only
through the services (and the seal-init / seal-rotate commands). Keys never show."""

from django.contrib import admin

from yimen.licences.models import Licence, LicenceNumberTaken, Seal, SealAuthority, SealUse


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SealAuthority)
class SealAuthorityAdmin(ReadOnly):
    list_display = ["name", "fingerprint", "is_demo", "created_at"]
    fields = ["name", "fingerprint", "is_demo", "created_at", "certificate_pem"]


@admin.register(Seal)
class SealAdmin(ReadOnly):
    list_display = ["name", "algorithm", "source", "is_demo", "active_from", "retired_at"]
    list_filter = ["source", "is_demo"]
    fields = [
        "name",
        "authority",
        "source",
        "algorithm",
        "fingerprint",
        "is_demo",
        "active_from",
        "retired_at",
        "sm2_public_key",
        "certificate_pem",
        "chain_pem",
    ]


@admin.register(SealUse)
class SealUseAdmin(ReadOnly):
    list_display = ["at", "kind", "document_number", "case_ref", "actor", "seal"]
    list_filter = ["kind"]
    search_fields = ["document_number", "case_ref", "sha256"]
    list_select_related = ["actor", "seal"]
    show_full_result_count = False


@admin.register(Licence)
class LicenceAdmin(ReadOnly):
    list_display = ["number", "title", "holder", "status", "valid_until", "issued_at"]
    list_filter = ["status"]
    search_fields = ["number", "identifier", "sha256"]
    list_select_related = ["holder"]
    show_full_result_count = False


@admin.register(LicenceNumberTaken)
class LicenceNumberTakenAdmin(ReadOnly):
    list_display = ["number", "case", "taken_at", "taken_by", "void_reason", "voided_by"]
    search_fields = ["number", "case__case_no"]
    list_select_related = ["case", "taken_by", "voided_by"]
