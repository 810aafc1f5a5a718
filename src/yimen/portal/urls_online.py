from django.urls import path

from yimen.portal.views import online

app_name = "online"

urlpatterns = [
    path("apply/drafts/", online.drafts, name="drafts"),
    path("apply/drafts/<int:draft_id>/", online.draft_resume, name="draft"),
    path("apply/drafts/<int:draft_id>/submit/", online.draft_submit, name="submit"),
    path("apply/drafts/<int:draft_id>/delete/", online.draft_delete, name="delete"),
    path("apply/drafts/<int:draft_id>/<slug:step>/", online.draft_step, name="step"),
    path("apply/bundle/<str:code>/", online.apply_bundle, name="apply_bundle"),
    path("apply/<str:item_code>/", online.apply_item, name="apply"),
    path("me/ratings/", online.my_ratings, name="ratings"),
    path("prefs/elderly/", online.elderly_mode, name="elderly"),
    path("manifest.webmanifest", online.manifest, name="manifest"),
    path("icons/yimen-<int:size>.png", online.icon, name="icon"),
]
