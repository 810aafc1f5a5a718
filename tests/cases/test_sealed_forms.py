"""Application forms ask for other people's IDs, phones and addresses: the database holds
them only sealed, and they read back exactly as they were typed."""

import base64
import json

import pytest
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import catalog
from tests.factories import subjects as people
from yimen.cases import services
from yimen.cases.models import ApplicationDraft, Case, Channel
from yimen.catalog import services as catalog_services
from yimen.catalog.models import FormField
from yimen.subjects.sealing import UnsealError

SPOUSE_ID = people.new_resident_id("19820704")
FAMILY_FORM = {
    "spouse_id": SPOUSE_ID,
    "spouse_phone": "13904319876",
    "home_address": "长春市二道区东盛街道荣光路12号",
}


@pytest.fixture
def family_item(db):
    """最低生活保障申请: the spouse's resident ID and phone, and the home address."""
    version = catalog.draft("220105-MZJ-020", name="最低生活保障申请")
    for order, (key, label) in enumerate(
        [("spouse_id", "配偶身份证号"), ("spouse_phone", "配偶电话"), ("home_address", "家庭住址")],
        start=1,
    ):
        FormField.objects.create(
            version=version, order=order, key=key, label=label, field_type="text"
        )
    catalog_services.version_publish(version=version, actor="catalog-admin")
    return version


def submit(crew, version) -> Case:
    return services.case_submit(
        actor=crew.clerk,
        subject=crew.person,
        item_code=version.item.code,
        channel=Channel.WINDOW,
        form=FAMILY_FORM,
        provided=["id_card"],
    )


def stored(model, pk: int) -> str:
    """The form column as the database holds it."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT form_data FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def assert_sealed(text: str) -> None:
    assert text.startswith("g1:")
    for secret in (*FAMILY_FORM.values(), "spouse_id", "东盛街道"):
        assert secret not in text


def test_a_cases_form_reads_back_as_submitted_and_is_stored_sealed(crew, family_item):
    case = submit(crew, family_item)
    assert Case.objects.get(pk=case.pk).form_data == FAMILY_FORM
    assert_sealed(stored(Case, case.pk))


def test_a_drafts_form_reads_back_as_typed_and_is_stored_sealed(crew, family_item):
    draft = services.draft_start(
        account=crew.applicant, subject_id=crew.person.pk, item_code=family_item.item.code
    )
    services.draft_save_form(draft=draft, account=crew.applicant, typed=FAMILY_FORM)
    assert ApplicationDraft.objects.get(pk=draft.pk).form_data == FAMILY_FORM
    assert_sealed(stored(ApplicationDraft, draft.pk))


def test_the_same_form_is_stored_as_different_text_each_time(crew, family_item):
    first, second = submit(crew, family_item), submit(crew, family_item)
    assert stored(Case, first.pk) != stored(Case, second.pk)


def test_a_wrong_key_is_a_clear_error_and_the_right_one_still_opens_the_form(
    crew, family_item, settings
):
    case = submit(crew, family_item)
    right_key = settings.YIMEN_FIELD_KEY = base64.b64encode(b"k" * 32).decode()
    sealed_with_the_field_key = submit(crew, family_item)

    settings.YIMEN_FIELD_KEY = base64.b64encode(b"x" * 32).decode()
    with pytest.raises(UnsealError, match=r"cases\.Case\.form_data cannot be opened"):
        Case.objects.get(pk=sealed_with_the_field_key.pk)

    settings.YIMEN_FIELD_KEY = right_key
    assert Case.objects.get(pk=sealed_with_the_field_key.pk).form_data == FAMILY_FORM
    with pytest.raises(UnsealError, match="YIMEN_FIELD_KEY"):
        Case.objects.get(pk=case.pk)  # sealed with the key derived from SECRET_KEY


def test_forms_sealed_with_the_field_key_survive_a_new_secret_key(crew, family_item, settings):
    settings.YIMEN_FIELD_KEY = base64.b64encode(b"k" * 32).decode()
    case = submit(crew, family_item)
    settings.SECRET_KEY = "a new secret key for sessions and signing"
    assert Case.objects.get(pk=case.pk).form_data == FAMILY_FORM


def test_a_form_saved_back_unchanged_keeps_its_text_and_a_changed_one_is_sealed_afresh(
    crew, family_item
):
    case = Case.objects.get(pk=submit(crew, family_item).pk)
    first = stored(Case, case.pk)
    case.save()
    assert stored(Case, case.pk) == first

    case.form_data["home_address"] = "长春市二道区荣光街道"
    case.save()
    assert stored(Case, case.pk) != first
    assert Case.objects.get(pk=case.pk).form_data == {
        **FAMILY_FORM,
        "home_address": "长春市二道区荣光街道",
    }


def test_a_backup_holds_the_form_sealed_and_a_restore_puts_back_the_same_text(crew, family_item):
    case = submit(crew, family_item)
    sealed = stored(Case, case.pk)
    [row] = json.loads(serializers.serialize("json", Case.objects.filter(pk=case.pk)))
    assert row["fields"]["form_data"] == sealed

    Case.objects.filter(pk=case.pk).update(form_data={"spouse_id": "overwritten"})
    [restored] = serializers.deserialize("json", json.dumps([row]))
    restored.save()
    assert stored(Case, case.pk) == sealed
    assert Case.objects.get(pk=case.pk).form_data == FAMILY_FORM


def test_an_action_does_not_write_the_form_again(crew, family_item):
    case = submit(crew, family_item)
    sealed = stored(Case, case.pk)
    with CaptureQueriesContext(connection) as captured:
        services.case_accept(case=case, clerk=crew.clerk)
    saves = [q["sql"] for q in captured if q["sql"].startswith('UPDATE "cases_case" SET')]
    assert saves and not any("form_data" in sql for sql in saves)
    assert stored(Case, case.pk) == sealed
    assert Case.objects.get(pk=case.pk).form_data == FAMILY_FORM
