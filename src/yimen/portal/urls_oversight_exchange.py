from django.urls import path

from yimen.portal.views import oversight_exchange as views

app_name = "oversight_exchange"

urlpatterns = [
    path("regulator/", views.inbox, name="inbox"),
    path("regulator/notices/<uuid:notice_id>/", views.notice, name="notice"),
    path("regulator/notices/<uuid:notice_id>/ack/", views.notice_acknowledge, name="ack"),
    path("regulator/notices/<uuid:notice_id>/findings/", views.finding_send, name="finding"),
    path("regulator/subscriptions/", views.subscriptions, name="subscriptions"),
    path(
        "regulator/subscriptions/<int:pk>/end/",
        views.subscription_end,
        name="subscription_end",
    ),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:pk>/handle/", views.finding_handle, name="finding_handle"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<uuid:message_id>/retry/", views.outbox_retry, name="outbox_retry"),
]
