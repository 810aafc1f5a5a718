from django.urls import path

from yimen.portal.views import cases

app_name = "cases"

urlpatterns = [
    path("window/", cases.window, name="window"),
    path("window/apply/<int:subject_id>/", cases.window_apply, name="apply"),
    path("work/", cases.work, name="work"),
    path("me/cases/", cases.my_cases, name="mine"),
    path("cases/<str:case_no>/", cases.case_detail, name="case"),
    path("cases/<str:case_no>/receipt/", cases.receipt, name="receipt"),
    path("cases/<str:case_no>/correction-notice/", cases.correction_notice, name="correction"),
    path(
        "cases/<str:case_no>/receipt.pdf",
        cases.letter_pdf,
        {"letter": "receipt"},
        name="receipt_pdf",
    ),
    path(
        "cases/<str:case_no>/correction-notice.pdf",
        cases.letter_pdf,
        {"letter": "correction"},
        name="correction_pdf",
    ),
    path(
        "cases/<str:case_no>/refusal.pdf",
        cases.letter_pdf,
        {"letter": "refusal"},
        name="refusal_pdf",
    ),
    path(
        "cases/<str:case_no>/decision.pdf",
        cases.letter_pdf,
        {"letter": "decision"},
        name="decision_pdf",
    ),
    path("cases/<str:case_no>/act/<slug:action>/", cases.case_act, name="act"),
    path(
        "cases/<str:case_no>/materials/<int:material_id>/file/",
        cases.material_file,
        name="material_file",
    ),
]
