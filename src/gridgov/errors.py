"""The refusals of the domain, with no HTTP in them.

A domain function that refuses raises a `DomainError` (or a subclass per app) naming its kind
and, where it is about one input, the field. Each door maps the kind to its own answer: the API
(one handler in `gridgov.api`) to 400/403/404/409, a page to a form error or a 404, a command to
a message and a non-zero exit. "Not yours" and "no such id" are the same `not_found`."""

from __future__ import annotations

from typing import Any

INVALID, FORBIDDEN, NOT_FOUND, CONFLICT = "invalid", "forbidden", "not_found", "conflict"
TOO_LARGE = "too_large"  # an upload beyond its limit
UNAVAILABLE = "unavailable"  # not now (a busy or failing resource): try again
KINDS = (INVALID, FORBIDDEN, NOT_FOUND, CONFLICT, TOO_LARGE, UNAVAILABLE)

# What a web door (the API's one handler, a page, Open311) answers for each kind: the only
# place the kinds meet HTTP statuses.
HTTP_STATUS = {
    INVALID: 400,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    TOO_LARGE: 413,
    UNAVAILABLE: 503,
}


class DomainError(Exception):
    """A refused request: `kind` is invalid, forbidden, not_found or conflict."""

    kind: str = INVALID

    def __init__(self, kind: str, message: str, field: str | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown error kind {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.field = field

    @property
    def text(self) -> str:
        """The refusal in one sentence as a door shows it whole (the API's detail): the
        message, unless an app's class says otherwise."""
        return self.message

    @property
    def status(self) -> int:
        """The HTTP status a web door answers (read `kind`; kept for older callers)."""
        return HTTP_STATUS[self.kind]

    def about(self, field: str) -> DomainError:
        """The same refusal about a door's own input `field` (a door knows its inputs' names,
        the domain does not)."""
        return DomainError(self.kind, self.message, field)

    @classmethod
    def invalid(cls, field: str, message: str) -> DomainError:
        return cls(INVALID, message, field)

    @classmethod
    def not_found(cls, message: str) -> DomainError:
        return cls(NOT_FOUND, message)

    @classmethod
    def forbidden(cls, message: str) -> DomainError:
        return cls(FORBIDDEN, message)

    @classmethod
    def conflict(cls, message: str, field: str | None = None) -> DomainError:
        return cls(CONFLICT, message, field)


class FieldRefusal(DomainError):
    """An app's refusal raised as `AppError(field, message)`; its kind is its class's `kind`
    (`class NotAllowed(AppError): kind = FORBIDDEN`)."""

    field: str

    def __init__(self, field: str, message: str) -> None:
        super().__init__(type(self).kind, message, field)


def add_form_error(form: Any, exc: DomainError | Any) -> None:
    """A page's answer to a refusal (or an `InputError`): the message on the form field it
    names, or on the whole form when the form has no such field."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
