"""Rich progress bars for the steps that `gridgov.ops.backup` reports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from gridgov.ops.backup import COUNTED
from gridgov.ops.backup import Progress as Report


class AmountColumn(ProgressColumn):
    """Bytes (as rich's download column shows them), or a count for the counted steps."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = DownloadColumn()

    def render(self, task: Task) -> Text:
        if task.fields.get("counted"):
            total = f"/{task.total:,.0f}" if task.total is not None else ""
            return Text(f"{task.completed:,.0f}{total}", style="progress.download")
        return self.bytes.render(task)


@contextmanager
def rich_progress(console: Console) -> Iterator[Report]:
    """One bar per step that gridgov.ops.backup reports."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        AmountColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(step, total=total or None, counted=step in COUNTED)
            bars.update(tasks[step], completed=done, total=total or None)

        yield report
