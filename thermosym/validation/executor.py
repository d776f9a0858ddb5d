"""One executor interface for fanning checks out: in-process by default, dask.distributed on request.

``InProcessExecutor`` runs tasks one after another in this process; ``DaskExecutor`` submits them to a
dask.distributed cluster — a ``LocalCluster`` of ``workers`` processes, or an existing scheduler at ``address``.
Both call the same top-level function on the same task dictionaries, and every task fixes its own seeds and
thread count, so both give identical results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

TaskFunction = Callable[[dict[str, Any]], dict[str, Any]]


class Executor(Protocol):
    """Runs ``func`` on each task and yields ``(index, result)`` as results arrive."""

    def run(self, func: TaskFunction, tasks: Sequence[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]: ...

    def close(self) -> None: ...


class InProcessExecutor:
    """Run tasks sequentially in this process."""

    name = "in-process"

    def run(self, func: TaskFunction, tasks: Sequence[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
        for i, task in enumerate(tasks):
            yield i, func(task)

    def close(self) -> None:
        return None


class DaskExecutor(AbstractContextManager["DaskExecutor"]):
    """Run tasks on dask.distributed: a LocalCluster of ``workers`` processes, or the scheduler ``address``."""

    def __init__(self, *, workers: int | None = None, address: str | None = None) -> None:
        from dask.distributed import Client, LocalCluster

        if (workers is None) == (address is None):
            raise ValueError("give either a number of workers or a scheduler address")
        self._cluster = None
        if address is None:
            if workers is None or workers < 1:
                raise ValueError(f"workers must be a positive integer, got {workers!r}")
            self._cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        else:
            self._client = Client(address)
        self.name = f"dask ({address or f'{workers} local workers'})"

    def run(self, func: TaskFunction, tasks: Sequence[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
        from dask.distributed import as_completed

        futures = [self._client.submit(func, task, pure=False, key=f"thermosym-{i}") for i, task in enumerate(tasks)]
        index = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            yield index[future.key], future.result()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_executor(*, workers: int | None = None, address: str | None = None) -> Executor:
    """In-process unless ``workers`` or ``address`` asks for dask."""
    if workers is None and address is None:
        return InProcessExecutor()
    return DaskExecutor(workers=workers, address=address)
