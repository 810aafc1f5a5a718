from django.urls import path

from yimen.portal.views import licences

app_name = "licences"

urlpatterns = [
    path("verify", licences.verify_page, name="verify"),
    path("verify/seal-ca.pem", licences.trust_list, name="trust_list"),
    path("licences/issue/<str:case_no>/", licences.licence_issue, name="issue"),
    path("licences/<str:number>/", licences.licence_detail, name="detail"),
    path("licences/<str:number>/document/", licences.licence_document, name="document"),
    path("licences/<str:number>/revoke/", licences.licence_revoke, name="revoke"),
]
