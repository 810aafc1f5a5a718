"""One small bureau with one of everything, for the access matrix and the log scan.

Citizen A owns a licensing case that ran its whole course (accepted, reviewed,
decided, licensed, delivered, rated badly and complained about), a second case
sent back for correction with a material uploaded online, a third refused, a
locker document, an access token and an authorisation. Citizen B is another
citizen with nothing of A's. Staff of every role serve A's item and department;
a reviewer and an approver of another department serve neither.
`params` fills the path parameters of every page and API operation from it.
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from reportlab.pdfgen.canvas import Canvas

from tests.factories import cases as make
from tests.factories import catalog
from tests.factories import oversight_exchange as exchange_data
from tests.factories import oversight_ratings as rating_data
from tests.factories import subjects as people
from yimen.cases import selectors_hall as hall
from yimen.cases import services as cases
from yimen.cases import services_hall as hall_services
from yimen.cases.models import CaseMaterial
from yimen.catalog.models import DeliveryMode, MaterialSpec, Role
from yimen.oversight.models.exchange import OutboxMessage
from yimen.oversight.selectors.stats import stats_filter
from yimen.oversight.services import complaints, exchange, ratings, supervision
from yimen.subjects import services as subjects
from yimen.subjects.models import Account

ANONYMOUS, CITIZEN_A, CITIZEN_B = "anonymous", "citizen_a", "citizen_b"
CLERK, REVIEWER, APPROVER = "clerk", "reviewer", "approver"
SUPERVISOR, REGULATOR, CATALOG_ADMIN, GRID_WORKER = (
    "supervisor",
    "regulator",
    "catalog_admin",
    "grid_worker",
)
# Staff of another department: A's case, its rating and its licence are not theirs.
REVIEWER_ELSEWHERE, APPROVER_ELSEWHERE = "reviewer_elsewhere", "approver_elsewhere"
ROLES = (
    ANONYMOUS,
    CITIZEN_A,
    CITIZEN_B,
    CLERK,
    REVIEWER,
    APPROVER,
    SUPERVISOR,
    REGULATOR,
    CATALOG_ADMIN,
    GRID_WORKER,
    REVIEWER_ELSEWHERE,
    APPROVER_ELSEWHERE,
)


def pdf_bytes(text: str = "scan") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setTitle(text)
    canvas.drawString(100, 700, text)
    canvas.save()
    return buffer.getvalue()


@dataclass
class World:
    accounts: dict[str, Account]
    params: dict[str, str]


def build() -> World:
    crew = make.team()
    center = people.center()
    subjects.staff_role_assign(account=crew.clerk, role=Role.CLERK, center=center)
    version = make.licence_item()
    regulator_department = exchange_data.regulator_department()
    regulator = exchange_data.regulator(regulator_department)
    subscription = exchange.subscription_save(
        actor=regulator, department=regulator_department, item_code=version.item.code
    )
    bundle = make.bundle("220105-YJS-009", version)
    supervisor_account = exchange_data.supervisor()
    elsewhere = catalog.department("WJJ", "卫健局")
    accounts = {
        CITIZEN_A: crew.applicant,
        CITIZEN_B: people.citizen("王秀英", birth="19900214")[0],
        CLERK: crew.clerk,
        REVIEWER: crew.reviewers["MZJ"],
        APPROVER: crew.approver,
        SUPERVISOR: supervisor_account,
        REGULATOR: regulator,
        CATALOG_ADMIN: people.staff(Role.CATALOG_ADMIN, name="郑海涛"),
        GRID_WORKER: people.staff(Role.GRID_WORKER, name="林秀芳"),
        REVIEWER_ELSEWHERE: people.staff(Role.REVIEWER, department=elsewhere, name="孙立新"),
        APPROVER_ELSEWHERE: people.staff(Role.APPROVER, department=elsewhere, name="何建平"),
    }
    licence = exchange_data.licence(crew, version)
    done = cases.case_deliver(case=licence.case, actor=crew.clerk, mode=DeliveryMode.ELECTRONIC)
    rating = ratings.rating_submit(
        case=done, rater=crew.applicant, level=5, channel="pc", tags=["rude"], comment="态度差"
    )
    invite = ratings.rating_invite_send(case_id=done.pk)
    notice = OutboxMessage.objects.get(licence_no=licence.number)
    OutboxMessage.objects.filter(pk=notice.pk).update(status=OutboxMessage.Status.FAILED)
    finding = exchange.finding_send(
        actor=regulator, notice=notice, kind="opinion", text="请核实经营场所。"
    )
    complaint = complaints.complaint_submit(
        target="case",
        content="窗口人员态度生硬。",
        phone=crew.applicant.phone,
        case_no=done.case_no,
        account=crew.applicant,
    )
    check = supervision.spot_check_draw(supervisor=supervisor_account, scope=stats_filter(), size=1)
    corrected, material = _corrected_case(crew, version)
    refused = make.submitted(crew, version, key="refused")
    cases.case_refuse(
        case=refused, clerk=crew.clerk, reason="不属于本机关职权范围。", legal_basis="第三十二条"
    )
    appealed = ratings.rating_submit(
        case=refused, rater=crew.applicant, level=5, channel="pc", tags=["rude"]
    )
    ratings.rating_appeal(
        rating=appealed, actor=crew.reviewers["MZJ"], kind="mistaken", reason="申请人误评。"
    )
    unrated = rating_data.finished_instant(crew, rating_data.instant_item(), on=_yesterday())
    granted = exchange_data.granted_case(crew, version)
    organisation = people.organisation(representative=crew.person)
    appointment = _appointment(center, crew)
    draft = _ready_draft(crew, version)
    entry = people.stored(crew.person, verified_by=crew.clerk)
    token, _raw = subjects.token_create(account=crew.applicant, name="数据对接")
    authorisation = people.grant(crew.person, accounts[GRID_WORKER], granted_by=crew.applicant)
    world = World(
        accounts=accounts,
        params={
            "case_no": done.case_no,
            "correction_case_no": corrected.case_no,
            "refused_case_no": refused.case_no,
            "unrated_case_no": unrated.case_no,
            "granted_case_no": granted.case_no,
            "lock_version": str(corrected.lock_version),
            "appealed_rating_id": str(appealed.pk),
            "organisation_id": str(organisation.pk),
            "appointment_id": str(appointment.pk),
            "draft_id": str(draft.pk),
            "draft_key": draft.key,
            "center_code": center.code,
            "agent_phone": accounts[GRID_WORKER].phone,
            "material_id": str(material.pk),
            "number": licence.number,
            "rating_id": str(rating.pk),
            "complaint_id": str(complaint.pk),
            "token": ratings.rating_link_token(invite),
            "notice_id": str(notice.pk),
            "message_id": str(notice.pk),
            "finding_pk": str(finding.pk),
            "subscription_pk": str(subscription.pk),
            "check_pk": str(check.pk),
            "check_case_no": check.cases.first().case.case_no,
            "token_id": str(token.pk),
            "authorisation_id": str(authorisation.pk),
            "entry_id": str(entry.pk),
            "subject_id": str(crew.person.pk),
            "person_id": str(crew.person.pk),
            "resident_id": crew.person.code,
            "item_code": version.item.code,
            "bundle_code": bundle.code,
            "guide_material_id": str(_material_with_guide_files(version).pk),
        },
    )
    _seal_letters(world)
    return world


def _corrected_case(crew: make.Team, version) -> tuple:
    """Sent back for the lease, which the applicant then uploads online."""
    case = make.submitted(crew, version, provided=("id_card", "floor_plan"), key="corrected")
    cases.case_request_correction(case=case, clerk=crew.clerk)
    lease = SimpleUploadedFile("lease.pdf", pdf_bytes("lease"), content_type="application/pdf")
    case = cases.case_supply_online(case=case, actor=crew.applicant, files={"lease": lease})
    return case, CaseMaterial.objects.get(case=case, spec__kind__code="lease")


def _material_with_guide_files(version) -> MaterialSpec:
    """A material of the published item with a blank form and a sample in its guide
    (written past the frozen-version rule, as if it had been published with them)."""
    material = version.materials.first()
    MaterialSpec.objects.filter(pk=material.pk).update(
        blank_form=default_storage.save("catalog/forms/blank.pdf", ContentFile(pdf_bytes("表"))),
        sample=default_storage.save("catalog/samples/sample.pdf", ContentFile(pdf_bytes("样"))),
    )
    return material


def _seal_letters(world: World) -> None:
    """Staff open each letter once, which seals it; from then on the applicant gets it."""
    client = Client()
    letters = [
        (world.accounts[CLERK], world.params["case_no"], "receipt.pdf"),
        (world.accounts[CLERK], world.params["correction_case_no"], "correction-notice.pdf"),
        (world.accounts[CLERK], world.params["refused_case_no"], "refusal.pdf"),
        (world.accounts[APPROVER], world.params["case_no"], "decision.pdf"),
    ]
    for account, case_no, letter in letters:
        client.force_login(account)
        response = client.get(f"/cases/{case_no}/{letter}")
        assert response.status_code == 200, (letter, response.status_code)


def _ready_draft(crew: make.Team, version):
    """Citizen A's online application, filled in and ready to submit."""
    draft = cases.draft_start(
        account=crew.applicant, subject_id=crew.person.pk, item_code=version.item.code
    )
    draft = cases.draft_save_form(
        draft=draft, account=crew.applicant, typed={"shop_name": "老王面馆"}
    )
    files = {
        code: SimpleUploadedFile(f"{code}.pdf", pdf_bytes(code), content_type="application/pdf")
        for code in ("id_card", "floor_plan", "lease")
    }
    return cases.draft_save_materials(draft=draft, account=crew.applicant, files=files)


def _yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


def _appointment(center, crew: make.Team):
    """Citizen A books the first free slot at the center."""
    day = hall.bookable_days(center)[0]
    slot = hall.day_slots(center, day)[0]
    return hall_services.appointment_book(
        center=center,
        starts_at=slot.starts_at,
        via="online",
        name=crew.person.name,
        phone=crew.applicant.phone,
        subject=crew.person,
        actor=crew.applicant,
    )
