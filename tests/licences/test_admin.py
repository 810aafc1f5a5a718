"""The admin shows the seal, its uses and the registry, and changes none of them."""

import pytest
from django.test import Client

from tests.licences import helpers
from yimen.subjects.models import Account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["sealauthority", "seal", "sealuse", "licence"])
def test_the_admin_lists_and_shows_but_never_adds_or_changes(crew, food, the_seal, model):
    licence = helpers.issued(crew, food)
    admin = Account.objects.create_superuser("root", password="x-demo-pass-1")
    client = Client()
    client.force_login(admin)
    listing = client.get(f"/admin/licences/{model}/")
    assert listing.status_code == 200
    one = {"sealauthority": the_seal.authority_id, "seal": the_seal.pk, "licence": licence.pk}
    pk = one.get(model) or licence.seal.uses.first().pk
    page = client.get(f"/admin/licences/{model}/{pk}/change/")
    assert page.status_code == 200 and b"gAAAAA" not in page.content  # no Fernet token
    assert client.get(f"/admin/licences/{model}/add/").status_code == 403
    assert client.post(f"/admin/licences/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
