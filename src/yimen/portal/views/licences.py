"""Licence pages: the public verify page, a licence with its document and the approver's
revoke form, issuing from a granted case, and the CA certificate verifiers trust.

The rules live in yimen.licences (services, selectors, verify); these pages call them and
show a refusal beside the form it came from, keeping what was typed.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yimen.cases.selectors import case_for_page
from yimen.errors import DomainError
from yimen.licences import selectors, services, verify
from yimen.licences.models import Licence

TEMPLATES = "portal/licences/"


def licence_page(view):
    """Signed-in pages; a refused request shows its Chinese message with the error's status."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return render(request, TEMPLATES + "error.html", {"error": error}, status=error.status)

    return wrapper


def verify_page(request):
    """证照查验: the QR code opens /verify?p=…, or the PDF is uploaded here. No sign-in."""
    context = {"nav": "verify", "payload": request.GET.get("p", "")}
    status = 200
    try:
        if request.method == "POST":
            upload = request.FILES.get("file")
            data = upload.read(verify.MAX_UPLOAD_BYTES + 1) if upload else b""
            context["result"] = verify.verify_pdf(data).facts()
        elif "p" in request.GET:
            context["result"] = verify.verify_payload(context["payload"]).facts()
    except DomainError as error:
        context["error"] = error
        status = error.status
    return render(request, TEMPLATES + "verify.html", context, status=status)


def trust_list(request):
    """The seal CA certificates, for `pyhanko sign validate --trust`."""
    response = HttpResponse(selectors.trust_list_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="yimen-seal-ca.pem"'
    return response


def _licence_response(request, licence: Licence, *, reason="", error=None):
    context = {
        "licence": licence,
        "verdict": verify.licence_verdict(licence, timezone.localdate()),
        "may_revoke": selectors.may_revoke(request.user, licence),
        "reason": reason,
        "revoke_error": error,
    }
    status = error.status if error else 200
    return render(request, TEMPLATES + "licence.html", context, status=status)


@licence_page
def licence_detail(request, number: str):
    return _licence_response(request, selectors.licence_for_viewer(request.user, number))


@licence_page
def licence_document(request, number: str):
    licence, content = selectors.licence_document(request.user, number)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{licence.number}.pdf"'
    return response


@require_POST
@licence_page
def licence_revoke(request, number: str):
    licence = selectors.licence_for_viewer(request.user, number)
    reason = request.POST.get("reason", "")
    try:
        services.licence_revoke(licence=licence, approver=request.user, reason=reason)
    except DomainError as error:
        return _licence_response(request, licence, reason=reason, error=error)
    messages.success(request, _("证照 %(n)s 已撤销。") % {"n": number})
    return redirect("licences:detail", number=number)


@require_POST
@licence_page
def licence_issue(request, case_no: str):
    """制证 from a granted case's page: the approver seals and registers the licence."""
    case = case_for_page(request.user, case_no)
    seen = request.POST.get("version", "")
    licence = services.licence_issue(
        case=case, actor=request.user, expected_version=int(seen) if seen.isdigit() else None
    )
    messages.success(request, _("已制发电子证照 %(n)s。") % {"n": licence.number})
    return redirect("licences:detail", number=licence.number)
