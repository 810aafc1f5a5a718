"""What the public sees of the catalog: home, search, the service guide, bundles, power list."""

import csv
import functools
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from yimen.catalog import search, selectors
from yimen.catalog.downloads import material_file_response
from yimen.catalog.models import DeliveryMode, ItemType, SubjectType
from yimen.catalog.notice import render_notice
from yimen.errors import DomainError, IllegalAction, InvalidInput

SEARCH_FILTERS = ("department", "subject_type", "item_type", "theme", "include_cancelled")
EXPORT_FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A material's downloadable files, by field, with the word their download is named with.


def public_page(view):
    """A read-only page; a refused request shows its Chinese message on a friendly page."""

    @require_safe
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return render(
                request, "portal/catalog/error.html", {"error": error}, status=error.status
            )

    return wrapper


@public_page
def home(request):
    index = search.catalog_index()
    return render(
        request,
        "portal/catalog/home.html",
        {
            "nav": "home",
            "themes": [t for t in index.themes if t.item_count],
            "bundles": index.search_bundles(),
            "popular": index.popular_items(),
        },
    )


@public_page
def item_search(request):
    index = search.catalog_index()
    query = {name: request.GET.get(name, "") for name in ("q", "page", *SEARCH_FILTERS)}
    context = {
        "nav": "items",
        "query": query,
        "departments": index.departments,
        "themes": index.themes,
        "subject_types": SubjectType.choices,
        "item_types": ItemType.choices,
    }
    try:
        context["result"] = index.search_items(**query)
    except InvalidInput as error:
        context["error"] = error
        return render(request, "portal/catalog/search.html", context, status=error.status)
    return render(request, "portal/catalog/search.html", context)


@public_page
def item_guide(request, code: str):
    index = search.catalog_index()
    entry = index.item(code)
    version = selectors.version_by_number(code, entry.resolve_version(request.GET.get("version")))
    is_current = version.number == entry.version_number
    return render(
        request,
        "portal/catalog/item.html",
        {
            "nav": "items",
            "entry": entry,
            "version": version,
            "is_current": is_current,
            "offered": is_current and not entry.cancelled,
            "themes": index.theme_names(entry.themes),
            "fee": yuan(version.fee_fen),
            "delivery": [DeliveryMode(m).label for m in version.delivery_modes],
            "centers": version.item.centers.all(),
        },
    )


@public_page
def item_notice(request, code: str):
    entry = search.item_entry(code)
    if entry.cancelled:
        raise IllegalAction(
            "item_cancelled",
            _("该事项已取消（%(r)s），不再受理。") % {"r": entry.cancel_reason},
        )
    version = selectors.version_by_number(code, entry.resolve_version(request.GET.get("version")))
    response = HttpResponse(render_notice(version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-v{version.number}-notice.pdf"'
    return response


@public_page
def material_file(request, code: str, material_id: int, part: str):
    """A material's blank form or sample, as published in the guide, for anyone."""
    material = selectors.published_material_with(code, material_id, part)
    return material_file_response(material, part)


@public_page
def item_changes(request, code: str):
    """What changed between two versions; by default the current one and the one before."""
    entry = search.item_entry(code)
    after = entry.resolve_version(request.GET.get("to"), "to")
    requested = request.GET.get("from") or entry.previous_number(after)
    before = entry.resolve_version(requested, "from") if requested else after
    changes = []
    if before != after:
        changes = selectors.version_diff(
            selectors.version_by_number(code, before), selectors.version_by_number(code, after)
        )
    return render(
        request,
        "portal/catalog/changes.html",
        {"nav": "items", "entry": entry, "before": before, "after": after, "changes": changes},
    )


@public_page
def bundle_list(request):
    index = search.catalog_index()
    query = {name: request.GET.get(name, "") for name in ("q", "theme")}
    return render(
        request,
        "portal/catalog/bundles.html",
        {
            "nav": "bundles",
            "query": query,
            "themes": index.themes,
            "bundles": index.search_bundles(**query),
        },
    )


@public_page
def bundle_detail(request, code: str):
    search.bundle_entry(code)
    view = selectors.bundle_view(code)
    return render(
        request,
        "portal/catalog/bundle.html",
        {"nav": "bundles", "view": view, "total_fee": yuan(view.total_fee_fen)},
    )


@public_page
def power_list(request):
    index = search.catalog_index()
    query = {name: request.GET.get(name, "") for name in ("department", "item_type")}
    entries = index.power_list(**query)
    export = request.GET.get("format", "")
    if export:
        return power_list_export(entries, export)
    return render(
        request,
        "portal/catalog/power_list.html",
        {
            "nav": "power_list",
            "query": query,
            "entries": entries,
            "departments": index.departments,
            "item_types": ItemType.choices,
        },
    )


def power_list_export(entries: list[search.ItemEntry], export: str) -> HttpResponse:
    if export not in EXPORT_FORMATS:
        raise InvalidInput("bad_format", _("导出格式须为 xlsx 或 csv。"), field="format")
    rows = [power_list_header(), *(power_list_row(n, e) for n, e in enumerate(entries, 1))]
    stamp = timezone.localdate().strftime("%Y%m%d")
    if export == "csv":
        response = HttpResponse(to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_xlsx(rows, _("权力清单")), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="power-list-{stamp}.{export}"'
    return response


def power_list_header() -> list[str]:
    return [
        _("序号"),
        _("事项编码"),
        _("事项名称"),
        _("事项类型"),
        _("实施部门"),
        _("服务对象"),
        _("设定依据"),
        _("状态"),
    ]


def power_list_row(number: int, entry: search.ItemEntry) -> list:
    return [
        number,
        entry.code,
        entry.name,
        entry.item_type_label,
        entry.department_name,
        entry.subject_type_label,
        "；".join(entry.legal_bases),
        entry.status_label,
    ]


def to_csv(rows: list[list]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    # The byte order mark lets Excel open the file as UTF-8.
    return text.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[list], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (6, 22, 36, 14, 24, 14, 48, 24), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
