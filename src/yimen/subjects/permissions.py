"""Who may do what: staff permissions by role, scoped by service center and department.

Services call `ensure_can(account, permission, obj)` before they act. `obj`
narrows the scope: a Department, a ServiceCenter, or anything with a
`department` and/or `center` attribute (a case, a stage). A role whose center or
department is blank holds for every center or department.
"""

from django.utils.translation import gettext as _

from yimen.catalog.models import Department, Role, ServiceCenter
from yimen.errors import PermissionDenied

SERVING_ROLES = frozenset(
    {Role.CLERK, Role.REVIEWER, Role.INSPECTOR, Role.APPROVER, Role.GRID_WORKER}
)

PERMISSIONS: dict[str, frozenset[str]] = {
    # Subjects and their documents.
    "subject.register": frozenset({Role.CLERK, Role.GRID_WORKER}),
    "subject.lookup": SERVING_ROLES | {Role.SUPERVISOR},
    "subject.view_full_id": frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER}),
    "authorisation.record": frozenset({Role.CLERK}),
    "locker.serve": SERVING_ROLES,
    "locker.store": frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER}),
    "locker.revoke": frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER}),
    # The stages of a case (四定责) and the work around them.
    "case.accept": frozenset({Role.CLERK}),
    "case.assist": frozenset({Role.CLERK, Role.GRID_WORKER}),
    "case.review": frozenset({Role.REVIEWER}),
    "case.inspect": frozenset({Role.INSPECTOR}),
    "case.decide": frozenset({Role.APPROVER}),
    "catalog.edit": frozenset({Role.CATALOG_ADMIN}),
    "oversight.supervise": frozenset({Role.SUPERVISOR}),
    "regulation.receive": frozenset({Role.REGULATOR}),
}


def _scope(obj) -> tuple[int | None, int | None]:
    """The (center id, department id) an object belongs to; None where it does not say."""
    if isinstance(obj, ServiceCenter):
        return obj.pk, None
    if isinstance(obj, Department):
        return None, obj.pk
    return getattr(obj, "center_id", None), getattr(obj, "department_id", None)


def active_roles(account) -> list:
    if not getattr(account, "is_authenticated", False) or not account.is_active:
        return []
    cached = getattr(account, "_active_staff_roles", None)
    if cached is None:
        cached = list(account.staff_roles.filter(is_active=True))
        account._active_staff_roles = cached
    return cached


def is_staff_member(account) -> bool:
    return bool(active_roles(account))


def can(account, permission: str, obj=None) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(permission)
    if getattr(account, "is_superuser", False) and account.is_active:
        return True
    center_id, department_id = _scope(obj)
    return any(
        role.role in PERMISSIONS[permission]
        and (role.center_id is None or center_id is None or role.center_id == center_id)
        and (
            role.department_id is None
            or department_id is None
            or role.department_id == department_id
        )
        for role in active_roles(account)
    )


def ensure_can(account, permission: str, obj=None) -> None:
    """Raise PermissionDenied (code "forbidden") unless the account holds the permission."""
    if not can(account, permission, obj):
        raise PermissionDenied("forbidden", _("您没有办理此项业务的权限。"))
