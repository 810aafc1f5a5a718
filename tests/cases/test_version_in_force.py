"""An application is filed under the version in force the moment it is made: a version
published or retired a second earlier counts, wherever it was published. A version read
once is kept with its parts, so reading it again costs one query, and a case's stages
open from it without reading the catalog."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import catalog
from tests.factories.cases import submitted
from yimen.cases import services
from yimen.cases.models import Channel
from yimen.catalog import services as catalog_services
from yimen.catalog.models import ItemVersion, VersionStatus
from yimen.catalog.selectors import current_version
from yimen.errors import NotFound

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def apply(crew, licence):
    return submitted(crew, licence, day=TODAY, channel=Channel.ONLINE)


def revise(version: ItemVersion, **changes) -> ItemVersion:
    draft = catalog_services.item_revise(item=version.item)
    return catalog_services.draft_update(version=draft, **changes)


def test_a_version_published_now_is_applied_under_at_once(crew, licence):
    assert apply(crew, licence).version.number == 1
    second = revise(licence, name="食品经营许可（告知承诺）")
    catalog_services.version_publish(version=second, actor="catalog-admin", effective_from=TODAY)
    case = apply(crew, licence)
    assert (case.version.number, case.version.name) == (2, "食品经营许可（告知承诺）")
    assert case.events.get().data["version"] == 2


def test_a_version_retired_now_is_no_longer_applied_under(crew, licence):
    apply(crew, licence)
    catalog_services.version_retire(version=licence, effective_until=TODAY)
    with pytest.raises(NotFound) as refused:
        apply(crew, licence)
    assert refused.value.code == "item_not_found"


def test_a_version_published_by_another_process_is_seen_at_once(crew, licence):
    """Another server's publication reaches this process through the database alone."""
    second = revise(licence, name="食品经营许可（告知承诺）")
    assert apply(crew, licence).version.number == 1  # read, and kept, after the last save
    ItemVersion.objects.filter(pk=licence.pk).update(
        status=VersionStatus.RETIRED, effective_until=TODAY
    )
    ItemVersion.objects.filter(pk=second.pk).update(
        status=VersionStatus.PUBLISHED, effective_from=TODAY, published_at=timezone.now()
    )
    assert apply(crew, licence).version.number == 2


def test_a_version_read_before_costs_one_query_with_every_part(licence, django_assert_num_queries):
    first = current_version(licence.item.code)
    with django_assert_num_queries(1):
        again = current_version(licence.item.code)
        parts = (
            [m.kind.code for m in again.materials.all()],
            [s.name for s in again.stages.all()],
            [f.key for f in again.form_fields.all()],
            [str(b) for b in again.legal_bases.all()],
            again.item.code,
            again.lead_department.name,
        )
    assert again.pk == first.pk
    assert parts[0] == ["id_card", "floor_plan", "lease"]
    assert parts[2] == ["shop_name"]


def test_a_renamed_department_is_shown_at_once(licence):
    current_version(licence.item.code)
    department = licence.lead_department
    department.name = "市场监督管理局（新）"
    department.save()
    assert current_version(licence.item.code).lead_department.name == "市场监督管理局（新）"


def test_an_item_without_a_version_in_force_is_not_found(db):
    catalog.draft("220105-MZJ-002")
    with pytest.raises(NotFound) as refused:
        current_version("220105-MZJ-002")
    assert refused.value.code == "item_not_found"
    with pytest.raises(NotFound):
        current_version("220105-MZJ-002", dt.date(2000, 1, 1))


def test_an_end_date_set_by_another_process_is_shown_at_once(licence):
    current_version(licence.item.code)
    ending = TODAY + dt.timedelta(days=30)
    ItemVersion.objects.filter(pk=licence.pk).update(
        status=VersionStatus.RETIRED, effective_until=ending
    )
    version = current_version(licence.item.code)
    assert (version.status, version.effective_until) == (VersionStatus.RETIRED, ending)


def test_accepting_opens_the_stages_of_the_case_s_version_without_reading_the_catalog(
    crew, licence
):
    case = apply(crew, licence)
    with CaptureQueriesContext(connection) as captured:
        services.case_accept(case=case, clerk=crew.clerk)
    assert [q["sql"] for q in captured if "catalog_stagespec" in q["sql"]] == []
    assert [t.stage_name for t in case.tasks.all()] == ["审查"]
    assert case.tasks.get().department == licence.lead_department
