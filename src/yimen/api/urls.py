"""The versioned JSON API, /api/v1/. Each area's router is mounted here."""

import functools

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from pydantic import BaseModel

from yimen.api.cases import router as cases_router
from yimen.api.catalog import router as catalog_router
from yimen.api.licences import router as licences_router
from yimen.api.oversight_exchange import router as oversight_exchange_router
from yimen.api.oversight_ratings import router as oversight_ratings_router
from yimen.api.oversight_supervision import router as oversight_supervision_router
from yimen.api.subjects import router as subjects_router
from yimen.errors import DomainError, InvalidInput
from yimen.text import is_storable

api = NinjaAPI(
    title="一门 Yimen API",
    version="1",
    description="行政审批服务平台接口：事项目录、主体与账号、办件、证照与监督。",
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def invalid_request(request, exc: ValidationError):
    fields = [".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors]
    body = {
        "code": "invalid_request",
        "message": _("请求内容不符合要求，请检查以下字段：%(f)s。")
        % {"f": "、".join(fields) or "-"},
        "details": [{"loc": e.get("loc"), "type": e.get("type")} for e in exc.errors],
    }
    return api.create_response(request, body, status=422)


def _has_unstorable_text(value) -> bool:
    if isinstance(value, str):
        return not is_storable(value)
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        return any(_has_unstorable_text(v) for v in (*value.keys(), *value.values()))
    if isinstance(value, list | tuple | set):
        return any(_has_unstorable_text(v) for v in value)
    return False


def refuse_unstorable_text(operation):
    """No path, query or body text may hold a NUL character or a broken escape: PostgreSQL
    refuses them even in a lookup, so they would fail as server errors."""

    @functools.wraps(operation)
    def checked(request, *args, **kwargs):
        if _has_unstorable_text(kwargs):
            raise InvalidInput(
                "invalid_characters", _("请求中含有空字符或无效的字符编码，无法处理。")
            )
        return operation(request, *args, **kwargs)

    return checked


api.add_decorator(refuse_unstorable_text)
api.add_router("/", catalog_router)
api.add_router("/", subjects_router)
api.add_router("/", cases_router)
api.add_router("/", licences_router)
api.add_router("/", oversight_ratings_router)
api.add_router("/", oversight_exchange_router)
api.add_router("/", oversight_supervision_router)
