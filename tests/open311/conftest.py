"""Open311 tests reuse the work-order fixtures."""

from tests.workorders.conftest import crew, report  # noqa: F401
