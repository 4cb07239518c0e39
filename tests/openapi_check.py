"""Every JSON response the tests get from /api/v1/ is checked against the OpenAPI document:
documented statuses against their schema, everything else against the error format."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jsonschema
from django.test import Client

ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail", "errors"],
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


@cache
def openapi() -> dict[str, Any]:
    from gridgov.api import api

    # Through JSON, as clients see it (status codes become strings).
    return json.loads(json.dumps(api.get_openapi_schema()))


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in openapi()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        out.append((re.compile(f"^{pattern}$"), template))
    # Literal paths before templated ones (/people/export… before /people/{id}).
    return sorted(out, key=lambda item: item[1].count("{"))


def check_response(method: str, path: str, response: Any) -> None:
    if not path.startswith("/api/v1/") or path == "/api/v1/openapi.json":
        return
    if "json" not in response.get("Content-Type", "") or not response.content:
        return
    body = json.loads(response.content)
    template = next((t for p, t in _templates() if p.match(path)), None)
    assert template is not None, f"{path} is not in the OpenAPI document"
    operation = openapi()["paths"][template].get(method.lower())
    assert operation is not None, f"{method} {template} is not in the OpenAPI document"
    documented = operation["responses"].get(str(response.status_code))
    if documented is None or "content" not in documented:
        jsonschema.validate(body, ERROR_SCHEMA)
        return
    schema = documented["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**schema, "components": openapi().get("components", {})})


class OpenAPICheckedClient(Client):
    def generic(self, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        response = super().generic(method, path, *args, **kwargs)
        check_response(method, path.split("?")[0], response)
        return response
