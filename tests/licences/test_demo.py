"""The demo's seal and licences: after `yimen demo` a granted case has a signed licence that
verifies, and loading again adds nothing."""

import pytest

from yimen.cases.demo import load_demo as load_demo_cases
from yimen.cases.models import Case, Decision
from yimen.cases.states import CaseState
from yimen.catalog.demo import demo_catalog
from yimen.catalog.exchange import import_catalog
from yimen.licences import demo, verify
from yimen.licences.models import Licence, Seal
from yimen.subjects.demo import load_demo as load_demo_subjects

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_cases(capsys):
    import_catalog(demo_catalog(), actor="demo")
    load_demo_subjects()
    load_demo_cases()
    capsys.readouterr()


def test_the_demo_issues_a_verifiable_licence_for_each_granted_case(demo_cases):
    waiting = list(Case.objects.filter(state=CaseState.DECIDED, decision=Decision.GRANT))
    assert waiting
    demo.load_demo()
    seal = Seal.objects.get()
    assert seal.is_demo
    for case in waiting:
        licence = Licence.objects.get(case=case)
        case.refresh_from_db()
        assert case.state == CaseState.ISSUED and case.licence_ref == licence.number
        assert licence.locker_entry.subject_id == case.subject_id
        with licence.file.open("rb") as document:
            assert verify.verify_pdf(document.read()).status == "valid"
        assert verify.verify_payload(licence.qr_payload).status == "valid"
    demo.load_demo()
    assert Seal.objects.count() == 1
    assert Licence.objects.count() == len(waiting)
