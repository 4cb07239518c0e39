"""The HTTP API, v1 (django-ninja): the assembly. Each app contributes a router; this module
holds the instance, the bearer-token authentication and the handlers that answer every refusal
in the error format `{"detail": ..., "errors": [{"field", "message"}]}`. Nothing imports it but
the URL configuration: the apps' API modules use `gridgov.apikit`."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from gridgov.apikit import DOMAIN_STATUS, ApiError, CheckedParser, InvalidToken, error_body
from gridgov.errors import DomainError
from gridgov.inputs import InputError
from gridgov.people.tokens import token_for


class BearerToken(HttpBearer):
    """`Authorization: Bearer ggv_…` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_for(token)
        if found is None:
            raise InvalidToken()
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class GridgovAPI(NinjaAPI):
    """The API, whose document also says what the input boundary does for every operation: a
    query value or path segment it refuses (a control character, an integer beyond 64 bits, an
    impossible date, …) is answered 400 with the field named, before the operation runs."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        refusal = {
            "description": "Bad Request",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses")
                if isinstance(responses, dict) and not {400, "400"} & responses.keys():
                    responses[400] = refusal
        return schema


api = GridgovAPI(
    title="gridgov API",
    version="1",
    description="一网统管 grid-governance platform. Authenticate with a bearer token "
    "(POST /api/v1/auth/token) or the pages' session.",
    auth=[BearerToken(), django_auth],  # session: the pages, CSRF-checked
    urls_namespace="api",
    docs_url="/docs",
    parser=CheckedParser(),
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("query", "body", "path")]
        errors.append({"field": ".".join(loc) or "request", "message": err.get("msg", "")})
    fields = ", ".join(e["field"] for e in errors)
    return api.create_response(request, error_body(f"invalid input: {fields}", errors), status=400)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    errors = [{"field": exc.field, "message": str(exc)}] if exc.field else []
    return api.create_response(request, error_body(str(exc), errors), status=exc.status_code)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A refusal of the domain (gridgov.errors), raised by any handler, as its status."""
    errors = [{"field": exc.field, "message": exc.text}] if exc.field else []
    return api.create_response(
        request, error_body(exc.text, errors), status=DOMAIN_STATUS[exc.kind]
    )


@api.exception_handler(InputError)
def on_input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
    errors = [{"field": exc.field, "message": exc.message}]
    return api.create_response(
        request, error_body(f"invalid input: {exc.field}", errors), status=400
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if isinstance(exc, InvalidToken):
        body = error_body(str(exc), [{"field": "Authorization", "message": str(exc)}])
    else:
        body = error_body("authentication required: a bearer token or a session")
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals (a body that is not JSON, a session POST without its CSRF
    token, …) in the same error format; a body the parser refused names its problem."""
    if isinstance(exc.__cause__, InputError):
        return on_input_error(request, exc.__cause__)
    message = str(exc)
    errors = [{"field": "body", "message": message}] if "request body" in message else []
    return api.create_response(request, error_body(message, errors), status=exc.status_code)


@csrf_exempt  # changes nothing; a POST to a wrong URL gets the 404, not a CSRF page
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other URL under /api/v1/ (e.g. /orders/abc, where an id is a number): a 404 in the
    API's error format rather than the site's HTML page."""
    return api.create_response(request, error_body("no such endpoint or resource"), status=404)


def _register() -> None:
    from gridgov.air.api import BatchRejected, ingest_router
    from gridgov.air.api import router as air_router
    from gridgov.air.archive_api import router as packet_archive_router
    from gridgov.air.control_api import router as device_control_router
    from gridgov.air.factor_api import router as factor_router
    from gridgov.air.forecast_api import router as forecast_router
    from gridgov.air.quality_api import router as air_quality_router
    from gridgov.air.review_api import router as review_router
    from gridgov.air.rose_api import router as rose_router
    from gridgov.air.tamper_api import router as tamper_router
    from gridgov.bulletins.api import router as bulletins_router
    from gridgov.centre.allowance_api import router as allowance_router
    from gridgov.centre.api import router as centre_router
    from gridgov.centre.hotspots_api import router as hotspots_router
    from gridgov.customs.api import router as customs_router
    from gridgov.emergency.api import router as emergency_router
    from gridgov.emergency.effect_api import router as effect_router
    from gridgov.enforcement.api import public_router as exposure_router
    from gridgov.enforcement.api import router as enforcement_router
    from gridgov.forces.api import router as forces_router
    from gridgov.inbox.api import router as inbox_router
    from gridgov.inspections.api import router as inspections_router
    from gridgov.intake.api import router as intake_router
    from gridgov.mediation.api import router as mediation_router
    from gridgov.meetings.api import router as meetings_router
    from gridgov.organisations.api import router as organisations_router
    from gridgov.people.api import auth_router, people_router
    from gridgov.people.regions_api import router as territory_router
    from gridgov.projects.api import router as projects_router
    from gridgov.racing.api import router as racing_router
    from gridgov.sources.api import router as sources_router
    from gridgov.sources.trace_api import router as trace_router
    from gridgov.workorders.api import router as workorders_router

    api.add_router("/auth", auth_router, tags=["auth"])
    api.add_router("", territory_router, tags=["territory"])
    api.add_router("", people_router, tags=["people"])
    api.add_router("", ingest_router, tags=["air ingestion"])
    api.add_router("", air_router, tags=["air"])
    api.add_router("", factor_router, tags=["air"])
    api.add_router("", rose_router, tags=["air"])
    api.add_router("", forecast_router, tags=["air forecast"])
    api.add_router("", trace_router, tags=["air"])
    api.add_router("", effect_router, tags=["air"])
    api.add_router("", packet_archive_router, tags=["air"])
    api.add_router("", review_router, tags=["air data review"])
    api.add_router("", tamper_router, tags=["air tampering"])
    api.add_router("", air_quality_router, tags=["air sensor quality"])
    api.add_router("", device_control_router, tags=["air device control"])
    api.add_router("", workorders_router, tags=["work orders"])
    api.add_router("", inbox_router, tags=["inbox and commands"])
    api.add_router("", inspections_router, tags=["inspections"])
    api.add_router("", enforcement_router, tags=["enforcement"])
    api.add_router("", exposure_router, tags=["public"])
    api.add_router("", emergency_router, tags=["emergency"])
    api.add_router("", sources_router, tags=["sources"])
    api.add_router("", bulletins_router, tags=["bulletins"])
    api.add_router("", forces_router, tags=["forces and supplies"])
    api.add_router("", meetings_router, tags=["meetings"])
    api.add_router("", racing_router, tags=["racing"])
    api.add_router("", centre_router, tags=["command centre"])
    api.add_router("", hotspots_router, tags=["air"])
    api.add_router("", allowance_router, tags=["air"])
    api.add_router("", mediation_router, tags=["people's mediation"])
    api.add_router("", organisations_router, tags=["new-sector organisations"])
    api.add_router("", projects_router, tags=["projects"])
    api.add_router("", customs_router, tags=["village rules and customs"])
    api.add_router("", intake_router, tags=["intake of machine-detected events"])

    @api.exception_handler(BatchRejected)
    def on_batch_rejected(request: HttpRequest, exc: BatchRejected) -> HttpResponse:
        return api.create_response(request, exc.body, status=400)


_register()
