"""Who may open every page and call every API operation: the authorisation matrix.

Every URL pattern of the site (the admin site counted once, the API by its
OpenAPI operations) must have an entry here, and every entry must still exist:
a new page or operation fails `test_every_page_and_operation_is_classified`
until someone decides who may use it.

Each entry is tried by every role on the objects of `tests.security.world`:
citizen A's own case, licence, locker and so on, which citizen B (another
citizen) must not reach. A request counts as allowed when it succeeds (2xx, or
a redirect that does not end at the sign-in page); as refused when it is sent
to sign in or answered 401, 403 or 404. Writes carry valid data, so only who is
asking decides; each request is rolled back before the next. Every page is also
checked for inline scripts and styles the Content Security Policy would block.
"""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.security.world import (
    ANONYMOUS,
    APPROVER,
    APPROVER_ELSEWHERE,
    CATALOG_ADMIN,
    CITIZEN_A,
    CITIZEN_B,
    CLERK,
    GRID_WORKER,
    REGULATOR,
    REVIEWER,
    REVIEWER_ELSEWHERE,
    ROLES,
    SUPERVISOR,
)
from yimen.api.urls import api
from yimen.subjects.demo import resident_id, uscc

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
NOBODY = frozenset()
A = frozenset({CITIZEN_A})
# A person's own pages: each citizen, and the grid worker citizen A authorised.
OWN_SUBJECT = frozenset({CITIZEN_A, CITIZEN_B, GRID_WORKER})
# Citizen A's case and what hangs on it: A, the agent A authorised, and staff serving it.
CASE_VIEWERS = frozenset({CITIZEN_A, CLERK, REVIEWER, APPROVER, SUPERVISOR, GRID_WORKER})
OTHER_DEPARTMENT = frozenset({REVIEWER_ELSEWHERE, APPROVER_ELSEWHERE})
# Looking up a person or a licence is not limited to one's department.
STAFF_LOOKUP = frozenset({CLERK, REVIEWER, APPROVER, SUPERVISOR, GRID_WORKER}) | OTHER_DEPARTMENT
# A's locker: A, A's agent, and the clerk serving A's open case.
LOCKER = frozenset({CITIZEN_A, CLERK, GRID_WORKER})
DEPARTMENT_STAFF = frozenset({REVIEWER, APPROVER})
RATINGS_DESK = frozenset({REVIEWER, APPROVER, SUPERVISOR})
# Lists every department's staff open, each showing only the department's own (below).
RATINGS_LISTS = RATINGS_DESK | OTHER_DEPARTMENT
ALLOWED, REFUSED = "allowed", "refused"


@dataclass(frozen=True)
class Rule:
    """Who may use a page or operation. `params` names the world value for a path parameter
    where it is not the parameter's own name; `data` is the form or JSON body, its strings
    filled from the world's values (`{case_no}`)."""

    allowed: frozenset
    method: str = "GET"
    params: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    form: bool = False  # an API operation that takes a form, not JSON


def post(allowed, data=None, **params) -> Rule:
    return Rule(allowed, "POST", params, data or {})


REFUSE_CORRECTED = {
    "reason": "不属于本机关职权范围。",
    "legal_basis": "中华人民共和国行政许可法第三十二条",
    "version": "{lock_version}",
}
GRANT = {
    "principal": "{person_id}",
    "agent_phone": "{agent_phone}",
    "all_items": "on",
    "valid_until": "2099-12-31",
}

PAGES: dict[str, Rule] = {
    "admin/": Rule(frozenset({CATALOG_ADMIN})),
    "api/v1/": Rule(NOBODY),  # the API's root answers 404; its operations are below
    "api/v1/openapi.json": Rule(EVERYONE),
    "api/v1/docs": Rule(EVERYONE),
    "i18n/setlang/": post(EVERYONE, {"language": "zh-hans", "next": "/"}),
    # The public catalog.
    "": Rule(EVERYONE),
    "items/": Rule(EVERYONE),
    "items/<str:code>/": Rule(EVERYONE, params={"code": "item_code"}),
    "items/<str:code>/notice.pdf": Rule(EVERYONE, params={"code": "item_code"}),
    "items/<str:code>/changes/": Rule(EVERYONE, params={"code": "item_code"}),
    "items/<str:code>/materials/<int:material_id>/blank-form": Rule(
        EVERYONE, params={"code": "item_code", "material_id": "guide_material_id"}
    ),
    "items/<str:code>/materials/<int:material_id>/sample": Rule(
        EVERYONE, params={"code": "item_code", "material_id": "guide_material_id"}
    ),
    "bundles/": Rule(EVERYONE),
    "bundles/<str:code>/": Rule(EVERYONE, params={"code": "bundle_code"}),
    "power-list/": Rule(EVERYONE),
    # Accounts.
    "accounts/login/": Rule(EVERYONE),
    # Only after a staff member's password, within minutes: nobody arrives here directly.
    "accounts/second-factor/": Rule(NOBODY),
    "accounts/logout/": post(EVERYONE),
    "accounts/": Rule(SIGNED_IN),
    "accounts/tokens/": post(SIGNED_IN, {"name": "数据对接"}),
    "accounts/tokens/<int:token_id>/revoke/": post(A),
    "accounts/authorisations/": post(A, GRANT),
    "accounts/authorisations/<int:authorisation_id>/revoke/": post(
        frozenset({CITIZEN_A, CLERK, GRID_WORKER})
    ),
    "me/materials/": Rule(OWN_SUBJECT),
    "me/materials/<int:entry_id>/file/": Rule(LOCKER),
    "me/licences/": Rule(OWN_SUBJECT),
    # The demo's SMS outbox exists only with the outbox backend (demo mode); see
    # test_personal_data for the 404 everywhere else.
    "demo/sms/": Rule(EVERYONE),
    "staff/subjects/": Rule(STAFF_LOOKUP),
    "staff/subjects/<int:subject_id>/materials/": Rule(LOCKER),
    # Cases.
    "window/": Rule(frozenset({CLERK})),
    "window/apply/<int:subject_id>/": Rule(frozenset({CLERK})),
    "work/": Rule(SIGNED_IN),
    "me/cases/": Rule(SIGNED_IN),
    "cases/<str:case_no>/": Rule(CASE_VIEWERS),
    "cases/<str:case_no>/receipt/": Rule(CASE_VIEWERS),
    "cases/<str:case_no>/correction-notice/": Rule(
        CASE_VIEWERS, params={"case_no": "correction_case_no"}
    ),
    "cases/<str:case_no>/receipt.pdf": Rule(CASE_VIEWERS),
    "cases/<str:case_no>/correction-notice.pdf": Rule(
        CASE_VIEWERS, params={"case_no": "correction_case_no"}
    ),
    "cases/<str:case_no>/refusal.pdf": Rule(CASE_VIEWERS, params={"case_no": "refused_case_no"}),
    "cases/<str:case_no>/decision.pdf": Rule(CASE_VIEWERS),
    "cases/<str:case_no>/act/<slug:action>/": post(
        frozenset({CLERK}), REFUSE_CORRECTED, case_no="correction_case_no", action="action_refuse"
    ),
    "cases/<str:case_no>/materials/<int:material_id>/file/": Rule(
        CASE_VIEWERS, params={"case_no": "correction_case_no"}
    ),
    # Licences.
    "verify": Rule(EVERYONE),
    "verify/seal-ca.pem": Rule(EVERYONE),
    "licences/issue/<str:case_no>/": post(frozenset({APPROVER}), case_no="granted_case_no"),
    "licences/<str:number>/": Rule(CASE_VIEWERS),
    "licences/<str:number>/document/": Rule(CASE_VIEWERS),
    "licences/<str:number>/revoke/": post(frozenset({APPROVER}), {"reason": "以欺骗手段取得。"}),
    # Ratings and complaints.
    "cases/<str:case_no>/rate/": Rule(frozenset({CITIZEN_A, GRID_WORKER})),
    "r/<str:token>/": Rule(EVERYONE),
    "oversight/ratings/": Rule(RATINGS_LISTS),
    "oversight/ratings/<int:rating_id>/": Rule(RATINGS_DESK),
    "oversight/ratings/<int:rating_id>/<slug:action>/": post(
        DEPARTMENT_STAFF, {"note": "已核实。"}, action="action_verify"
    ),
    "complaints/new/": Rule(EVERYONE),
    "oversight/complaints/": Rule(RATINGS_LISTS),
    "oversight/complaints/<int:complaint_id>/": Rule(RATINGS_DESK),
    "oversight/complaints/<int:complaint_id>/<slug:action>/": post(
        RATINGS_DESK, {"answer": "已批评教育。", "founded": "yes"}, action="action_answer"
    ),
    "satisfaction/": Rule(EVERYONE),
    "oversight/assessment/": Rule(frozenset({SUPERVISOR})),
    # The approval–regulation exchange.
    "regulator/": Rule(frozenset({REGULATOR})),
    "regulator/notices/<uuid:notice_id>/": Rule(frozenset({REGULATOR})),
    "regulator/notices/<uuid:notice_id>/ack/": post(frozenset({REGULATOR})),
    "regulator/notices/<uuid:notice_id>/findings/": post(
        frozenset({REGULATOR}), {"kind": "opinion", "text": "请核实。"}
    ),
    "regulator/subscriptions/": Rule(frozenset({REGULATOR})),
    "regulator/subscriptions/<int:pk>/end/": post(frozenset({REGULATOR}), pk="subscription_pk"),
    "findings/": Rule(frozenset({APPROVER, APPROVER_ELSEWHERE})),
    "findings/<int:pk>/handle/": post(
        frozenset({APPROVER}), {"response": "已核实。"}, pk="finding_pk"
    ),
    "outbox/": Rule(frozenset({APPROVER, SUPERVISOR, APPROVER_ELSEWHERE})),
    "outbox/<uuid:message_id>/retry/": post(frozenset({APPROVER, SUPERVISOR})),
    # Supervision.
    "supervision/": Rule(frozenset({SUPERVISOR})),
    "supervision/stats/": Rule(frozenset({SUPERVISOR})),
    "supervision/spot-checks/": Rule(frozenset({SUPERVISOR})),
    "supervision/spot-checks/<int:pk>/": Rule(frozenset({SUPERVISOR}), params={"pk": "check_pk"}),
    "supervision/spot-checks/<int:pk>/cases/<str:case_no>/review/": post(
        frozenset({SUPERVISOR}),
        {"{check_case_no}-result": "ok", "{check_case_no}-finding": ""},
        pk="check_pk",
        case_no="check_case_no",
    ),
    "supervision/waiting/": Rule(frozenset({SUPERVISOR})),
    # The hall: appointments, the call screen, the hall board.
    "appointments/": Rule(OWN_SUBJECT),
    "appointments/<int:appointment_id>/cancel/": post(A),
    "window/queue/": Rule(frozenset({CLERK})),
    "window/queue/call/": post(frozenset({CLERK})),
    "window/queue/recall/": post(frozenset({CLERK})),
    "window/queue/finish/": post(frozenset({CLERK})),
    "window/queue/no-show/": post(frozenset({CLERK})),
    "window/queue/take/": post(frozenset({CLERK})),
    "window/queue/leave/": post(frozenset({CLERK})),
    "hall/<str:center_code>/board/": Rule(EVERYONE),
    # The kiosk: public, and it signs out whoever was signed in. A ticket is shown only on
    # the kiosk that printed it.
    "kiosk/": Rule(EVERYONE),
    "kiosk/items/": Rule(EVERYONE),
    "kiosk/items/<str:code>/": Rule(EVERYONE, params={"code": "item_code"}),
    "kiosk/items/<str:code>/print/": Rule(EVERYONE, params={"code": "item_code"}),
    "kiosk/items/<str:code>/notice.pdf": Rule(EVERYONE, params={"code": "item_code"}),
    "kiosk/items/<str:code>/apply/": Rule(EVERYONE, params={"code": "item_code"}),
    "kiosk/ticket/": Rule(EVERYONE),
    "kiosk/ticket/check-in/": Rule(EVERYONE),
    "kiosk/ticket/<int:ticket_id>/": Rule(NOBODY, params={"ticket_id": "no_such_id"}),
    "kiosk/ticket/<int:ticket_id>/slip/": Rule(NOBODY, params={"ticket_id": "no_such_id"}),
    "kiosk/progress/": Rule(EVERYONE),
    "kiosk/rate/": Rule(EVERYONE),
    # The online hall: applying step by step, one's own drafts and ratings.
    # Whom for is asked first; an account acting for nobody is told so on the page.
    "apply/<str:item_code>/": Rule(SIGNED_IN),
    "apply/bundle/<str:code>/": Rule(SIGNED_IN, params={"code": "bundle_code"}),
    "apply/drafts/": Rule(SIGNED_IN),
    "apply/drafts/<int:draft_id>/": Rule(A),
    "apply/drafts/<int:draft_id>/<slug:step>/": Rule(A, params={"step": "step_form"}),
    "apply/drafts/<int:draft_id>/submit/": post(A, {"key": "{draft_key}", "channel": "online"}),
    "apply/drafts/<int:draft_id>/delete/": post(A),
    "me/ratings/": Rule(SIGNED_IN),
    "prefs/elderly/": post(EVERYONE, {"elderly": "1", "next": "/"}),
    "manifest.webmanifest": Rule(EVERYONE),
    "icons/yimen-<int:size>.png": Rule(EVERYONE, params={"size": "icon_size"}),
}

V1 = "/api/v1"
CASE_BODY = {
    "item_code": "{item_code}",
    "subject_id": "{person_id}",
    "channel": "online",
    "form": {"shop_name": "老王面馆"},
    "provided": ["id_card", "floor_plan", "lease"],
}
API: dict[str, Rule] = {
    f"GET {V1}/items": Rule(EVERYONE),
    f"GET {V1}/items/{{code}}": Rule(EVERYONE, params={"code": "item_code"}),
    f"GET {V1}/bundles": Rule(EVERYONE),
    f"GET {V1}/bundles/{{code}}": Rule(EVERYONE, params={"code": "bundle_code"}),
    f"GET {V1}/departments": Rule(EVERYONE),
    f"GET {V1}/themes": Rule(EVERYONE),
    f"POST {V1}/persons": post(
        frozenset({CLERK, GRID_WORKER}), {"name": "周新", "resident_id": "{new_resident_id}"}
    ),
    f"POST {V1}/organisations": post(
        frozenset({CLERK, GRID_WORKER}),
        {
            "name": "长春市二道区新开小店",
            "uscc": "{new_uscc}",
            "org_type": "individual_business",
            "legal_representative_id": "{resident_id}",
        },
    ),
    f"GET {V1}/persons/{{person_id}}": Rule(STAFF_LOOKUP),
    f"GET {V1}/organisations/{{organisation_id}}": Rule(STAFF_LOOKUP),
    f"GET {V1}/me": Rule(SIGNED_IN),
    f"GET {V1}/me/materials": Rule(OWN_SUBJECT),
    f"GET {V1}/me/materials/{{entry_id}}/file": Rule(LOCKER),
    f"GET {V1}/me/prefill/{{item_code}}": Rule(OWN_SUBJECT),
    f"GET {V1}/subjects/{{subject_id}}/materials": Rule(LOCKER),
    f"GET {V1}/me/authorisations": Rule(SIGNED_IN),
    f"POST {V1}/me/authorisations": post(
        frozenset({CITIZEN_A, CLERK}),
        {
            "principal_id": "{person_id}",
            "agent_phone": "{agent_phone}",
            "all_items": True,
            "valid_until": "2099-12-31",
        },
    ),
    f"POST {V1}/me/authorisations/{{authorisation_id}}/revoke": post(
        frozenset({CITIZEN_A, CLERK, GRID_WORKER})
    ),
    f"POST {V1}/auth/otp": post(EVERYONE, {"phone": "13900009999"}),
    f"POST {V1}/tokens": post(SIGNED_IN, {"name": "数据对接"}),
    f"GET {V1}/tokens": Rule(SIGNED_IN),
    f"POST {V1}/tokens/{{token_id}}/revoke": post(A),
    f"POST {V1}/cases": post(frozenset({CITIZEN_A, GRID_WORKER}), CASE_BODY),
    f"GET {V1}/cases/{{case_no}}": Rule(CASE_VIEWERS),
    f"POST {V1}/cases/{{case_no}}/actions/{{action}}": post(
        frozenset({CLERK}),
        {"reason": "不属于本机关职权范围。", "legal_basis": "第三十二条"},
        case_no="correction_case_no",
        action="action_refuse",
    ),
    f"POST {V1}/licences/verify": Rule(EVERYONE, "POST", data={"payload": "x"}, form=True),
    f"GET {V1}/licences/seals": Rule(EVERYONE),
    f"GET {V1}/licences": Rule(STAFF_LOOKUP),
    f"POST {V1}/licences": post(frozenset({APPROVER}), {"case_no": "{granted_case_no}"}),
    f"GET {V1}/licences/{{number}}": Rule(CASE_VIEWERS),
    f"GET {V1}/licences/{{number}}/document": Rule(CASE_VIEWERS),
    f"POST {V1}/licences/{{number}}/revoke": post(
        frozenset({APPROVER}), {"reason": "以欺骗手段取得。"}
    ),
    f"POST {V1}/cases/{{case_no}}/rating": post(
        frozenset({CITIZEN_A, GRID_WORKER}), {"level": 1}, case_no="unrated_case_no"
    ),
    f"GET {V1}/ratings": Rule(RATINGS_LISTS),
    f"POST {V1}/ratings/{{rating_id}}/rectification/{{action}}": post(
        DEPARTMENT_STAFF, {"note": "已核实。"}, action="action_verify"
    ),
    f"POST {V1}/ratings/{{rating_id}}/appeal": post(
        DEPARTMENT_STAFF, {"kind": "mistaken", "reason": "申请人误评。"}
    ),
    f"POST {V1}/ratings/{{rating_id}}/appeal/decision": post(
        frozenset({SUPERVISOR}), {"upheld": True, "note": "属实。"}, rating_id="appealed_rating_id"
    ),
    f"POST {V1}/complaints": post(
        EVERYONE,
        {
            "target": "window",
            "center_code": "{center_code}",
            "window": "3号窗口",
            "content": "排队太久。",
            "phone": "13900009999",
        },
    ),
    f"GET {V1}/satisfaction": Rule(EVERYONE),
    f"GET {V1}/assessment": Rule(frozenset({SUPERVISOR})),
    f"GET {V1}/regulator/notices": Rule(frozenset({REGULATOR})),
    f"POST {V1}/regulator/notices/{{notice_id}}/ack": post(frozenset({REGULATOR})),
    f"POST {V1}/regulator/notices/{{notice_id}}/findings": post(
        frozenset({REGULATOR}), {"kind": "opinion", "text": "请核实。"}
    ),
    f"GET {V1}/audit/verify": Rule(frozenset({SUPERVISOR})),
    f"GET {V1}/supervision/dashboard": Rule(frozenset({SUPERVISOR})),
    f"GET {V1}/stats": Rule(frozenset({SUPERVISOR})),
    f"POST {V1}/spot-checks": post(frozenset({SUPERVISOR}), {"size": 1}),
    f"GET {V1}/spot-checks/{{check_id}}": Rule(
        frozenset({SUPERVISOR}), params={"check_id": "check_pk"}
    ),
    f"POST {V1}/spot-checks/{{check_id}}/cases/{{case_no}}/review": post(
        frozenset({SUPERVISOR}), {"result": "ok"}, check_id="check_pk", case_no="check_case_no"
    ),
}

# Values the world does not hold: the action a rule uses, and ids nobody has.
FIXED = {
    "action_refuse": "refuse",
    "action_verify": "verify",
    "action_answer": "answer",
    "no_such_id": "999999",
    "step_form": "form",
    "icon_size": "192",
    "new_resident_id": resident_id("20000101", "901"),
    "new_uscc": uscc("92220105MA15D8K3Y"),
}


# --- what exists --------------------------------------------------------------------------


def routes(patterns=None, prefix=""):
    """(route, pattern) for every URL pattern of the site; the admin site once, as a whole."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver) and route != "admin/":
            yield from routes(pattern.url_patterns, route)
        else:
            yield route, pattern


def _is_api_operation(pattern) -> bool:
    return getattr(getattr(pattern, "callback", None), "__module__", "") == "ninja.operation"


def page_routes() -> set[str]:
    """Every route that is not an API operation (those are counted from the OpenAPI)."""
    return {route for route, pattern in routes() if not _is_api_operation(pattern)}


CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def api_paths_served() -> set[str]:
    """The path of every API operation the URL configuration serves, as OpenAPI writes it."""
    return {
        "/" + CONVERTER.sub(r"{\1}", route)
        for route, pattern in routes()
        if _is_api_operation(pattern)
    }


def api_operations() -> set[str]:
    paths = api.get_openapi_schema()["paths"]
    return {f"{method.upper()} {path}" for path, methods in paths.items() for method in methods}


def test_every_page_and_operation_is_classified():
    assert page_routes() - set(PAGES) == set(), "pages missing from the matrix"
    assert set(PAGES) - page_routes() == set(), "matrix entries for pages that are gone"
    assert api_operations() - set(API) == set(), "API operations missing from the matrix"
    assert set(API) - api_operations() == set(), "matrix entries for operations that are gone"
    # An operation left out of the OpenAPI document would escape the matrix (and schemathesis).
    documented = {key.split(" ", 1)[1] for key in api_operations()}
    assert api_paths_served() - documented == set(), "API operations left out of the OpenAPI"


# --- trying them --------------------------------------------------------------------------

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def values(world) -> dict:
    return {**world.params, **FIXED}


def url_of(route: str, rule: Rule, world) -> str:
    known = values(world)

    def fill(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return known[rule.params.get(name, name)]

    path = PARAMETER.sub(fill, route)
    return path if path.startswith("/") else "/" + path


def filled(value, known: dict):
    if isinstance(value, str):
        return value.format_map(known)
    if isinstance(value, dict):
        return {filled(k, known): filled(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, known) for v in value]
    return value


def request(client: Client, key: str, rule: Rule, world):
    is_api = key in API
    route = key.split(" ", 1)[1] if is_api else key
    url = url_of(route, rule, world)
    data = filled(rule.data, values(world))
    if rule.method == "GET":
        return client.get(url, follow=not is_api)
    if is_api and not rule.form:
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data, follow=not is_api)


def outcome(response) -> str:
    chain = [urlparse(url).path for url, _status in getattr(response, "redirect_chain", [])]
    if settings.LOGIN_URL in chain:
        return REFUSED
    status = response.status_code
    if status >= 500 or status == 405:
        return f"error {status}"
    return ALLOWED if status < 400 else REFUSED


def tried(world, role: str, key: str, rule: Rule):
    """One request by `role`, rolled back afterwards."""
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        if role != ANONYMOUS:
            client.force_login(world.accounts[role])
        response = request(client, key, rule, world)
        transaction.set_rollback(True)
    return response


NONCE_IN_POLICY = re.compile(r"'nonce-([^']+)'")
TAG = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE)


def csp_problems(response) -> list[str]:
    """What the Content Security Policy would block on an HTML page."""
    policy = response.get("Content-Security-Policy", "")
    if not policy:
        return ["no Content-Security-Policy header"]
    if "text/html" not in response.get("Content-Type", "") or response.streaming:
        return []
    html = response.content.decode()
    nonces = set(NONCE_IN_POLICY.findall(policy))
    problems = []
    for tag, attributes in TAG.findall(html):
        external = tag.lower() == "script" and ("src=" in attributes or "json" in attributes)
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        if not external and not (nonce and nonce.group(1) in nonces):
            problems.append(f"inline <{tag}> without the page's nonce")
    if INLINE_HANDLER.search(html):
        problems.append("an inline event handler (on…=)")
    if STYLE_ATTRIBUTE.search(html):
        problems.append("a style attribute")
    return problems


@pytest.mark.parametrize("key", [*PAGES, *API])
def test_who_may_use_it(world, key):
    rule = PAGES.get(key) or API[key]
    problems = []
    for role in ROLES:
        response = tried(world, role, key, rule)
        got, want = outcome(response), ALLOWED if role in rule.allowed else REFUSED
        if got != want:
            problems.append(f"{role}: {want} expected, {got} ({response.status_code})")
    assert not problems, "\n".join(problems)


# Lists staff of any department open: A's department finds A's case (or licence) there,
# another department's staff do not.
DEPARTMENT_LISTS = {
    "oversight/ratings/": (REVIEWER, "case_no"),
    "oversight/complaints/": (REVIEWER, "case_no"),
    f"GET {V1}/ratings": (REVIEWER, "case_no"),
    "findings/": (APPROVER, "number"),
    "outbox/": (APPROVER, "number"),
}


@pytest.mark.parametrize("key", DEPARTMENT_LISTS)
def test_a_list_shows_a_departments_work_to_nobody_outside_it(world, key):
    own_role, value = DEPARTMENT_LISTS[key]
    rule = PAGES.get(key) or API[key]

    def finds_it(role: str) -> bool:
        return world.params[value] in tried(world, role, key, rule).content.decode()

    assert finds_it(own_role)
    assert [role for role in sorted(OTHER_DEPARTMENT) if finds_it(role)] == []


SHOWN_PAGES = [key for key, rule in PAGES.items() if rule.method == "GET" and rule.allowed]


# The kiosk prints an item's notice from a frame of its own page.
FRAMED_BY_THE_SITE = {"kiosk/items/<str:code>/notice.pdf"}


@pytest.mark.parametrize("key", SHOWN_PAGES)
def test_pages_keep_to_the_content_security_policy(world, key):
    """Each page as the first role allowed sees it: nothing inline the policy would block,
    and no other site may frame it."""
    rule = PAGES[key]
    role = next(role for role in ROLES if role in rule.allowed)
    response = tried(world, role, key, rule)
    problems = csp_problems(response)
    framing = "SAMEORIGIN" if key in FRAMED_BY_THE_SITE else "DENY"
    if response.get("X-Frame-Options") != framing:
        problems.append(f"X-Frame-Options {response.get('X-Frame-Options')}, not {framing}")
    assert not problems, "\n".join(problems)


# --- CSRF ---------------------------------------------------------------------------------

SIGNED_IN_POSTS = [
    key for key, rule in API.items() if rule.method == "POST" and ANONYMOUS not in rule.allowed
]


@pytest.mark.parametrize(
    "key", ["accounts/login/", *(k for k, rule in PAGES.items() if rule.method == "POST")]
)
def test_every_form_needs_its_csrf_token(world, key):
    """A form posted without the page's CSRF token is refused, whoever posts it."""
    rule = PAGES[key]
    role = next((role for role in ROLES if role in rule.allowed), CITIZEN_A)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    with transaction.atomic():
        if role != ANONYMOUS:
            client.force_login(world.accounts[role])
        response = client.post(url_of(key, rule, world), filled(rule.data, values(world)))
        transaction.set_rollback(True)
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()


@pytest.mark.parametrize("key", SIGNED_IN_POSTS)
def test_every_api_write_from_a_browser_session_needs_the_csrf_token(world, key):
    """Signed in by the page's session cookie, an API write needs the CSRF token too; a
    bearer token (no cookie) does not."""
    rule = API[key]
    role = next(role for role in ROLES if role in rule.allowed)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    with transaction.atomic():
        client.force_login(world.accounts[role])
        response = request(client, key, rule, world)
        transaction.set_rollback(True)
    assert response.status_code in (401, 403)
