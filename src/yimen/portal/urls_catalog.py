from django.urls import path

from yimen.portal.views import catalog

app_name = "catalog"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("items/", catalog.item_search, name="items"),
    path("items/<str:code>/", catalog.item_guide, name="item"),
    path("items/<str:code>/notice.pdf", catalog.item_notice, name="notice"),
    path("items/<str:code>/changes/", catalog.item_changes, name="changes"),
    path(
        "items/<str:code>/materials/<int:material_id>/blank-form",
        catalog.material_file,
        {"part": "blank_form"},
        name="blank_form",
    ),
    path(
        "items/<str:code>/materials/<int:material_id>/sample",
        catalog.material_file,
        {"part": "sample"},
        name="sample",
    ),
    path("bundles/", catalog.bundle_list, name="bundles"),
    path("bundles/<str:code>/", catalog.bundle_detail, name="bundle"),
    path("power-list/", catalog.power_list, name="power_list"),
]
