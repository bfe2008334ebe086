"""The Dask backend of `riskcore batch`: chunks go to a Dask cluster (optional extra `dask`).

With a scheduler address it uses that cluster; without one it starts a LocalCluster of
worker processes. Workers need riskcore (and any plugins) installed; each builds its engine
once, on its first chunk.
"""

from __future__ import annotations

from typing import Any

from .batch import EngineSpec, Item, Outcome, score_chunk
from .errors import UsageError


class DaskBackend:
    """Runs `score_chunk` on Dask workers; futures come back in the order they were sent."""

    def __init__(self, workers: int, scheduler: str | None, jsonl: bool = False) -> None:
        self._jsonl = jsonl  # workers send back JSONL lines (see score_chunk)
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise UsageError("--backend dask needs Dask: pip install 'riskcore[dask]'") from None
        self._cluster: Any = None
        if scheduler:
            self._client: Any = Client(scheduler)
            found = len(self._client.scheduler_info().get("workers", {}))
            self.workers = max(1, found)
        else:
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
            self.workers = workers

    def submit(self, spec: EngineSpec, chunk: list[Item]) -> Any:
        return self._client.submit(score_chunk, spec, chunk, self._jsonl, pure=False)

    def result(self, handle: Any) -> list[Outcome]:
        outcomes: list[Outcome] = handle.result()
        return outcomes

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
