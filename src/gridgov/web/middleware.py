"""Chinese first: the interface language is the one the user picked (the language cookie set by
the switcher), else zh-Hans. Browsers' Accept-Language is deliberately ignored, so an office PC
with an English browser still shows the Chinese interface until someone chooses English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.inputs import InputError


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class InputBoundaryMiddleware:
    """The HTTP side of the input boundary (gridgov.inputs), in front of every view: query
    strings, path segments, form fields, upload names and JSON bodies are checked once here, so
    no endpoint can forget. A refusal names the field and is answered in the door's own format:
    the API's error JSON, Open311's error list, or a page in the reader's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check_request(request)
        except InputError as exc:
            return refusal(request, 400, exc.field, exc.message)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return refusal(request, 413, "body", f"the request body is larger than {limit} bytes")
        except (TooManyFieldsSent, TooManyFilesSent):
            return refusal(request, 400, "body", "too many fields in the request")
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        try:
            for name, value in kwargs.items():
                if isinstance(value, str):
                    inputs.check_query_value(name, value)
                elif isinstance(value, int):  # already converted by an <int:…> path converter
                    inputs.check_int(name, value)
            for i, value in enumerate(args):
                if isinstance(value, str):
                    inputs.check_query_value(f"path[{i}]", value)
        except InputError as exc:
            return refusal(request, 400, exc.field, exc.message)
        return None

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """An InputError raised by any view's own checks is the same refusal."""
        if isinstance(exc, InputError):
            return refusal(request, 400, exc.field, exc.message)
        return None

    def _check_request(self, request: HttpRequest) -> None:
        for key, values in request.GET.lists():
            inputs.check_text("<query key>", key)
            for value in values:
                inputs.check_query_value(key, value)
        if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
            return
        length = request.META.get("CONTENT_LENGTH") or "0"
        content_type = request.content_type or ""
        if content_type not in FORM_TYPES:
            # Whatever type it declares (JSON, text/plain, octet-stream, none): a body that
            # parses as JSON is checked here, since django-ninja and the views parse it anyway.
            if length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                raise RequestDataTooBig
            if not request.body:
                return
            try:
                document = inputs.parse_json("body", request.body)
            except inputs.NotJSON:
                return  # not JSON: the endpoint answers it in its own words
            request.parsed_json = document  # type: ignore[attr-defined]  # parsed once
        else:
            for key, values in request.POST.lists():
                inputs.check_text("<form key>", key)
                for value in values:
                    inputs.check_form_value(key, value)
            for key, files in request.FILES.lists():
                for upload in files:
                    inputs.check_text(key, upload.name or "", max_length=255)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}

# A door with its own error format (Open311 …): its path prefix → the answer to a refusal
# (request, status, "field: message"). Each such app registers itself in AppConfig.ready().
Refusal = Callable[[HttpRequest, int, str], HttpResponse]
REFUSAL_FORMATS: dict[str, Refusal] = {}


def register_refusal_format(prefix: str, answer: Refusal) -> None:
    """Refusals of the input boundary under `prefix` are answered by `answer`."""
    REFUSAL_FORMATS[prefix] = answer


def refusal(request: HttpRequest, status: int, field: str, message: str) -> HttpResponse:
    """A refused request, in the format of the door it came through."""
    path = request.path
    if path.startswith("/api/"):
        body = {
            "detail": f"invalid input: {field}",
            "errors": [{"field": field, "message": message}],
        }
        return JsonResponse(body, status=status)
    for prefix, answer in REFUSAL_FORMATS.items():
        if path.startswith(prefix):
            return answer(request, status, f"{field}: {message}")
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    context = {"field": field, "message": message, "hint": _hint(message), "back": back}
    return render(request, "web/refused.html", context, status=status)


def _hint(message: str) -> str:
    """The refusal in the reader's language (the technical detail is shown beside it)."""
    if "control character" in message or "noncharacter" in message:
        return _("内容含有不允许的不可见控制字符（常由其他软件复制带入），请删除后重新提交。")
    if "characters (" in message or "larger than" in message:
        return _("内容过长，请删减后重新提交。")
    if "date" in message or "year" in message:
        return _("日期无效或超出允许的范围。")
    return _("数值无效或超出允许的范围。")
