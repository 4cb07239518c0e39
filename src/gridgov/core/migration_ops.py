"""`CreateModels`: an app's new tables as one migration operation, for the squashed migrations.

Django keeps the model classes of the migration state rendered while it migrates, and each
`CreateModel` re-renders every model related to the new one, recursively: with a connected
schema of some 130 models, creating N models cost N renders of nearly the whole graph, and
`migrate` on an empty database took 14-19 s. `CreateModels` adds all of its models to the state
first and re-renders the related models once. What it builds is exactly what its `CreateModel`
operations build one after the other: the same state, the same tables (each created from the
final state, which holds the same fields, indexes and constraints as the operation's own).
"""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations import CreateModel
from django.db.migrations.operations.base import Operation


class CreateModels(Operation):
    """Several `CreateModel` operations of one app, rendered once (see the module)."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, operations: list[CreateModel]) -> None:
        self.operations = operations

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [self.operations], {}

    def state_forwards(self, app_label: str, state: Any) -> None:
        rendered = state.__dict__.pop("apps", None)  # unrendered, a CreateModel only records
        try:
            for operation in self.operations:
                operation.state_forwards(app_label, state)
        finally:
            if rendered is not None:
                state.__dict__["apps"] = rendered
                keys = [(app_label, operation.name_lower) for operation in self.operations]
                state.reload_models(keys, delay=False)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for operation in self.operations:
            operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for operation in reversed(self.operations):
            operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def references_model(self, name: str, app_label: str) -> bool:
        return any(op.references_model(name, app_label) for op in self.operations)

    def describe(self) -> str:
        return "Create models " + ", ".join(op.name for op in self.operations)

    @property
    def migration_name_fragment(self) -> str:
        return "_".join(op.name_lower for op in self.operations)[:40]
