"""The seed's journeys in a real Chromium against a live server on the demo catalog: its
real items, departments and centers, the demo's people and staff, and the approval seal.
Each person signs in through the sign-in page as they would; staff also enter the code of
their authenticator app (the second factor stays on, as in production)."""

import pytest
from django.db.models import Q
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import SCREENSHOTS
from tests.factories import subjects as people
from yimen.catalog.demo import demo_catalog
from yimen.catalog.exchange import import_catalog
from yimen.licences import services as licences
from yimen.subjects.demo import DEMO_PASSWORD
from yimen.subjects.demo import load_demo as load_demo_subjects
from yimen.subjects.models import Account
from yimen.subjects.second_factor import is_staff_account

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_world(transactional_db, settings, tmp_path):
    """The demo catalog, people, staff and seal, without the demo's cases."""
    people.sandbox(settings, tmp_path)
    settings.YIMEN_STAFF_SECOND_FACTOR = True
    import_catalog(demo_catalog(), actor="demo")
    load_demo_subjects()
    licences.seal_init()


def _authenticator_code(account: Account) -> str:
    device = TOTPDevice.objects.devices_for_user(account, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=account, name="journey", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def sign_in(browser, live_server, demo_world):
    """`sign_in(login, **context_options)`: a new browser page signed in as that demo login
    (a staff username or a citizen's phone number)."""
    contexts = []

    def open_signed_in(login: str, **context_options):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", **context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        account = Account.objects.get(Q(username=login) | Q(phone=login))
        code = _authenticator_code(account) if is_staff_account(account) else None
        page.goto("/accounts/login/")
        page.fill("#login", login)
        page.fill("#password", DEMO_PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        if code:
            page.fill("#otp_token", code)
            page.get_by_role("button", name="验证并登录").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url and "second-factor" not in url)
        return page

    yield open_signed_in
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """`screenshot(page)`: keep the journey's last page as test-artifacts/screenshots/<test>.png."""

    def save(page) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)

    return save
