"""Values every portal page shows."""

from django.conf import settings


def bureau(request) -> dict:
    return {"bureau_name": settings.YIMEN_BUREAU_NAME}
