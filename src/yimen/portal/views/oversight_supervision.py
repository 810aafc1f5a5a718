"""Supervision's pages (电子监察): the live dashboard, the statistics with charts and a
spreadsheet, and random spot checks. Only supervisors (and superusers) see them."""

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yimen.cases.models import Channel
from yimen.catalog.models import Department, ServiceCenter
from yimen.errors import DomainError
from yimen.oversight.models.supervision import SpotCheckCase
from yimen.oversight.selectors import stats as stats_selectors
from yimen.oversight.selectors import supervision as selectors
from yimen.oversight.selectors.stats import StatsFilter
from yimen.oversight.services import supervision as services
from yimen.portal.views.cases import place_error

TEMPLATES = "portal/oversight/supervision/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def supervision_page(view):
    """Signed-in supervisors only; anyone else is told why, with the error's status."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            selectors.ensure_supervisor(request.user)
            return view(request, *args, **kwargs)
        except DomainError as error:
            return render(request, "portal/cases/error.html", {"error": error}, status=error.status)

    return wrapper


# --- forms --------------------------------------------------------------------------------


def _date_field(label, help_text) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _choices(everything, pairs) -> list[tuple[str, str]]:
    return [("", everything), *pairs]


class ScopeForm(forms.Form):
    """Period, department, center and channel, named as in the API (`from`, `to`, …)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = _date_field(
            gettext_lazy("开始日期"), gettext_lazy("留空则统计截至结束日期的最近12个月。")
        )
        self.fields["to"] = _date_field(gettext_lazy("结束日期"), gettext_lazy("留空则到今天。"))
        self.fields["department"] = forms.ChoiceField(
            label=gettext_lazy("部门"),
            required=False,
            choices=_choices(_("全部部门"), Department.objects.values_list("code", "name")),
        )
        self.fields["center"] = forms.ChoiceField(
            label=gettext_lazy("服务中心"),
            required=False,
            choices=_choices(_("全部中心"), ServiceCenter.objects.values_list("code", "name")),
        )
        self.fields["channel"] = forms.ChoiceField(
            label=gettext_lazy("申请渠道"),
            required=False,
            choices=_choices(_("全部渠道"), Channel.choices),
        )
        self.order_fields(self.field_order)

    def scope(self) -> StatsFilter:
        data = self.cleaned_data
        return stats_selectors.stats_filter(
            date_from=data["from"],
            date_to=data["to"],
            department=data["department"],
            center=data["center"],
            channel=data["channel"],
        )


class DrawForm(ScopeForm):
    size = forms.IntegerField(label=gettext_lazy("抽取数量"), min_value=1, initial=10)
    seed = forms.IntegerField(
        label=gettext_lazy("随机种子"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("留空则随机生成；填写以往抽查的种子和范围可重现同一批办件。"),
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=200)

    field_order = ["size", "seed", "from", "to", "department", "center", "channel", "note"]


class ReviewForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("检查结论"),
        choices=[
            (SpotCheckCase.Result.OK, SpotCheckCase.Result.OK.label),
            (SpotCheckCase.Result.PROBLEM, SpotCheckCase.Result.PROBLEM.label),
        ],
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(
        label=gettext_lazy("发现的问题"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- the dashboard ------------------------------------------------------------------------


@supervision_page
def dashboard(request):
    return render(
        request,
        TEMPLATES + "dashboard.html",
        {"nav": "supervision", "tab": "dashboard", "board": selectors.dashboard(request.user)},
    )


# --- statistics ---------------------------------------------------------------------------


def _scope_from(form: ScopeForm) -> StatsFilter | None:
    """The form's scope, or None with the problems placed beside their fields."""
    if form.is_bound and not form.is_valid():
        return None
    try:
        return form.scope() if form.is_bound else stats_selectors.stats_filter()
    except DomainError as error:
        place_error(form, error)
        return None


def _xlsx(report) -> HttpResponse:
    scope = report.filters
    response = HttpResponse(stats_selectors.stats_workbook(report), content_type=XLSX)
    name = f"yimen-stats-{scope.date_from:%Y%m%d}-{scope.date_to:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@supervision_page
def stats(request):
    params = request.GET.copy()
    wants_xlsx = params.pop("format", [""])[0] == "xlsx"
    form = ScopeForm(params or None)
    context = {"nav": "supervision", "tab": "stats", "form": form}
    scope = _scope_from(form)
    if scope is None:
        return render(request, TEMPLATES + "stats.html", context, status=422)
    report = stats_selectors.stats_report(request.user, scope)
    if wants_xlsx:
        return _xlsx(report)
    query = params.copy()
    query["format"] = "xlsx"
    context.update(
        report=report,
        columns=stats_selectors.COLUMNS,
        cards=stats_selectors.cells(report.totals),
        satisfaction_text=stats_selectors.percent_text(report.satisfaction.rate),
        department_rows=stats_selectors.table_rows(report.departments),
        month_rows=stats_selectors.table_rows(report.months),
        charts=stats_selectors.chart_data(report),
        xlsx_query=query.urlencode(),
    )
    return render(request, TEMPLATES + "stats.html", context)


# --- spot checks --------------------------------------------------------------------------


@supervision_page
def spot_checks(request):
    form = DrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        scope = _scope_from(form)
        if scope is not None:
            try:
                check = services.spot_check_draw(
                    supervisor=request.user,
                    scope=scope,
                    size=form.cleaned_data["size"],
                    seed=form.cleaned_data["seed"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                place_error(form, error)
                status = error.status
            else:
                messages.success(request, _("已抽取 %(n)s 件办件。") % {"n": check.cases.count()})
                return redirect("supervision:spot_check", pk=check.pk)
        else:
            status = 422
    context = {
        "nav": "supervision",
        "tab": "spot_checks",
        "form": form,
        "checks": selectors.spot_checks(request.user),
    }
    return render(request, TEMPLATES + "spot_checks.html", context, status=status)


def _spot_check_page(request, pk: int, failed=None, status: int = 200):
    """A draw and its cases; `failed` is (case_no, bound form) for a review refused."""
    view = selectors.spot_check_detail(request.user, pk)
    failed_no, failed_form = failed or ("", None)
    rows = [
        (
            item,
            failed_form if item.case.case_no == failed_no else ReviewForm(prefix=item.case.case_no),
        )
        for item in view.items
    ]
    context = {"nav": "supervision", "tab": "spot_checks", "view": view, "rows": rows}
    return render(request, TEMPLATES + "spot_check.html", context, status=status)


@supervision_page
def spot_check(request, pk: int):
    return _spot_check_page(request, pk)


@supervision_page
@require_POST
def spot_check_review(request, pk: int, case_no: str):
    item = selectors.spot_check_item(request.user, pk, case_no)
    form = ReviewForm(request.POST, prefix=case_no)
    if not form.is_valid():
        return _spot_check_page(request, pk, (case_no, form), status=422)
    try:
        services.spot_check_review(
            supervisor=request.user,
            item=item,
            result=form.cleaned_data["result"],
            finding=form.cleaned_data["finding"],
        )
    except DomainError as error:
        place_error(form, error)
        return _spot_check_page(request, pk, (case_no, form), status=error.status)
    messages.success(request, _("已记录办件 %(n)s 的检查结论。") % {"n": case_no})
    return redirect(reverse("supervision:spot_check", kwargs={"pk": pk}) + f"#case-{case_no}")
