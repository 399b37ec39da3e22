"""Progress of a long command: a live display on a terminal, plain lines otherwise (logs, cron mail)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import click

if TYPE_CHECKING:
    from rich.progress import TaskID


class Display(Protocol):
    """Stages that start, advance step by step and finish with a note."""

    def stage(self, name: str, total: int | None = None) -> None: ...
    def advance(self, name: str, note: str) -> None: ...
    def finish(self, name: str, note: str) -> None: ...
    def close(self) -> None: ...


class LineDisplay:
    """One line per event, for output that is not a terminal."""

    def __init__(self) -> None:
        self.steps: dict[str, tuple[int, int | None]] = {}

    def stage(self, name: str, total: int | None = None) -> None:
        self.steps[name] = (0, total)
        click.echo(f"[{name}] started" + (f" ({total} steps)" if total else ""))

    def advance(self, name: str, note: str) -> None:
        done, total = self.steps.get(name, (0, None))
        self.steps[name] = (done + 1, total)
        click.echo(f"[{name}] {done + 1}/{total or '?'} {note}")

    def finish(self, name: str, note: str) -> None:
        click.echo(f"[{name}] finished: {note}")

    def close(self) -> None:
        return None


class LiveDisplay:
    """A rich progress bar per stage, on a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[stage]:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(),
        )
        self.tasks: dict[str, TaskID] = {}
        self.progress.start()

    def stage(self, name: str, total: int | None = None) -> None:
        self.tasks[name] = self.progress.add_task("", total=total, stage=name)

    def advance(self, name: str, note: str) -> None:
        self.progress.update(self.tasks[name], advance=1, description=note)

    def finish(self, name: str, note: str) -> None:
        task = self.tasks[name]
        total = self.progress.tasks[task].total
        self.progress.update(task, total=total or 1, completed=total or 1, description=note)

    def close(self) -> None:
        self.progress.stop()


def make_display(terminal: bool) -> Display:
    return LiveDisplay() if terminal else LineDisplay()
