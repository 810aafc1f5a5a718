"""Resident IDs are sealed at rest and found through a keyed hash; USCCs stay in clear."""

import base64

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.factories import subjects as make
from yimen.subjects import sealing, selectors
from yimen.subjects.models import Organisation, Person, Subject

GRANDMA = make.resident_id("19530312", "002")


def test_sealing_round_trips_and_never_repeats_itself():
    first, second = sealing.seal(GRANDMA), sealing.seal(GRANDMA)
    assert first != second and GRANDMA not in first
    assert sealing.unseal(first) == sealing.unseal(second) == GRANDMA
    assert sealing.lookup_digest(GRANDMA) == sealing.lookup_digest(GRANDMA)
    assert sealing.lookup_digest(GRANDMA) != sealing.lookup_digest(make.new_resident_id())


def test_another_key_opens_nothing_and_finds_nothing(settings):
    sealed, digest = sealing.seal(GRANDMA), sealing.lookup_digest(GRANDMA)
    settings.YIMEN_FIELD_KEY = base64.b64encode(b"k" * 32).decode()
    with pytest.raises(sealing.UnsealError):
        sealing.unseal(sealed)
    assert sealing.lookup_digest(GRANDMA) != digest
    assert sealing.unseal(sealing.seal(GRANDMA)) == GRANDMA


@pytest.mark.parametrize("key", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_field_key_that_is_not_32_bytes_is_refused(settings, key):
    settings.YIMEN_FIELD_KEY = key
    with pytest.raises(ImproperlyConfigured, match="YIMEN_FIELD_KEY"):
        sealing.seal(GRANDMA)


def test_tampered_or_foreign_text_does_not_unseal():
    sealed = sealing.seal(GRANDMA)
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    for text in (flipped, GRANDMA, "g1:!!!", ""):
        with pytest.raises(sealing.UnsealError):
            sealing.unseal(text)


def stored_row(subject: Subject) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stored_code, code_digest FROM subjects_subject WHERE id = %s", [subject.pk]
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_the_database_holds_a_persons_id_sealed_and_an_organisations_uscc_in_clear():
    grandma = make.person("张桂兰")
    company = make.organisation(representative=grandma)
    stored, digest = stored_row(grandma)
    assert grandma.code not in stored and stored.startswith(sealing.PREFIX)
    assert digest == sealing.lookup_digest(grandma.code)
    assert stored_row(company)[0] == company.code
    # Python sees the plain value, freshly loaded or not.
    assert Person.objects.get(pk=grandma.pk).code == grandma.code
    assert Subject.objects.get(pk=grandma.pk).concrete().birth_date.year == 1953


@pytest.mark.django_db
def test_subjects_are_found_by_their_whole_id_and_a_plain_filter_fails_loudly():
    grandma = make.person("张桂兰")
    company = make.organisation(representative=grandma)
    assert list(Person.objects.by_code(grandma.code)) == [grandma]
    assert list(Organisation.objects.by_code(company.code)) == [company]
    assert list(Subject.objects.by_codes([grandma.code, company.code]).order_by("pk")) == [
        grandma.subject_ptr,
        company.subject_ptr,
    ]
    assert selectors.person_by_resident_id(grandma.code) == grandma
    assert not Person.objects.by_code(make.new_resident_id()).exists()
    with pytest.raises(FieldError):
        Person.objects.filter(code=grandma.code).exists()


@pytest.mark.django_db
def test_one_id_is_registered_once():
    grandma = make.person("张桂兰")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="张桂兰", code=grandma.code)


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_ids_and_going_back_unseals_them():
    before = [("subjects", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_person = executor.loader.project_state(before).apps.get_model("subjects", "Person")
    old_person.objects.create(kind="person", name="张桂兰", code=GRANDMA)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("subjects", "0002_sealed_codes")])
    person = Person.objects.get()
    assert person.code == GRANDMA and GRANDMA not in stored_row(person)[0]
    assert Person.objects.by_code(GRANDMA).get() == person

    executor = MigrationExecutor(connection)
    executor.migrate([("subjects", "0001_initial")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM subjects_subject")
        assert cursor.fetchall() == [(GRANDMA,)]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
