"""Personal data: whole resident IDs only for roles that need them, each such view in the
audit chain; no whole ID or mobile number in any log line."""

import copy
import logging
import logging.config
import re
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import oversight_exchange as exchange_data
from tests.factories import subjects as people
from tests.security.conftest import sandbox_settings
from yimen.cases import services as case_services
from yimen.catalog import services as catalog_services
from yimen.catalog.models import FormField, Role
from yimen.oversight.models.audit import AuditEntry
from yimen.oversight.selectors.audit import audit_verify
from yimen.subjects import services, signals
from yimen.subjects.masking import MOBILE_IN_TEXT, RESIDENT_ID_IN_TEXT, MaskingFilter, mask_id
from yimen.subjects.models import Person

pytestmark = pytest.mark.django_db
FULL_ID_VIEWED = "full_id_viewed"


@pytest.fixture(autouse=True)
def _sandbox(settings, tmp_path):
    people.sandbox(settings, tmp_path)
    settings.YIMEN_AUDIT_ANCHOR_FILE = tmp_path / "anchors.log"


def as_(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def full_views() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=FULL_ID_VIEWED))


def test_oversight_listens_for_full_views():
    assert signals.full_id_viewed.has_listeners()


def test_a_role_that_needs_the_whole_id_sees_it_and_the_view_is_audited():
    grandma = people.person("张桂兰")
    clerk = people.staff(Role.CLERK)
    body = as_(clerk).get(f"/api/v1/persons/{grandma.pk}").json()
    assert (body["code"], body["masked"]) == (grandma.code, False)
    [entry] = full_views()
    assert (entry.actor, entry.object_ref) == (f"account:{clerk.pk}", f"subject:{grandma.pk}")
    assert entry.payload == {"purpose": "lookup"}
    assert grandma.code not in str(entry.payload) and audit_verify().intact


def test_a_role_that_does_not_need_it_sees_it_masked_and_nothing_is_audited():
    grandma = people.person("张桂兰")
    body = as_(people.staff(Role.SUPERVISOR)).get(f"/api/v1/persons/{grandma.pk}").json()
    assert (body["code"], body["masked"]) == (mask_id(grandma.code), True)
    assert grandma.code not in str(body)
    assert full_views() == []


def test_a_search_by_the_whole_id_shows_the_phone_only_to_a_role_that_needs_it():
    """The searcher typed the ID; the phone and the record they get back still follow the
    role, and a whole ID shown back is a full view like any other."""
    grandma = people.person("张桂兰", phone="13904310001")
    supervisor, clerk = people.staff(Role.SUPERVISOR), people.staff(Role.CLERK)

    page = as_(supervisor).get("/staff/subjects/", {"q": grandma.code}).content.decode()
    assert f"<td>{mask_id(grandma.code)}</td>" in page and "139****0001" in page
    assert "13904310001" not in page
    assert full_views() == []

    page = as_(clerk).get("/staff/subjects/", {"q": grandma.code}).content.decode()
    assert "13904310001" in page
    assert [(e.actor, e.object_ref, e.payload) for e in full_views()] == [
        (f"account:{clerk.pk}", f"subject:{grandma.pk}", {"purpose": "search"})
    ]


def test_registering_a_person_at_the_window_shows_the_whole_id_as_a_full_view():
    clerk = people.staff(Role.CLERK)
    walk_in = people.new_resident_id("19860921")
    response = as_(clerk).post(
        "/api/v1/persons", {"name": "赵丽华", "resident_id": walk_in}, "application/json"
    )
    assert response.status_code == 201 and response.json()["code"] == walk_in
    assert [(e.object_ref, e.payload) for e in full_views()] == [
        (f"subject:{response.json()['id']}", {"purpose": "register"})
    ]


def test_a_uscc_is_public_and_its_view_is_not_audited():
    company = people.organisation()
    body = as_(people.staff(Role.CLERK)).get(f"/api/v1/organisations/{company.pk}").json()
    assert body["code"] == company.code
    assert full_views() == []


def test_the_window_page_for_a_person_counts_as_a_full_view():
    grandma = people.person("张桂兰")
    clerk = people.staff(Role.CLERK)
    assert as_(clerk).get(f"/window/apply/{grandma.pk}/").status_code == 200
    assert [e.object_ref for e in full_views()] == [f"subject:{grandma.pk}"]


def test_opening_a_person_in_the_admin_site_counts_as_a_full_view():
    grandma = people.person("张桂兰")
    admin = people.account("root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    page = as_(admin).get(f"/admin/subjects/person/{grandma.pk}/change/")
    assert page.status_code == 200 and grandma.code in page.content.decode()
    assert [(e.actor, e.payload) for e in full_views()] == [
        (f"account:{admin.pk}", {"purpose": "admin"})
    ]
    listing = as_(admin).get("/admin/subjects/person/").content.decode()
    assert grandma.code not in listing and mask_id(grandma.code) in listing


def test_an_admin_user_who_may_not_see_whole_ids_sees_them_masked_in_the_admin_site():
    grandma = people.person("张桂兰", phone="13912345678")
    supervisor = people.staff(Role.SUPERVISOR)
    supervisor.is_staff = True
    supervisor.save()
    supervisor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_person", "change_person"])
    )
    url = f"/admin/subjects/person/{grandma.pk}/change/"

    page = as_(supervisor).get(url).content.decode()
    assert page.count(mask_id(grandma.code)) and grandma.code not in page
    assert "13912345678" not in page and full_views() == []

    saved = as_(supervisor).post(url, {"name": "张桂兰", "address": "东盛街道12号"})
    assert saved.status_code == 302
    grandma.refresh_from_db()
    assert (grandma.address, grandma.phone) == ("东盛街道12号", "13912345678")


def test_the_admin_site_finds_a_person_by_the_whole_id_only():
    grandma = people.person("张桂兰")
    people.person("李建国", birth="19790506")
    admin = people.account("root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    found = as_(admin).get("/admin/subjects/person/", {"q": grandma.code}).content.decode()
    assert "张桂兰" in found and "李建国" not in found
    partial = as_(admin).get("/admin/subjects/person/", {"q": grandma.code[:10]}).content.decode()
    assert "张桂兰" not in partial


def test_the_demo_sms_outbox_exists_only_with_the_demo_backend(settings):
    settings.YIMEN_SMS_BACKEND = "gateway.example.SmsBackend"
    assert Client().get("/demo/sms/").status_code == 404


# --- logs ---------------------------------------------------------------------------------


def test_every_handler_the_settings_configure_masks():
    logging.config.dictConfig(django_settings.LOGGING)
    loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
    handlers = {h for lg in loggers for h in getattr(lg, "handlers", [])}
    writing = [h for h in handlers if not isinstance(h, logging.NullHandler)]
    assert writing
    for handler in writing:
        assert any(isinstance(f, MaskingFilter) for f in handler.filters), handler


@pytest.fixture
def log_file(tmp_path):
    """Every logger at DEBUG, SQL with its parameters included, every handler of the
    settings writing to one file."""
    path = tmp_path / "yimen.log"
    config = copy.deepcopy(django_settings.LOGGING)
    for handler in config["handlers"].values():
        handler.update({"class": "logging.FileHandler", "filename": str(path)})
    config["root"]["level"] = "DEBUG"
    for logger in config["loggers"].values():
        logger["level"] = "DEBUG"
    logging.config.dictConfig(config)
    connection.force_debug_cursor = True
    yield path
    connection.force_debug_cursor = False
    logging.config.dictConfig(django_settings.LOGGING)


def sign_in(client: Client, login: str, password: str = people.PASSWORD):
    return client.post(
        "/accounts/login/", {"action": "password", "login": login, "password": password}
    )


WALK_IN_PHONE = "13604310004"


@dataclass
class DaysWork:
    crew: make.Team
    walk_in: str  # the resident ID of a person registered at the window

    @property
    def secrets(self) -> set[str]:
        return {self.crew.applicant.phone, self.crew.person.code, self.walk_in, WALK_IN_PHONE}


def a_days_work(settings) -> DaysWork:
    """Sign-ins (a failed one too) and an SMS code, a lookup and a registration by ID, a
    case and API calls, a 404 naming an ID."""
    settings.YIMEN_STAFF_SECOND_FACTOR = False
    crew = make.team()
    version = make.licence_item()
    citizen, person = crew.applicant, crew.person
    walk_in = people.new_resident_id("19860921")

    web, window = Client(), Client()
    assert sign_in(web, citizen.phone, "wrong").status_code == 422
    assert sign_in(web, citizen.phone).status_code == 302
    web.post("/accounts/login/", {"action": "send_code", "phone": WALK_IN_PHONE})
    code = re.search(r"\d{6}", services.selectors.sms_outbox()[0].text).group()
    web.post("/accounts/login/", {"action": "code", "phone": WALK_IN_PHONE, "code": code})
    assert sign_in(window, crew.clerk.username).status_code == 302
    window.get("/staff/subjects/", {"q": person.code})
    registered = window.post(
        "/api/v1/persons",
        {"name": "赵丽华", "resident_id": walk_in, "phone": WALK_IN_PHONE},
        content_type="application/json",
    )
    assert registered.status_code == 201
    window.post("/api/v1/persons", {"resident_id": walk_in[:-1] + "0"}, "application/json")
    case = make.accepted(crew, version)
    web.get(f"/api/v1/cases/{case.case_no}")
    web.get(f"/cases/{case.case_no}/?phone={citizen.phone}")
    web.get(f"/no-such-page/{person.code}/")
    return DaysWork(crew, walk_in)


def test_a_days_work_leaves_no_whole_id_or_mobile_number_in_the_logs(settings, log_file):
    work = a_days_work(settings)
    citizen, walk_in = work.crew.applicant, work.walk_in
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /window/?q={walk_in}&phone={citizen.phone} HTTP/1.1", 200, 512
    )
    try:
        raise ValueError(f"registry refused {walk_in} / {citizen.phone}")
    except ValueError:
        logging.getLogger("yimen.subjects.registry").exception("lookup of %s failed", walk_in)

    logged = log_file.read_text()
    assert "signed in by SMS code" in logged and "registry refused" in logged
    assert "SELECT" in logged  # the SQL, parameters and all, went through the mask too
    assert [s for s in work.secrets if s in logged] == []
    assert RESIDENT_ID_IN_TEXT.findall(logged) == []
    assert MOBILE_IN_TEXT.findall(logged) == []


def stored_text() -> str:
    """Every row of every table as the database holds it, as text."""
    with connection.cursor() as cursor:
        rows = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(str(row) for row in cursor.fetchall())
    return "\n".join(rows)


def forms_naming_the_spouse(crew: make.Team) -> str:
    """A case and an online draft whose form holds another person's resident ID."""
    version = catalog.draft("220105-MZJ-030", name="最低生活保障申请")
    FormField.objects.create(
        version=version, order=1, key="spouse_id", label="配偶身份证号", field_type="text"
    )
    catalog_services.version_publish(version=version, actor="catalog-admin")
    spouse_id = people.new_resident_id("19820704")
    form, code = {"spouse_id": spouse_id}, version.item.code
    case_services.case_submit(
        actor=crew.clerk,
        subject=crew.person,
        item_code=code,
        channel="window",
        form=form,
        provided=["id_card"],
    )
    draft = case_services.draft_start(
        account=crew.applicant, subject_id=crew.person.pk, item_code=code
    )
    case_services.draft_save_form(draft=draft, account=crew.applicant, typed=form)
    return spouse_id


def test_no_table_holds_a_resident_id_in_clear(settings, tmp_path):
    """After a day's work, a licence, a locker document, an authorisation and forms naming
    a spouse, the IDs are in no column of any table: not the subjects', the audit chain's,
    the sign-in records', the application forms'."""
    for name, value in sandbox_settings(tmp_path).items():
        setattr(settings, name, value)
    work = a_days_work(settings)
    crew, version = work.crew, make.licence_item("220105-SCJ-006", name="食品经营许可证核发")
    exchange_data.licence(crew, version)
    people.stored(crew.person, verified_by=crew.clerk)
    people.grant(crew.person, people.staff(Role.GRID_WORKER), granted_by=crew.clerk)
    spouse_id = forms_naming_the_spouse(crew)
    ids = [p.code for p in Person.objects.all()] + [spouse_id]
    assert work.walk_in in ids and crew.person.code in ids

    stored = stored_text()
    assert "张桂兰" in stored  # the scan sees the rows
    assert [i for i in ids if i in stored or i.lower() in stored] == []
