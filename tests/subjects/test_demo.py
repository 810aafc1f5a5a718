"""The demo data: every staff role, valid IDs, a few authorisations, and idempotence."""

import pytest
from django.contrib.auth import authenticate

from tests.factories import public_catalog
from tests.factories import subjects as make
from yimen.catalog.models import Department, Role, ServiceCenter
from yimen.subjects import selectors, validators
from yimen.subjects.demo import DEMO_PASSWORD, load_demo
from yimen.subjects.models import (
    Authorisation,
    LockerEntry,
    Organisation,
    Person,
    StaffRole,
    Subject,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    built = public_catalog.build()
    make.center("DSJD", ServiceCenter.Level.STREET)
    Department.objects.create(code="SJJ", name="区市场监管综合执法局", is_regulator=True)
    return built


def counts() -> dict[str, int]:
    models = (Subject, StaffRole, Authorisation, LockerEntry)
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_loads_quietly_and_twice_changes_nothing(catalog, capsys):
    logins = load_demo()
    first = counts()
    assert load_demo() == logins
    assert counts() == first
    assert capsys.readouterr() == ("", "")


def test_every_staff_role_is_at_the_district_center_or_a_street_center(catalog):
    load_demo()
    district = ServiceCenter.objects.get(level=ServiceCenter.Level.DISTRICT)
    street = ServiceCenter.objects.get(level=ServiceCenter.Level.STREET)
    roles = set(StaffRole.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    at_district = set(StaffRole.objects.filter(center=district).values_list("role", flat=True))
    assert at_district == set(Role.values) - {Role.GRID_WORKER, Role.REGULATOR}
    at_street = set(StaffRole.objects.filter(center=street).values_list("role", flat=True))
    assert at_street == {Role.CLERK, Role.REVIEWER, Role.GRID_WORKER}
    reviewed = StaffRole.objects.filter(role=Role.REVIEWER, center=district)
    assert set(reviewed.values_list("department__code", flat=True)) == {
        "MZJ",
        "YBJ",
        "SCJ",
        "ZJJ",
        "SJJ",
    }
    assert StaffRole.objects.get(role=Role.REGULATOR).department.code == "SJJ"


def test_every_login_works_with_the_demo_password(catalog, settings):
    logins = load_demo()
    assert {password for _role, _username, password in logins} == {DEMO_PASSWORD}
    for _role, username, password in logins:
        assert authenticate(None, username=username, password=password), username


def test_demo_ids_are_valid_and_an_organisation_has_authority_n(catalog):
    load_demo()
    for person in Person.objects.all():
        assert validators.normalise_resident_id(person.code) == person.code
    codes = [organisation.code for organisation in Organisation.objects.all()]
    assert all(validators.normalise_uscc(code) == code for code in codes)
    assert any(code[0] in "NY" for code in codes)
    grandson = Person.objects.get(name="李沐阳")
    assert grandson.birth_date.year >= 2025 and grandson.account is None


def test_the_grandmother_may_act_for_her_grandson_and_sees_her_documents(catalog):
    load_demo()
    grandma = Person.objects.get(name="张桂兰")
    acting_for = selectors.subjects_acting_for(grandma.account)
    assert [s.name for s in acting_for] == ["张桂兰", "李沐阳"]
    kinds = {e.kind.code for e in selectors.locker_entries(grandma.account, grandma)}
    assert kinds == {"id_card", "hukou"}
    rows = selectors.locker_prefill(grandma, catalog.elderly)
    assert [row.reused for row in rows] == [True, True, False]


def test_without_a_catalog_the_demo_still_loads_people(capsys):
    logins = load_demo()
    assert logins[0] == ("系统管理员（后台）", "admin", DEMO_PASSWORD)
    assert Person.objects.count() == 7 and not StaffRole.objects.exists()
    assert capsys.readouterr() == ("", "")
