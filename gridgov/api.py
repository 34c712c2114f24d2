"""One django-ninja API at /api/ with a router per app.

Every error has the same shape: {"errors": [{"field": ..., "code": ..., "message": ...}]}.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from gridgov.core.errors import Refusal


api = NinjaAPI(
    title="gridgov API",
    version="1",
    description="新泾镇网格治理平台接口",
    auth=django_auth,
    urls_namespace="api",
    # Swagger UI would otherwise fetch a validity badge from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)


def errors(request, status, items):
    return api.create_response(request, {"errors": items}, status=status)


@api.exception_handler(Refusal)
def _refused(request, exc: Refusal):
    response = api.create_response(request, exc.body(), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc: NinjaValidationError):
    items = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload", "form")]
        items.append({"field": ".".join(location), "code": error.get("type", "invalid"),
                      "message": error.get("msg", "")})
    return errors(request, 422, items)


@api.exception_handler(ValidationError)
def _model_error(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        items = [{"field": field, "code": e.code or "invalid", "message": " ".join(e.messages)}
                 for field, field_errors in exc.error_dict.items() for e in field_errors]
    else:
        items = [{"field": "", "code": e.code or "invalid", "message": " ".join(e.messages)}
                 for e in exc.error_list]
    return errors(request, 400, items)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return errors(request, 404, [{"field": "", "code": "not_found", "message": "未找到"}])


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return errors(request, 403, [{"field": "", "code": "forbidden", "message": str(exc) or "无权操作"}])


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return errors(request, 401, [{"field": "", "code": "unauthenticated", "message": "请先登录"}])


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return errors(request, exc.status_code, [{"field": "", "code": "error", "message": str(exc)}])


def _mount_routers():
    from gridgov.cases.api import router as cases_router
    from gridgov.grids.api import router as grids_router
    from gridgov.indicators.api import router as indicators_router
    from gridgov.services.api import router as services_router
    from gridgov.volunteers.api import router as volunteers_router

    api.add_router("/grids/", grids_router)
    api.add_router("/cases/", cases_router)
    api.add_router("/indicators/", indicators_router)
    api.add_router("/services/", services_router)
    api.add_router("/volunteers/", volunteers_router)


_mount_routers()
