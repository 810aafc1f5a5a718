from django.urls import path

from yimen.portal.views import accounts

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", accounts.login_view, name="login"),
    path("accounts/second-factor/", accounts.second_factor_view, name="second_factor"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    path("accounts/", accounts.account_home, name="home"),
    path("accounts/tokens/", accounts.token_create, name="token_create"),
    path("accounts/tokens/<int:token_id>/revoke/", accounts.token_revoke, name="token_revoke"),
    path("accounts/authorisations/", accounts.authorisation_grant, name="authorisation_grant"),
    path(
        "accounts/authorisations/<int:authorisation_id>/revoke/",
        accounts.authorisation_revoke,
        name="authorisation_revoke",
    ),
    path("me/materials/", accounts.my_materials, name="materials"),
    path("me/materials/<int:entry_id>/file/", accounts.locker_file, name="locker_file"),
    path("me/licences/", accounts.my_licences, name="licences"),
    path("demo/sms/", accounts.demo_sms, name="demo_sms"),
    path("staff/subjects/", accounts.staff_subjects, name="staff_subjects"),
    path(
        "staff/subjects/<int:subject_id>/materials/",
        accounts.staff_subject_materials,
        name="staff_subject_materials",
    ),
]
