"""The window hall and the kiosk: appointments, the call screen, the hall board, waiting
times for supervision, and the self-service kiosk. Included at the site's root."""

from django.urls import path

from yimen.portal.views import hall, kiosk

app_name = "hall"

urlpatterns = [
    path("appointments/", hall.appointments, name="appointments"),
    path(
        "appointments/<int:appointment_id>/cancel/",
        hall.appointment_cancel,
        name="appointment_cancel",
    ),
    path("window/queue/", hall.window_queue, name="window_queue"),
    path("window/queue/call/", hall.call_next, name="call"),
    path("window/queue/recall/", hall.recall, name="recall"),
    path("window/queue/finish/", hall.finish, name="finish"),
    path("window/queue/no-show/", hall.no_show, name="no_show"),
    path("window/queue/take/", hall.take, name="take"),
    path("window/queue/leave/", hall.leave, name="leave"),
    path("hall/<str:center_code>/board/", hall.board, name="board"),
    path("supervision/waiting/", hall.waiting, name="waiting"),
    path("kiosk/", kiosk.home, name="kiosk"),
    path("kiosk/items/", kiosk.items, name="kiosk_items"),
    path("kiosk/items/<str:code>/", kiosk.item, name="kiosk_item"),
    path("kiosk/items/<str:code>/print/", kiosk.item_print, name="kiosk_print"),
    path("kiosk/items/<str:code>/notice.pdf", kiosk.notice_pdf, name="kiosk_notice"),
    path("kiosk/items/<str:code>/apply/", kiosk.apply, name="kiosk_apply"),
    path("kiosk/ticket/", kiosk.ticket_take, name="kiosk_take"),
    path("kiosk/ticket/check-in/", kiosk.check_in, name="kiosk_check_in"),
    path("kiosk/ticket/<int:ticket_id>/", kiosk.ticket, name="kiosk_ticket"),
    path("kiosk/ticket/<int:ticket_id>/slip/", kiosk.ticket_slip, name="kiosk_slip"),
    path("kiosk/progress/", kiosk.progress, name="kiosk_progress"),
    path("kiosk/rate/", kiosk.rate, name="kiosk_rate"),
]
