"""Assisted applications (帮办代办): an agent files under the person's valid authorisation;
a window clerk serving a walk-in needs none."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories import subjects as people
from tests.factories.cases import ALL_MATERIALS, bundle, licence_item
from yimen.cases import services
from yimen.cases.models import Case, CaseEvent, Channel, Filing
from yimen.catalog.models import Role
from yimen.errors import PermissionDenied
from yimen.subjects.models import DelegatedAct, LockerAccessGrant, LockerReuse

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid_worker(db):
    return people.staff(Role.GRID_WORKER, name="林秀芳")


def assisted(grid_worker, crew, version, **kwargs):
    return services.case_submit(
        actor=grid_worker,
        subject=crew.person,
        item_code=version.item.code,
        channel=Channel.ASSISTED,
        form={"shop_name": "老王面馆"},
        provided=ALL_MATERIALS,
        **kwargs,
    )


def assert_nothing_filed():
    assert not Filing.objects.exists()
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not DelegatedAct.objects.filter(action="case_submit").exists()


def test_a_grid_worker_files_under_the_persons_authorisation_and_both_are_recorded(
    crew, licence, grid_worker
):
    people.stored(crew.person, "id_card")
    authorisation = people.grant(
        crew.person, grid_worker, all_items=False, item_codes=[licence.item.code]
    )

    case = assisted(grid_worker, crew, licence)

    assert (case.channel, case.subject_id, case.filing.submitted_by) == (
        Channel.ASSISTED,
        crew.person.pk,
        grid_worker,
    )
    act = DelegatedAct.objects.get(action="case_submit")
    assert (act.authorisation, act.actor, act.principal_id, act.case_ref) == (
        authorisation,
        grid_worker,
        crew.person.pk,
        case.case_no,
    )
    # The locker document is reused under the same authorisation, not by a staff grant.
    assert LockerReuse.objects.get().authorisation == authorisation
    assert not LockerAccessGrant.objects.filter(staff=grid_worker).exists()


def test_a_grid_worker_without_an_authorisation_is_refused_and_nothing_is_filed(
    crew, licence, grid_worker
):
    with pytest.raises(PermissionDenied) as refused:
        assisted(grid_worker, crew, licence)
    assert refused.value.code == "not_authorised"
    assert refused.value.message == "您未获得该主体的委托，不能代为办理。"
    assert_nothing_filed()


def test_an_expired_authorisation_is_refused_with_its_date(crew, licence, grid_worker):
    granted_on = timezone.localdate() - dt.timedelta(days=40)
    with time_machine.travel(dt.datetime(granted_on.year, granted_on.month, granted_on.day, 2)):
        people.grant(crew.person, grid_worker, days=30)
    ended = (granted_on + dt.timedelta(days=30)).isoformat()

    with pytest.raises(PermissionDenied) as refused:
        assisted(grid_worker, crew, licence)
    assert refused.value.code == "authorisation_expired"
    assert refused.value.message == f"委托已于 {ended} 到期，不能再代为办理。"
    assert_nothing_filed()


def test_an_authorisation_for_other_items_is_refused(crew, licence, grid_worker):
    other = licence_item("220105-SCJ-002", name="食品小作坊登记")
    people.grant(crew.person, grid_worker, all_items=False, item_codes=[other.item.code])

    with pytest.raises(PermissionDenied) as refused:
        assisted(grid_worker, crew, licence)
    assert refused.value.code == "authorisation_out_of_scope"
    assert refused.value.message == "委托范围不包括事项 220105-SCJ-001，不能代为办理。"
    assert_nothing_filed()


def test_a_bundle_with_one_item_out_of_scope_files_none_of_it(crew, licence, grid_worker):
    sign = licence_item("220105-CGJ-012", name="门头招牌设置")
    bundle("OPEN-RESTAURANT", licence, sign)
    people.grant(crew.person, grid_worker, all_items=False, item_codes=[licence.item.code])

    with pytest.raises(PermissionDenied) as refused:
        services.bundle_submit(
            actor=grid_worker,
            subject=crew.person,
            bundle_code="OPEN-RESTAURANT",
            channel=Channel.ASSISTED,
            forms={c: {"shop_name": "老王面馆"} for c in (licence.item.code, sign.item.code)},
        )
    assert refused.value.code == "authorisation_out_of_scope"
    assert_nothing_filed()


def test_a_window_clerk_serving_a_walk_in_needs_no_authorisation(crew, licence):
    case = services.case_submit(
        actor=crew.clerk,
        subject=crew.person,
        item_code=licence.item.code,
        channel=Channel.WINDOW,
        form={"shop_name": "老王面馆"},
    )
    assert (case.channel, case.owner) == (Channel.WINDOW, crew.clerk)
    assert not DelegatedAct.objects.exists()
    assert LockerAccessGrant.objects.filter(staff=crew.clerk, case_ref=case.case_no).exists()


def test_only_clerks_and_grid_workers_file_assisted_applications(crew, licence):
    neighbour, _person = people.citizen("王秀英", birth="19900214")
    people.grant(crew.person, neighbour)
    with pytest.raises(PermissionDenied) as refused:
        assisted(neighbour, crew, licence)
    assert refused.value.code == "forbidden"
    assert_nothing_filed()
