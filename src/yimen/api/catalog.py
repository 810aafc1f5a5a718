"""The public catalog: search items, read a service guide, bundles, departments, themes.

Filters are taken as text and checked by the catalog search, so a bad value is
answered 422 with a code and a Chinese message, the same as on the web pages.
"""

from ninja import Query, Router

from yimen.api.schemas_catalog import (
    BundleDetailOut,
    BundleSummaryOut,
    ErrorOut,
    FacetOut,
    ItemDetailOut,
    ItemPageOut,
)
from yimen.catalog import search, selectors

router = Router(tags=["事项目录"])

NOT_FOUND = {404: ErrorOut}
BAD_INPUT = {422: ErrorOut}


@router.get("/items", response={200: ItemPageOut, **BAD_INPUT}, summary="搜索事项")
def list_items(
    request,
    q: str = Query("", description="事项名称、编码、全拼或拼音首字母（如 lnz）"),
    department: str = Query("", description="实施部门编码"),
    subject_type: str = Query("", description="服务对象：person、organisation 或 both"),
    item_type: str = Query("", description="事项类型代码（GB/T 39046：01…10、20）"),
    theme: str = Query("", description="办事主题编码"),
    include_cancelled: str = Query("", description="true 时同时列出已取消的事项"),
    page: str = Query("1", description="页码，从 1 开始；每页 20 项"),
):
    return search.search_items(
        q,
        department=department,
        subject_type=subject_type,
        item_type=item_type,
        theme=theme,
        include_cancelled=include_cancelled,
        page=page,
    )


@router.get(
    "/items/{code}",
    response={200: ItemDetailOut, **NOT_FOUND, **BAD_INPUT},
    summary="事项办事指南",
)
def get_item(request, code: str, version: str = Query("", description="版本号；默认现行版本")):
    entry = search.item_entry(code)
    found = selectors.version_by_number(code, entry.resolve_version(version))
    return ItemDetailOut.model_validate(found, context={"entry": entry})


@router.get("/bundles", response=list[BundleSummaryOut], summary="一件事列表")
def list_bundles(request):
    return search.search_bundles()


@router.get("/bundles/{code}", response={200: BundleDetailOut, **NOT_FOUND}, summary="一件事详情")
def get_bundle(request, code: str):
    search.bundle_entry(code)
    return selectors.bundle_view(code)


@router.get("/departments", response=list[FacetOut], summary="实施部门")
def list_departments(request):
    return list(search.catalog_index().departments)


@router.get("/themes", response=list[FacetOut], summary="办事主题")
def list_themes(request):
    return list(search.catalog_index().themes)
