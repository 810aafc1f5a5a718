from django.urls import path

from yimen.portal.views import oversight_ratings as views

app_name = "oversight_ratings"

urlpatterns = [
    path("cases/<str:case_no>/rate/", views.rate, name="rate"),
    path("r/<str:token>/", views.rate_by_link, name="rate_link"),
    path("oversight/ratings/", views.rectifications, name="rectifications"),
    path("oversight/ratings/<int:rating_id>/", views.rectification, name="rectification"),
    path(
        "oversight/ratings/<int:rating_id>/<slug:action>/",
        views.rectification_act,
        name="rectification_act",
    ),
    path("complaints/new/", views.complain, name="complain"),
    path("oversight/complaints/", views.complaint_desk, name="complaint_desk"),
    path("oversight/complaints/<int:complaint_id>/", views.complaint, name="complaint"),
    path(
        "oversight/complaints/<int:complaint_id>/<slug:action>/",
        views.complaint_act,
        name="complaint_act",
    ),
    path("satisfaction/", views.satisfaction, name="satisfaction"),
    path("oversight/assessment/", views.assessment, name="assessment"),
]
