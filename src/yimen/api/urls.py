"""The versioned JSON API, /api/v1/. Each area's router is mounted here."""

from ninja import NinjaAPI

from yimen.api.catalog import router as catalog_router
from yimen.api.subjects import router as subjects_router
from yimen.errors import DomainError

api = NinjaAPI(
    title="一门 Yimen API",
    version="1",
    description="行政审批服务平台接口：事项目录、主体与账号、办件、证照与监督。",
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


api.add_router("/", catalog_router)
api.add_router("/", subjects_router)
