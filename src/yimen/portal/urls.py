from django.urls import include, path

urlpatterns = [
    path("", include("yimen.portal.urls_catalog")),
    path("", include("yimen.portal.urls_accounts")),
    path("", include("yimen.portal.urls_cases")),
    path("", include("yimen.portal.urls_licences")),
    path("", include("yimen.portal.urls_oversight_ratings")),
    path("", include("yimen.portal.urls_oversight_exchange")),
    path("", include("yimen.portal.urls_oversight_supervision")),
    path("", include("yimen.portal.urls_hall")),
    path("", include("yimen.portal.urls_online")),
]
