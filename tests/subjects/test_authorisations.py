"""委托: a subject lets another account act for it, for some items, for a period."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories import catalog as catalog_make
from tests.factories import subjects as make
from yimen.catalog.models import Role
from yimen.errors import IllegalAction, InvalidInput, PermissionDenied
from yimen.subjects import selectors, services
from yimen.subjects.models import Authorisation, DelegatedAct

pytestmark = pytest.mark.django_db

ELDERLY = "220105-MZJ-001"


def later(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_a_person_authorises_a_grid_worker_and_the_act_records_both_people():
    grandma_account, grandma = make.citizen()
    grid_worker = make.staff(Role.GRID_WORKER, name="林秀芳")
    authorisation = services.authorisation_grant(
        granted_by=grandma_account,
        principal=grandma,
        agent=grid_worker,
        valid_until=make.today() + dt.timedelta(days=90),
        all_items=True,
        note="网格员帮办代办",
    )
    acted_under = services.act_for(
        actor=grid_worker, subject=grandma, action="apply", item_code=ELDERLY, case_ref="YM-1"
    )
    assert acted_under == authorisation
    act = DelegatedAct.objects.get()
    assert (act.actor, act.principal.pk, act.authorisation, act.item_code, act.case_ref) == (
        grid_worker,
        grandma.pk,
        authorisation,
        ELDERLY,
        "YM-1",
    )


def test_acting_for_oneself_needs_no_authorisation_and_records_nothing():
    grandma_account, grandma = make.citizen()
    assert services.act_for(actor=grandma_account, subject=grandma, action="apply") is None
    assert not DelegatedAct.objects.exists()


def test_an_expired_authorisation_cannot_act():
    _grandma_account, grandma = make.citizen()
    son, _son_person = make.citizen("李建国", birth="19790506")
    make.grant(grandma, son, days=7)
    with time_machine.travel(later(8)), pytest.raises(PermissionDenied) as excinfo:
        services.act_for(actor=son, subject=grandma, action="apply", item_code=ELDERLY)
    until = (make.today() + dt.timedelta(days=7)).isoformat()
    assert (excinfo.value.code, excinfo.value.message) == (
        "authorisation_expired",
        f"委托已于 {until} 到期，不能再代为办理。",
    )
    assert not DelegatedAct.objects.exists()


def test_a_revoked_authorisation_cannot_act():
    grandma_account, grandma = make.citizen()
    son, _son_person = make.citizen("李建国", birth="19790506")
    authorisation = make.grant(grandma, son)
    services.authorisation_revoke(actor=grandma_account, authorisation=authorisation)
    with pytest.raises(PermissionDenied) as excinfo:
        services.act_for(actor=son, subject=grandma, action="apply")
    assert (excinfo.value.code, excinfo.value.message) == (
        "authorisation_revoked",
        "委托已被撤销，不能再代为办理。",
    )
    with pytest.raises(IllegalAction):
        services.authorisation_revoke(actor=grandma_account, authorisation=authorisation)


def test_an_authorisation_covers_only_its_items():
    catalog_make.published(ELDERLY)
    _grandma_account, grandma = make.citizen()
    son, _son_person = make.citizen("李建国", birth="19790506")
    make.grant(grandma, son, all_items=False, item_codes=[ELDERLY])
    assert services.act_for(actor=son, subject=grandma, action="apply", item_code=ELDERLY)
    with pytest.raises(PermissionDenied) as excinfo:
        services.act_for(actor=son, subject=grandma, action="apply", item_code="220105-YBJ-001")
    assert excinfo.value.message == "委托范围不包括事项 220105-YBJ-001，不能代为办理。"


def test_nobody_acts_without_an_authorisation_and_a_future_one_is_not_yet_valid():
    _grandma_account, grandma = make.citizen()
    stranger = make.account()
    with pytest.raises(PermissionDenied) as excinfo:
        services.act_for(actor=stranger, subject=grandma, action="apply")
    assert (excinfo.value.code, excinfo.value.message) == (
        "not_authorised",
        "您未获得该主体的委托，不能代为办理。",
    )
    son, _son_person = make.citizen("李建国", birth="19790506")
    make.grant(grandma, son, valid_from=make.today() + dt.timedelta(days=3))
    with pytest.raises(PermissionDenied) as excinfo:
        services.act_for(actor=son, subject=grandma, action="apply")
    assert excinfo.value.code == "authorisation_not_started"


def test_an_organisation_acts_through_its_legal_representative_and_authorised_clerks():
    chen_account, chen = make.citizen("陈志强", birth="19720830")
    builder = make.organisation(representative=chen)
    clerk, _wang = make.citizen("王秀英", birth="19900214")
    assert services.act_for(actor=chen_account, subject=builder, action="apply") is None
    with pytest.raises(PermissionDenied):
        services.act_for(actor=clerk, subject=builder, action="apply")
    services.authorisation_grant(
        granted_by=chen_account,
        principal=builder,
        agent=clerk,
        valid_until=make.today() + dt.timedelta(days=365),
        all_items=True,
    )
    assert services.act_for(actor=clerk, subject=builder, action="apply")
    assert [s.pk for s in selectors.subjects_acting_for(clerk)] == [_wang.pk, builder.pk]


def test_whom_an_account_acts_for_comes_in_one_query_its_own_subjects_first(
    django_assert_num_queries,
):
    account, wang = make.citizen("王秀英", birth="19900214")
    shop = make.organisation("长春市宏达商贸有限公司", representative=wang)
    _an_account, an = make.citizen("安丽", birth="19850101")
    bookshop = make.organisation("白山市新华书店", body="91220600MA14X2Q6T")
    make.grant(an, account)
    make.grant(bookshop, account)
    make.grant(make.person("李桂芝"), account, valid_from=make.today() + dt.timedelta(days=1))
    with django_assert_num_queries(1):
        acting_for = selectors.subjects_acting_for(account)
    # Their own person, the company they represent, then who authorised them, each by name.
    assert [s.name for s in acting_for] == [wang.name, shop.name, an.name, bookshop.name]
    assert [type(s) for s in acting_for] == [type(wang), type(shop), type(an), type(bookshop)]


def test_only_the_principal_or_a_window_clerk_grants():
    _grandma_account, grandma = make.citizen()
    son, _son_person = make.citizen("李建国", birth="19790506")
    with pytest.raises(PermissionDenied):
        make.grant(grandma, son, granted_by=son)
    assert make.grant(grandma, son, granted_by=make.staff(Role.CLERK))


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"valid_until": -1}, "invalid_period", "委托截止日期不能早于生效日期。"),
        (
            {"valid_until": -1, "valid_from": dt.date(2020, 1, 1)},
            "invalid_period",
            "委托截止日期已过。",
        ),
        ({"all_items": False}, "scope_required", "请选择委托的事项，或委托全部事项。"),
        (
            {"all_items": False, "item_codes": ["NO-SUCH-ITEM"]},
            "unknown_item",
            "事项编码不存在或已取消：NO-SUCH-ITEM。",
        ),
    ],
)
def test_a_malformed_grant_is_refused_and_nothing_is_saved(changes, code, message):
    grandma_account, grandma = make.citizen()
    son, _son_person = make.citizen("李建国", birth="19790506")
    fields = {"valid_until": 30, "all_items": True, "item_codes": ()} | changes
    with pytest.raises(InvalidInput) as excinfo:
        services.authorisation_grant(
            granted_by=grandma_account,
            principal=grandma,
            agent=son,
            valid_until=make.today() + dt.timedelta(days=fields.pop("valid_until")),
            **fields,
        )
    assert (excinfo.value.code, excinfo.value.message) == (code, message)
    assert not Authorisation.objects.exists()


def test_the_agent_must_be_a_verified_person_or_a_grid_worker_and_not_oneself():
    grandma_account, grandma = make.citizen()
    with pytest.raises(InvalidInput) as excinfo:
        make.grant(grandma, make.account())
    assert excinfo.value.message == "受托人须为已实名关联的个人或网格员。"
    with pytest.raises(InvalidInput) as excinfo:
        make.grant(grandma, grandma_account)
    assert excinfo.value.message == "不能委托给本人。"


def test_the_agent_may_give_an_authorisation_up():
    _grandma_account, grandma = make.citizen()
    son, _son_person = make.citizen("李建国", birth="19790506")
    authorisation = services.authorisation_revoke(actor=son, authorisation=make.grant(grandma, son))
    assert authorisation.revoked_by == son
    with pytest.raises(PermissionDenied):
        services.authorisation_revoke(actor=make.account(), authorisation=make.grant(grandma, son))


def test_agents_are_found_by_phone():
    son, _son_person = make.citizen("李建国", birth="19790506")
    assert selectors.agent_by_phone(f"+86 {son.phone}") == son
    with pytest.raises(InvalidInput) as excinfo:
        selectors.agent_by_phone("13512345678")
    assert (
        excinfo.value.message == "手机号 135****5678 尚未注册账号，请受托人先用该手机号登录一次。"
    )
