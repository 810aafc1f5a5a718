from django.urls import path

from yimen.portal.views import oversight_supervision as views

app_name = "supervision"

urlpatterns = [
    path("supervision/", views.dashboard, name="dashboard"),
    path("supervision/stats/", views.stats, name="stats"),
    path("supervision/spot-checks/", views.spot_checks, name="spot_checks"),
    path("supervision/spot-checks/<int:pk>/", views.spot_check, name="spot_check"),
    path(
        "supervision/spot-checks/<int:pk>/cases/<str:case_no>/review/",
        views.spot_check_review,
        name="spot_check_review",
    ),
]
