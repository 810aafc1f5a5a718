from django.urls import include, path

urlpatterns = [
    path("", include("yimen.portal.urls_catalog")),
    path("", include("yimen.portal.urls_accounts")),
]
