"""The installation the SIGKILL test serves, run in a process of its own.

    python -m tests.reliability.sigkill_site setup   # a citizen, an API token, an online item
    python -m tests.reliability.sigkill_site cases   # the case numbers filed under each key

Each prints one JSON object. The environment names the data directory and database.
"""

import json
import os
import sys

import django

ITEM_CODE = "220105-MZJ-001"


def setup() -> dict:
    from tests.factories import catalog
    from tests.factories import subjects as people
    from yimen.subjects import services

    catalog.published(ITEM_CODE)
    applicant, _person = people.citizen()
    _token, raw = services.token_create(account=applicant, name="sigkill")
    return {"token": raw, "item_code": ITEM_CODE}


def cases() -> dict:
    from yimen.cases.models import Case

    filed: dict[str, list[str]] = {}
    for key, case_no in Case.objects.order_by("pk").values_list(
        "filing__idempotency_key", "case_no"
    ):
        filed.setdefault(key, []).append(case_no)
    return {"by_key": filed, "total": Case.objects.count()}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yimen.settings")
    django.setup()
    print(json.dumps({"setup": setup, "cases": cases}[sys.argv[1]]()))
