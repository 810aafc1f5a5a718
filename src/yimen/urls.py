from django.contrib import admin
from django.urls import include, path

from yimen.api.urls import api

admin.site.site_header = admin.site.site_title = "一门 · 行政审批局管理后台"
admin.site.index_title = "业务数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("yimen.portal.urls")),
]
