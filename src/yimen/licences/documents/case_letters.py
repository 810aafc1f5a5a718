"""The data of a case's letters, read from the case: what was received, accepted, asked
for, refused or decided, and when.

Until the licence registry numbers documents, a letter's number is made from the
bureau's prefix, the letter's word, the year of issue and the case's (or correction
notice's) database id: 二审批受字〔2026〕第000123号. The places to appeal to are
settings: YIMEN_DOC_NUMBER_PREFIX, YIMEN_REVIEW_BODY and YIMEN_COURT.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yimen.cases.models import Case, Decision
from yimen.cases.states import CaseState
from yimen.errors import InvalidInput, NotFound
from yimen.licences.documents.data import LetterData, LetterKind
from yimen.subjects.models import Subject

# The letters a case can have: receipt, correction notice, refusal, decision.
LETTER_DOCUMENTS = ("receipt", "correction", "refusal", "decision")
ACCEPT_ACTIONS = ("accept", "accept_pending", "deem_accepted", "complete_instant")
NUMBER_WORDS = {
    LetterKind.RECEIPT: gettext_lazy("受"),
    LetterKind.CORRECTION: gettext_lazy("补"),
    LetterKind.REFUSAL: gettext_lazy("不受"),
    LetterKind.GRANT: gettext_lazy("许"),
    LetterKind.DENY: gettext_lazy("不许"),
}
# Why a letter asked for is not there yet.
NONE_YET = {
    "receipt": ("no_receipt", gettext_lazy("该办件尚未受理，没有受理通知书。")),
    "correction": ("no_correction_notice", gettext_lazy("该办件没有补正材料通知书。")),
    "refusal": ("no_refusal", gettext_lazy("该办件未被不予受理，没有不予受理通知书。")),
    "decision": ("no_decision", gettext_lazy("该办件尚未作出审批决定。")),
}
DEFAULT_DOC_NUMBER_PREFIX = "二审批"
DEFAULT_REVIEW_BODY = "长春市二道区人民政府"
DEFAULT_COURT = "长春市二道区人民法院"


def letters_of(case: Case, has_correction: bool) -> dict[str, LetterKind]:
    """The letters `case` has so far, by name, with the kind of each: a receipt once
    accepted, a correction notice once one was issued (`has_correction`), a refusal when
    refused, a decision (准予 or 不予) once decided."""
    found = {}
    if case.accepted_on:
        found["receipt"] = LetterKind.RECEIPT
    if has_correction:
        found["correction"] = LetterKind.CORRECTION
    if case.state == CaseState.REFUSED:
        found["refusal"] = LetterKind.REFUSAL
    if case.decision:
        found["decision"] = LetterKind.GRANT if case.decision == Decision.GRANT else LetterKind.DENY
    return found


def letter_data_for(case: Case, kind: str) -> LetterData:
    """The data of one of `case`'s letters: "receipt", "correction" (the latest notice),
    "refusal" or "decision" (准予 or 不予, as decided). NotFound if the case has none yet."""
    if kind not in LETTER_DOCUMENTS:
        raise InvalidInput("unknown_document", _("没有这种文书。"), field="kind")
    case = (
        Case.objects.select_related("version", "subject")
        .prefetch_related("version__legal_bases")
        .get(pk=case.pk)
    )
    has_correction = kind == "correction" and case.corrections.exists()
    if kind not in letters_of(case, has_correction):
        raise NotFound(*NONE_YET[kind])
    builders = {
        "receipt": _receipt,
        "correction": _correction,
        "refusal": _refusal,
        "decision": _decision,
    }
    return builders[kind](case)


def _receipt(case: Case) -> LetterData:
    event = case.events.filter(action__in=ACCEPT_ACTIONS).order_by("-seq").first()
    pending = _pending(case, event.data.get("pending", {}))
    return _letter(
        case,
        LetterKind.RECEIPT,
        _local_date(event.at),
        number_id=case.pk,
        accepted_on=case.accepted_on,
        deemed_accepted=case.deemed_accepted,
        deadline=case.deadline,
        pending=pending,
    )


def _pending(case: Case, due_by_kind: dict[str, str]) -> list[tuple[str, dt.date]]:
    """容缺 materials as they stood at acceptance: (name, due date)."""
    names = dict(
        case.materials.filter(spec__kind__code__in=list(due_by_kind)).values_list(
            "spec__kind__code", "spec__name"
        )
    )
    return [(names[code], dt.date.fromisoformat(due)) for code, due in due_by_kind.items()]


def _correction(case: Case) -> LetterData:
    notice = case.corrections.order_by("-number").first()
    return _letter(
        case,
        LetterKind.CORRECTION,
        _local_date(notice.issued_at),
        number_id=notice.pk,
        deficiencies=[_deficiency(entry) for entry in notice.deficiencies],
        renotice_reason=notice.reason,
    )


def _deficiency(entry: dict) -> str:
    if entry.get("material"):
        return _("补交材料：%(m)s") % {"m": entry["material"]}
    return entry.get("note", "")


def _refusal(case: Case) -> LetterData:
    return _letter(
        case,
        LetterKind.REFUSAL,
        _local_date(case.completed_at),
        number_id=case.pk,
        reason=case.refuse_reason,
        legal_basis=[case.refuse_basis],
        **_appeal_bodies(),
    )


def _decision(case: Case) -> LetterData:
    granted = case.decision == Decision.GRANT
    return _letter(
        case,
        LetterKind.GRANT if granted else LetterKind.DENY,
        _local_date(case.decided_at),
        number_id=case.pk,
        accepted_on=case.accepted_on,
        reason=case.decision_reason,
        legal_basis=[str(basis) for basis in case.version.legal_bases.all()],
        licence_number=case.licence_ref if granted else "",
        **({} if granted else _appeal_bodies()),
    )


def _letter(case: Case, kind: LetterKind, issued_on: dt.date, *, number_id: int, **fields):
    return LetterData(
        kind=kind,
        doc_number=_doc_number(kind, issued_on.year, number_id),
        addressee=case.subject.name,
        to_organisation=case.subject.kind == Subject.Kind.ORGANISATION,
        case_no=case.case_no,
        item_name=case.version.name,
        received_on=_local_date(case.received_at),
        issued_on=issued_on,
        issuer=str(settings.YIMEN_BUREAU_NAME),
        **fields,
    )


def _doc_number(kind: LetterKind, year: int, number_id: int) -> str:
    prefix = getattr(settings, "YIMEN_DOC_NUMBER_PREFIX", DEFAULT_DOC_NUMBER_PREFIX)
    return _("%(prefix)s%(word)s字〔%(year)s〕第%(n)06d号") % {
        "prefix": prefix,
        "word": NUMBER_WORDS[kind],
        "year": year,
        "n": number_id,
    }


def _appeal_bodies() -> dict[str, str]:
    return {
        "review_body": str(getattr(settings, "YIMEN_REVIEW_BODY", DEFAULT_REVIEW_BODY)),
        "court": str(getattr(settings, "YIMEN_COURT", DEFAULT_COURT)),
    }


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)
