"""Reads of the licence registry and the seal: who may see a licence, lists, the trust list."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yimen.cases.selectors import staff_touches
from yimen.errors import NotFound
from yimen.licences.models import (
    Licence,
    LicenceNumberTaken,
    LicenceSequence,
    LicenceStatus,
    Seal,
    SealAuthority,
    SealUse,
)
from yimen.licences.numbering import licence_number
from yimen.subjects import permissions
from yimen.subjects.masking import mask_name
from yimen.subjects.models import Account, Subject
from yimen.subjects.selectors import subjects_acting_for

PAGE_SIZE = 50
MISSING_NUMBERS_SHOWN = 10
UNFINISHED_AFTER = dt.timedelta(hours=1)  # issuing takes seconds; an hour means it stopped


def licence_by_number(number: str) -> Licence:
    licence = (
        Licence.objects.select_related("holder", "case", "item_version", "seal", "revoked_by")
        .filter(number=number)
        .first()
    )
    if licence is None:
        raise NotFound("licence_not_found", _("未找到证照 %(n)s。") % {"n": number})
    return licence


def may_view(viewer: Account, licence: Licence) -> bool:
    """The holder and those acting for it, staff of the case's departments and centers,
    the approvers who decide its item, and supervisors."""
    if licence.holder_id in {s.pk for s in subjects_acting_for(viewer)}:
        return True
    return (
        staff_touches(viewer, licence.case)
        or permissions.can(viewer, "case.decide", licence.case)
        or permissions.can(viewer, "oversight.supervise")
    )


def may_revoke(viewer: Account, licence: Licence) -> bool:
    return licence.status == LicenceStatus.VALID and permissions.can(
        viewer, "case.decide", licence.case
    )


def licence_for_viewer(viewer: Account, number: str) -> Licence:
    """The licence for whoever may see it; anyone else is told it does not exist."""
    licence = licence_by_number(number)
    if not may_view(viewer, licence):
        raise NotFound("licence_not_found", _("未找到证照 %(n)s。") % {"n": number})
    return licence


def licence_document(viewer: Account, number: str) -> tuple[Licence, bytes]:
    """The signed PDF, exactly as issued."""
    licence = licence_for_viewer(viewer, number)
    with licence.file.open("rb") as document:
        return licence, document.read()


def licences_for_staff(
    viewer: Account,
    *,
    status: str = "",
    holder_id: int | None = None,
    item_code: str = "",
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
    today: dt.date | None = None,
) -> list[Licence]:
    """The registry, newest first, for staff (keyset pagination: pass the last id seen)."""
    permissions.ensure_can(viewer, "subject.lookup")
    licences = Licence.objects.select_related("holder")
    if status:
        licences = licences.filter(_status_filter(status, today or timezone.localdate()))
    if holder_id:
        licences = licences.filter(holder_id=holder_id)
    if item_code:
        licences = licences.filter(item_code=item_code)
    if before_id:
        licences = licences.filter(pk__lt=before_id)
    return list(licences.order_by("-pk")[: max(1, min(limit, PAGE_SIZE))])


def _status_filter(status: str, today: dt.date) -> Q:
    current = Q(status=LicenceStatus.VALID)
    unexpired = Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    return {
        LicenceStatus.VALID: current & unexpired,
        LicenceStatus.EXPIRED: current & Q(valid_until__lt=today),
        LicenceStatus.REVOKED: Q(status=LicenceStatus.REVOKED),
    }.get(status, Q(pk__in=[]))


def licences_of(viewer: Account) -> list[Licence]:
    """Licences of every subject the viewer acts for, newest first."""
    subjects = [s.pk for s in subjects_acting_for(viewer)]
    return list(
        Licence.objects.filter(holder_id__in=subjects)
        .select_related("holder")
        .order_by("-issued_at", "-pk")[:PAGE_SIZE]
    )


def seal_uses_of_case(case_ref: str) -> QuerySet[SealUse]:
    return SealUse.objects.filter(case_ref=case_ref).select_related("seal", "actor")


def active_seal_record() -> Seal | None:
    return Seal.objects.filter(retired_at__isnull=True).select_related("authority").first()


def seals() -> list[Seal]:
    """Every seal the bureau ever used, newest first: what offline verifiers need."""
    return list(Seal.objects.select_related("authority").order_by("-active_from", "-pk"))


def trust_list_pem() -> str:
    """The seal CA certificates a verifier must trust, every rotation included."""
    return "".join(a.certificate_pem for a in SealAuthority.objects.order_by("created_at", "pk"))


def masked_name(subject: Subject) -> str:
    """张桂兰 → 张*兰, 王五 → 王*; an organisation keeps its first two and last four characters."""
    if subject.kind == Subject.Kind.ORGANISATION:
        return mask_name(subject.name, 2, 4)
    return mask_name(subject.name)


# --- integrity ----------------------------------------------------------------------------


def integrity_problems() -> list:
    """Licences issued on a case that was not granted, and licences or sealed documents whose
    file is gone or no longer has the SHA-256 the registry holds."""
    from yimen.cases.models import Decision
    from yimen.integrity import Problem, file_fault

    def licence(number: str) -> str:
        return _("证照 %(n)s") % {"n": number}

    ungranted = Licence.objects.exclude(case__decision=Decision.GRANT).select_related("case")
    problems = [
        Problem(
            "licence_without_grant",
            licence(lic.number),
            _("所属办件 %(c)s 没有准予许可的决定。") % {"c": lic.case.case_no},
        )
        for lic in ungranted.order_by("number")
    ]
    problems += [
        Problem("licence_file", licence(lic.number), fault)
        for lic in Licence.objects.order_by("number").iterator()
        if (fault := file_fault(lic.file, lic.sha256))
    ]
    problems += [
        Problem(
            "sealed_file",
            _("用印记录 %(id)s（%(k)s）") % {"id": u.pk, "k": u.get_kind_display()},
            fault,
        )
        for u in SealUse.objects.order_by("pk").iterator()
        if (fault := file_fault(u.file, u.sha256))
    ]
    return problems + _number_problems()


def _number_problems() -> list:
    """Licence numbers up to each year's counter that are on no licence and not recorded
    as taken, and numbers whose issuing stopped part-way over an hour ago."""
    from yimen.integrity import Problem

    problems = []
    for counter in LicenceSequence.objects.order_by("key"):
        prefix = f"{counter.key}-"
        used = set(
            Licence.objects.filter(number__startswith=prefix).values_list("number", flat=True)
        )
        used |= set(
            LicenceNumberTaken.objects.filter(number__startswith=prefix).values_list(
                "number", flat=True
            )
        )
        area, year = counter.key.rsplit("-", 1)
        missing = [
            number
            for value in range(1, counter.value + 1)
            if (number := licence_number(area, int(year), value)) not in used
        ]
        if missing:
            problems.append(
                Problem(
                    "licence_number_missing",
                    _("证照编号 %(k)s") % {"k": counter.key},
                    _("%(n)s 个编号既不在证照上，也没有取号记录：%(list)s")
                    % {"n": len(missing), "list": "、".join(missing[:MISSING_NUMBERS_SHOWN])},
                )
            )
    stalled = LicenceNumberTaken.objects.filter(
        void_reason="", taken_at__lt=timezone.now() - UNFINISHED_AFTER
    )
    problems += [
        Problem(
            "licence_number_unfinished",
            _("证照编号 %(n)s") % {"n": taken.number},
            _("%(t)s 为办件取号后制证未完成，既未制发也未作废。")
            % {"t": timezone.localtime(taken.taken_at).strftime("%Y-%m-%d %H:%M")},
        )
        for taken in stalled.order_by("number")
    ]
    return problems
