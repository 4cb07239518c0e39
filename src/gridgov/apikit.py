"""The kit every app's API module uses: the error format and its schemas, the refusals an
operation raises, the parser behind the input boundary, and the answers that are files or
GeoJSON. It imports no app: the assembly (`gridgov.api`) imports the apps' routers, the apps
import this."""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.types import DictStrAny

from gridgov.errors import HTTP_STATUS
from gridgov.inputs import parse_json
from gridgov.schemas import Schema


class InvalidToken(AuthenticationError):
    """A request that names a bearer token which does not work is refused at once (401): it
    does not fall through to the session's authentication (whose CSRF check would answer 403
    to a POST, hiding the real problem)."""

    def __init__(self, message: str = "invalid, expired or revoked bearer token") -> None:
        super().__init__(401, message)


class CheckedParser(Parser):
    """Every body django-ninja reads has passed the input boundary (gridgov.inputs): parsed and
    checked once by InputBoundaryMiddleware whatever its declared content type, or, when the
    middleware did not (a form content type sent to a JSON operation), parsed and checked here.
    A refusal is an InputError, answered 400 naming the field by `on_input_error`."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if hasattr(request, "parsed_json"):
            return cast(DictStrAny, request.parsed_json)
        return cast(DictStrAny, parse_json("body", request.body))


class ApiError(HttpError):
    """An error naming the field it is about."""

    def __init__(self, status_code: int, message: str, field: str | None = None) -> None:
        super().__init__(status_code, message)
        self.field = field


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """The body of every 4xx/5xx answer."""

    detail: str
    errors: list[FieldErrorOut]


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """`response={200: X, **errors(400, 401, 404)}`: the error statuses an operation can answer,
    documented with the error body."""
    return dict.fromkeys(codes, ErrorOut)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


def download(media_type: str, description: str) -> dict[str, Any]:
    """`openapi_extra` of an operation whose 200 answer is a file (or may be one, next to its
    JSON schema): its media type, as binary."""
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"description": description, "content": content}}}


DOMAIN_STATUS = HTTP_STATUS


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An Excel workbook as a download named `filename`."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


_JSON = JSONRenderer()


def geojson(request: HttpRequest, collection: dict[str, Any]) -> HttpResponse:
    """A FeatureCollection as it is: documented by its schema (and checked against it by the
    tests), not validated per request — boundaries are megabytes of coordinates."""
    content = _JSON.render(request, collection, response_status=200)
    return HttpResponse(
        content, status=200, content_type=f"{_JSON.media_type}; charset={_JSON.charset}"
    )
