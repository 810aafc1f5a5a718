from django.urls import path

from yimen.portal.views import catalog

app_name = "catalog"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("items/", catalog.item_search, name="items"),
    path("items/<str:code>/", catalog.item_guide, name="item"),
    path("items/<str:code>/notice.pdf", catalog.item_notice, name="notice"),
    path("items/<str:code>/changes/", catalog.item_changes, name="changes"),
    path("bundles/", catalog.bundle_list, name="bundles"),
    path("bundles/<str:code>/", catalog.bundle_detail, name="bundle"),
    path("power-list/", catalog.power_list, name="power_list"),
]
