"""Every operation of /api/v1/ declares what it answers: a typed JSON schema for its success
(or a file's media type), the error body for its errors. A new endpoint that returns a bare
`dict`/`Any` fails here, naming itself."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from ninja import NinjaAPI

JSON = "application/json"
SUCCESS = ("200", "201")
ERROR_REF = "#/components/schemas/ErrorOut"


def _document(api: Any, **kwargs: Any) -> dict[str, Any]:
    # Through JSON, as clients see it (status codes become strings).
    return json.loads(json.dumps(api.get_openapi_schema(**kwargs)))


def untyped(schema: dict[str, Any], components: dict[str, Any], where: str) -> list[str]:
    """Where a schema (followed through $refs) says nothing about a value's shape: `{}`, an
    object with neither properties nor typed additionalProperties, `additionalProperties: true`,
    an array of untyped items."""
    found: list[str] = []
    seen: set[str] = set()

    def walk(s: Any, at: str) -> None:
        if not isinstance(s, dict):
            found.append(f"{at}: not a schema")
            return
        if "$ref" in s:
            name = s["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(components.get(name), f"{at}→{name}")
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for i, part in enumerate(s.get(key, [])):
                walk(part, f"{at}.{key}[{i}]")
        if any(k in s for k in ("anyOf", "oneOf", "allOf", "const", "enum")):
            return
        kind = s.get("type")
        if kind is None:
            found.append(f"{at}: untyped {{}}")
        elif kind == "object":
            extra = s.get("additionalProperties")
            if extra is True:
                found.append(f"{at}: additionalProperties: true")
            elif not s.get("properties") and not isinstance(extra, dict):
                found.append(f"{at}: object without properties")
            for name, prop in s.get("properties", {}).items():
                walk(prop, f"{at}.{name}")
            if isinstance(extra, dict):
                walk(extra, f"{at}.*")
        elif kind == "array":
            walk(s.get("items"), f"{at}[]")

    walk(schema, where)
    return found


def problems(document: dict[str, Any]) -> list[str]:
    components = document.get("components", {}).get("schemas", {})
    out: list[str] = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            name = f"{method.upper()} {path}"
            responses = op.get("responses", {})
            successes = [s for s in SUCCESS if s in responses]
            if not successes and "204" not in responses:
                out.append(f"{name}: no 200/201/204 response declared")
            for status in successes:
                content = responses[status].get("content")
                if not content:
                    out.append(f"{name} {status}: no schema (declare a response Schema, or a file)")
                    continue
                for media_type, body in content.items():
                    schema = body.get("schema")
                    if media_type == JSON:
                        out += untyped(schema or {}, components, f"{name} {status}")
                    elif schema != {"type": "string", "format": "binary"}:
                        out.append(f"{name} {status} {media_type}: a file is binary")
            for status, response in responses.items():
                if int(status) < 400:
                    continue
                schema = response.get("content", {}).get(JSON, {}).get("schema", {})
                if schema.get("$ref") != ERROR_REF:
                    out.append(f"{name} {status}: errors answer with ErrorOut")
            if op.get("security") and "401" not in responses:
                out.append(f"{name}: needs authentication but does not declare 401")
    return out


def test_every_operation_declares_a_typed_answer():
    from gridgov.api import api

    found = problems(_document(api))
    assert not found, (
        "declare `response={200: SomeSchema, **errors(…)}` (or `openapi_extra=download(…)` for a "
        "file) on:\n  " + "\n  ".join(found)
    )


def test_the_file_downloads_are_declared_as_files():
    from gridgov.api import api
    from gridgov.apikit import XLSX

    paths = _document(api)["paths"]
    files = ("/api/v1/orders.xlsx", "/api/v1/export/regions.xlsx", "/api/v1/export/people.xlsx")
    for path in files:
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == [XLSX]
    hourly = paths["/api/v1/stations/{code}/hourly"]["get"]["responses"]["200"]["content"]
    assert set(hourly) == {JSON, "text/csv"}


@pytest.mark.parametrize(
    "annotation",
    ["dict", "dict[str, Any]", "list[dict[str, Any]]", "Any", "list[Any]", "None-200"],
)
def test_the_guard_catches_untyped_answers(annotation):
    from gridgov.apikit import ErrorOut

    probe = NinjaAPI(urls_namespace=f"probe-{annotation}")
    response: Any = {
        "dict": dict,
        "dict[str, Any]": dict[str, Any],
        "list[dict[str, Any]]": list[dict[str, Any]],
        "Any": Any,
        "list[Any]": list[Any],
        "None-200": {200: None, 401: ErrorOut},
    }[annotation]

    @probe.get("/loose", response=response)
    def loose(request):
        return {}

    assert problems(_document(probe, path_prefix="/")), f"{annotation} passed as typed"


def test_the_guard_passes_a_typed_answer():
    from ninja import Schema

    from gridgov.apikit import ErrorOut

    class Thing(Schema):
        name: str
        sizes: dict[str, int]

    probe = NinjaAPI(urls_namespace="probe-typed")

    @probe.get("/thing", response={200: list[Thing], 404: ErrorOut})
    def thing(request):
        return []

    assert problems(_document(probe, path_prefix="/")) == []


def test_paginated_lists_cap_limit_at_1000(crew, client, bearer):
    from gridgov.api import api

    paths = _document(api)["paths"]
    paginated = [
        (path, p)
        for path, ops in paths.items()
        for p in ops.get("get", {}).get("parameters", [])
        if p["name"] == "limit" and path != "/api/v1/alarms"
    ]
    assert len(paginated) >= 5
    for path, parameter in paginated:
        assert parameter["schema"]["maximum"] == 1000, path
    headers = bearer("command")
    response = client.get("/api/v1/orders", {"limit": 1_000_000_000}, **headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "limit"
    assert client.get("/api/v1/orders", {"limit": 1000}, **headers).status_code == 200


def test_errors_outside_the_operations_keep_the_error_format(users, client, bearer):
    headers = bearer("command")
    for method, path in [
        ("GET", "/api/v1/orders/abc"),
        ("GET", "/api/v1/orders/-1"),
        ("GET", "/api/v1/orders/a%0Ab"),
        ("POST", "/api/v1/orders/abc/transitions"),
    ]:
        response = client.generic(method, path, **headers)
        assert response.status_code == 404, (method, path)
        assert response.json()["detail"] == "no such endpoint or resource"
    nowhere = Client().get("/api/v1/no/such/thing", **headers)  # not in the document
    assert nowhere.status_code == 404 and nowhere.json()["errors"] == []
    broken = client.post("/api/v1/aqi/calculate", "{", content_type="application/json", **headers)
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["field"] == "body"


def test_no_two_schemas_share_a_name():
    """The document names each schema by its class name: two apps' `StatsOut` would be one
    component, and one of the two endpoints would be documented (and checked) with the other's
    shape. Each schema class of the project needs a name of its own."""
    from ninja import Schema

    import gridgov.api  # noqa: F401 — every router and its schemas

    found: dict[str, list[str]] = {}
    todo = list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("gridgov."):
            where = f"{cls.__module__}.{cls.__qualname__}"
            if where not in found.setdefault(cls.__name__, []):
                found[cls.__name__].append(where)
    shared = {name: places for name, places in found.items() if len(places) > 1}
    assert not shared, shared
