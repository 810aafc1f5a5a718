"""A second app server's kiosk lookups, run as its own process: `python -m
tests.scaleout.second_server DEVICE WRONG` counts WRONG failed lookups for the kiosk DEVICE
through `yimen.portal.views.kiosk.limited_lookup`, then prints whether its next lookup
would run ("open") or is paused ("locked"). The cache is whatever YIMEN_CACHE_URL says."""

import contextlib
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yimen.settings")
django.setup()

from django.test import RequestFactory  # noqa: E402

from yimen.errors import NotFound  # noqa: E402
from yimen.portal.views.kiosk import DEVICE_COOKIE, limited_lookup  # noqa: E402
from yimen.subjects.errors import RateLimited  # noqa: E402


def nothing_found():
    raise NotFound("case_not_found", "未找到办件。")


def main(device: str, wrong: int) -> str:
    request = RequestFactory().post("/kiosk/progress/")
    request.COOKIES[DEVICE_COOKIE] = device
    for _ in range(wrong):
        with contextlib.suppress(NotFound):
            limited_lookup(request, nothing_found)
    try:
        return limited_lookup(request, lambda: "open")
    except RateLimited:
        return "locked"


if __name__ == "__main__":
    print(main(sys.argv[1], int(sys.argv[2])))
