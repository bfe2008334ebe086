"""Pick the backend a batch run uses: this process, a local pool, or a Dask cluster.

Apart from `batch` so that `batch` and `batch_dask` never import each other both ways.
"""

from __future__ import annotations

from .batch import Backend, EngineSpec, InProcess, LocalPool


def make_backend(
    name: str, workers: int, spec: EngineSpec, scheduler: str | None, jsonl: bool = False
) -> Backend:
    """The backend called `name` (local or dask); `jsonl`: workers send back JSONL lines."""
    if name == "dask":
        from .batch_dask import DaskBackend

        return DaskBackend(workers, scheduler, jsonl=jsonl)
    if workers <= 1:
        return InProcess(spec)
    return LocalPool(workers, jsonl=jsonl)
