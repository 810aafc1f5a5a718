"""The demo's seal and licences: `load_demo()` makes the DEMO seal if there is none (and no
PKCS#12 seal is configured) and issues the licence of every granted demo case waiting for
one. Loading twice adds nothing. It runs after the demo cases."""

from django.db.models import Q

from yimen.cases.models import Case, Decision
from yimen.cases.states import CaseState
from yimen.licences import conf, services
from yimen.licences.models import Seal
from yimen.subjects.models import Account

# The demo approver (`yimen.subjects.demo`), who puts the seal on the demo licences.
APPROVER = "qu.juzhang"


def load_demo() -> None:
    if not Seal.objects.exists() and not conf.pkcs12_path():
        services.seal_init()
    approver = Account.objects.get(username=APPROVER)
    waiting = Case.objects.filter(
        Q(licence__isnull=True), state=CaseState.DECIDED, decision=Decision.GRANT
    ).order_by("pk")
    for case in waiting:
        services.licence_issue(case=case, actor=approver)
