"""`{% load nav %}{% site_nav as menu %}`: the main navigation for whoever is signed in.

`menu.mine` holds the links of the viewer's own work, by what their roles permit
(`yimen.subjects.permissions`); `menu.public` the pages everyone has. A link is current
when the page's `nav` names it or the page lies under its address.
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yimen.cases.selectors import case_pages
from yimen.subjects import permissions

register = template.Library()

# (nav key, label, URL name); a key is the `nav` value the link's pages set.
PUBLIC = (
    ("items", _("办事指南"), "catalog:items"),
    ("bundles", _("一件事"), "catalog:bundles"),
    ("power_list", _("权力清单"), "catalog:power_list"),
    ("verify", _("证照查验"), "licences:verify"),
    ("satisfaction", _("满意度"), "oversight_ratings:satisfaction"),
    ("complain", _("投诉建议"), "oversight_ratings:complain"),
)
CITIZEN = (
    ("my_cases", _("我的办件"), "cases:mine"),
    ("materials", _("我的材料"), "accounts:materials"),
    ("licences", _("我的证照"), "accounts:licences"),
)
WINDOW = (("window", _("综合窗口工作台"), "cases:window"),)
WORK = (("work", _("我的待办"), "cases:work"),)
# Bad ratings: the department's staff verify, rectify and follow them up; supervisors close.
RECTIFICATIONS = ("", _("好差评整改"), "oversight_ratings:rectifications")
# permission -> the links it opens, beyond the case pages
BY_PERMISSION = (
    ("case.review", (RECTIFICATIONS,)),
    ("case.inspect", (RECTIFICATIONS,)),
    (
        "case.decide",
        (("findings", _("监管反馈"), "oversight_exchange:findings"), RECTIFICATIONS),
    ),
    (
        "oversight.supervise",
        (
            ("supervision", _("电子监察"), "supervision:dashboard"),
            RECTIFICATIONS,
            ("", _("投诉处理"), "oversight_ratings:complaint_desk"),
            ("", _("内部考评"), "oversight_ratings:assessment"),
            ("outbox", _("审管推送"), "oversight_exchange:outbox"),
        ),
    ),
    ("regulation.receive", (("regulator", _("监管通知"), "oversight_exchange:inbox"),)),
)
ACCOUNT = ("account", _("我的账号"), "accounts:home")
SIGN_IN = ("login", _("登录"), "accounts:login")


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Menu:
    mine: list[NavLink]
    public: list[NavLink]


def own_links(user) -> list[tuple]:
    """The links of the user's own work, then their account (or the sign-in page)."""
    if not user.is_authenticated:
        return [SIGN_IN]
    pages = case_pages(user)
    links = []
    if pages.mine:
        links += CITIZEN
    if pages.window:
        links += WINDOW
    if pages.work:
        links += WORK
    for permission, opened in BY_PERMISSION:
        if permissions.can(user, permission):
            links += opened
    return list(dict.fromkeys([*links, ACCOUNT]))  # a link two roles open shows once


@register.simple_tag(takes_context=True)
def site_nav(context) -> Menu:
    request, nav = context.get("request"), context.get("nav", "")
    path = request.path if request else ""

    def link(key, label, url_name) -> NavLink:
        url = reverse(url_name)
        return NavLink(str(label), url, bool(key and key == nav) or path.startswith(url))

    user = context.get("user")
    return Menu(
        mine=[link(*spec) for spec in own_links(user)] if user is not None else [],
        public=[link(*spec) for spec in PUBLIC],
    )
