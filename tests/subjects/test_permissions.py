"""Staff permissions by role, scoped by service center and department."""

import pytest

from tests.factories import catalog as catalog_make
from tests.factories import subjects as make
from yimen.catalog.models import Role, ServiceCenter
from yimen.errors import InvalidInput, PermissionDenied
from yimen.subjects import permissions, services
from yimen.subjects.models import StaffRole

pytestmark = pytest.mark.django_db


class Case:
    """Anything with a center and a department, as a case will have."""

    def __init__(self, center, department):
        self.center_id, self.department_id = center.pk, department.pk


def test_a_reviewer_reviews_only_for_their_department():
    mzj, ybj = catalog_make.department("MZJ"), catalog_make.department("YBJ")
    district = make.center()
    reviewer = make.staff(Role.REVIEWER, center=district, department=mzj)
    assert permissions.can(reviewer, "case.review", Case(district, mzj))
    assert not permissions.can(reviewer, "case.review", Case(district, ybj))
    assert permissions.can(reviewer, "case.review", mzj)
    assert not permissions.can(reviewer, "case.accept", mzj)


def test_a_clerk_serves_only_their_center():
    district, street = make.center(), make.center("DSJD", ServiceCenter.Level.STREET)
    clerk = make.staff(Role.CLERK, center=street)
    assert permissions.can(clerk, "case.accept", street)
    assert not permissions.can(clerk, "case.accept", district)
    bureau_wide = make.staff(Role.APPROVER)
    assert permissions.can(bureau_wide, "case.decide", Case(district, catalog_make.department()))


def test_ensure_can_raises_a_chinese_forbidden_error():
    citizen = make.account()
    with pytest.raises(PermissionDenied) as excinfo:
        permissions.ensure_can(citizen, "case.accept")
    assert (excinfo.value.code, excinfo.value.message, excinfo.value.status) == (
        "forbidden",
        "您没有办理此项业务的权限。",
        403,
    )


def test_an_inactive_role_or_account_grants_nothing():
    clerk = make.staff(Role.CLERK)
    StaffRole.objects.filter(account=clerk).update(is_active=False)
    clerk.refresh_from_db()
    assert not permissions.can(clerk, "case.accept")
    inspector = make.staff(Role.INSPECTOR)
    inspector.is_active = False
    assert not permissions.can(inspector, "case.inspect")


def test_an_unknown_role_is_refused():
    with pytest.raises(InvalidInput):
        services.staff_role_assign(account=make.account(), role="janitor")


def test_a_catalog_admin_can_keep_the_catalog_in_the_admin_site(client):
    catalog_admin = make.staff(Role.CATALOG_ADMIN)
    catalog_admin.set_password("demo12345")
    catalog_admin.save()
    client.force_login(catalog_admin)
    assert client.get("/admin/catalog/serviceitem/").status_code == 200
    assert client.get("/admin/subjects/account/").status_code == 403
