"""Read-only case admin: cases change only through the services, never by hand."""

from django.contrib import admin

from yimen.cases.models import Case, CaseEvent, ClockPause, Task
from yimen.cases.models_hall import Appointment, QueueTicket


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnly, admin.TabularInline):
    model = CaseEvent
    fields = ["seq", "action", "from_state", "to_state", "actor", "at", "data"]
    readonly_fields = fields
    extra = 0


class TaskInline(ReadOnly, admin.TabularInline):
    model = Task
    fields = ["stage_name", "role", "department", "status", "done_by", "done_at", "opinion"]
    readonly_fields = fields
    extra = 0


class PauseInline(ReadOnly, admin.TabularInline):
    model = ClockPause
    fields = ["kind", "reason", "started_on", "ended_on", "end_reason"]
    readonly_fields = fields
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["case_no", "version", "subject", "state", "deadline", "received_at"]
    list_filter = ["state", "channel", "department"]
    search_fields = ["case_no"]
    list_select_related = ["version", "subject"]
    show_full_result_count = False
    inlines = [TaskInline, PauseInline, EventInline]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "center", "starts_at", "line", "name", "status", "booked_via"]
    list_filter = ["status", "line", "booked_via", "center"]
    search_fields = ["code"]
    date_hierarchy = "day"
    list_select_related = ["center"]


@admin.register(QueueTicket)
class QueueTicketAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "center", "day", "line", "source", "status", "issued_at"]
    list_filter = ["status", "line", "source", "center"]
    date_hierarchy = "day"
    list_select_related = ["center"]
