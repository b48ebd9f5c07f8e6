"""Background map jobs (t-SNE takes seconds to minutes): one at a time, with progress to poll.

A job is keyed by its request, so asking twice for the same map joins the running job or reuses
its result. At most ``max_jobs`` are remembered; the oldest finished ones are forgotten first.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from embtool.corpus import ProgressCallback, ProgressEvent
from embtool.errors import EmbtoolError

Work = Callable[[ProgressCallback], dict[str, Any]]
ErrorPayload = Callable[[EmbtoolError], tuple[int, dict[str, Any]]]


@dataclass
class Job:
    """One map being computed: its state and the last progress event."""

    id: str
    key: Hashable
    state: str = "queued"  # queued, running, done, failed
    stage: str | None = None
    done: float = 0
    total: float | None = None
    unit: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    error_status: int | None = None

    def status(self) -> dict[str, Any]:
        """The JSON the status endpoint answers (the map itself once done)."""
        end = self.finished if self.finished is not None else time.monotonic()
        out: dict[str, Any] = {
            "job": self.id,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "unit": self.unit,
            "elapsed": round(end - self.started, 3),
        }
        if self.state == "done":
            out["result"] = self.result
        if self.state == "failed":
            out["error"] = self.error
        return out


class JobQueue:
    """Runs jobs one after another in a worker thread; ``status`` may be called from any thread."""

    def __init__(self, error_payload: ErrorPayload, max_jobs: int = 8) -> None:
        self._error_payload = error_payload
        self._max_jobs = max_jobs
        self._jobs: dict[str, Job] = {}
        self._by_key: dict[Hashable, str] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embtool-map")

    def submit(self, key: Hashable, work: Work) -> Job:
        """Start ``work`` (or join the job already made for ``key``, unless that one failed)."""
        with self._lock:
            known = self._by_key.get(key)
            if known is not None and self._jobs[known].state != "failed":
                return self._jobs[known]
            job = Job(id=uuid.uuid4().hex[:12], key=key)
            self._jobs[job.id] = job
            self._by_key[key] = job.id
            self._forget_old()
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.state in ("done", "failed")]
        while len(self._jobs) > self._max_jobs and finished:
            old = finished.pop(0)
            del self._jobs[old.id]
            if self._by_key.get(old.key) == old.id:
                del self._by_key[old.key]

    def _run(self, job: Job, work: Work) -> None:
        def progress(event: ProgressEvent) -> None:
            job.stage, job.done, job.total, job.unit = (
                event.stage,
                event.done,
                event.total,
                event.unit,
            )

        job.state = "running"
        job.started = time.monotonic()
        try:
            job.result = work(progress)
            job.state = "done"
        except EmbtoolError as exc:
            job.error_status, job.error = self._error_payload(exc)
            job.state = "failed"
        except Exception as exc:  # a bug must not leave the job "running" forever
            job.error_status, job.error = (
                500,
                {"error": f"internal error: {exc}", "kind": "internal"},
            )
            job.state = "failed"
        finally:
            job.finished = time.monotonic()

    def shutdown(self) -> None:
        """Stop taking jobs; a running t-SNE finishes in its thread."""
        self._pool.shutdown(wait=False, cancel_futures=True)
