"""Parsing in worker processes, each document under a time and a memory limit.

The parser is pure (bytes in, record out), so documents can be parsed anywhere: a pool of worker
processes reads each body from the raw store by its sha256 and sends the record back, while the
one process that owns the SQLite archive only writes. A worker that runs over the time limit
(``limits.DOCUMENT_SECONDS``) or grows over the memory limit (``limits.DOCUMENT_MEMORY``, resident
memory watched from here) is killed and replaced; its document comes back as an error that says
which limit, and every other document goes on. A worker that dies on its own (a crash in a C
library) is replaced the same way.

    with ParsePool(archive.store.root, jobs=2) as pool:
        for parsed in pool.imap(jobs):  # in the order of ``jobs``
            ...
"""

import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait

from govreports import parser
from govreports.parser import limits

from .store import RawStore

POLL_SECONDS = 0.1  # how often a busy worker's clock and memory are looked at
RECYCLE = 500  # documents a worker parses before a fresh one takes over (memory never creeps)
# Workers run below the process that feeds them (a crawl's fetching, ingest's writer), so that
# on a busy machine parsing waits for the CPU, not the downloads: a document waits in the raw store.
NICENESS = 10
_PAGE = os.sysconf("SC_PAGE_SIZE")
# imported once in the forkserver, so a new worker does not import trafilatura or pdfplumber again
PRELOAD = ["govreports.archive.pool", "govreports.parser.html", "govreports.parser.pdf"]


@dataclass(frozen=True)
class Job:
    """One document to parse: the caller's ``key`` comes back with its result."""

    key: object
    sha256: str
    content_type: str | None = None
    url: str | None = None
    context: dict | None = None


@dataclass(frozen=True)
class Parsed:
    job: Job
    record: dict | None = None
    error: str | None = None  # why there is no record
    not_report: bool = False  # the error is the parser's NotAReport


def parse_job(store: RawStore, job: Job) -> Parsed:
    """Parse one job here, in this process: what a worker runs."""
    try:
        body = store.get(job.sha256)
        record = parser.parse(body, content_type=job.content_type, url=job.url, context=job.context)
    except parser.NotAReport as e:
        return Parsed(job, error=str(e), not_report=True)
    except parser.ParseError as e:
        return Parsed(job, error=str(e))
    except MemoryError:
        return Parsed(job, error="parser ran out of memory")
    except Exception as e:  # a parser bug must not stop a batch: it becomes this document's error
        return Parsed(job, error=f"parser failed: {type(e).__name__}: {e}")
    return Parsed(job, record=record)


def _serve(conn, root: str, threads: int) -> None:
    from govreports.parser import ocr
    from govreports.parser.region import gazetteer

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl, which stops the pool
    os.nice(NICENESS)
    ocr.use_threads(threads)  # the workers share the cores: OCR in each runs on its share

    gazetteer()  # built before the first job, not inside its time limit
    store = RawStore(root)
    while (job := conn.recv()) is not None:
        conn.send(parse_job(store, job))


def default_jobs() -> int:
    return len(os.sched_getaffinity(0))


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):  # gone already
        return 0


class _Worker:
    def __init__(self, context, root: str, threads: int):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, root, threads), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[int, Job] | None = None
        self.started = 0.0
        self.parsed = 0

    def give(self, number: int, job: Job) -> None:
        self.task, self.started = (number, job), time.monotonic()
        try:
            self.conn.send(job)
        except OSError:  # the worker is gone: _collect finds it dead and fails the job
            pass

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class ParsePool:
    """``jobs`` worker processes parsing documents from the raw store at ``root``.

    ``submit`` and ``poll`` for a caller that files results as they come (the crawl's writer);
    ``imap`` for one that has all its jobs at hand (ingest, reparse)."""

    def __init__(
        self,
        root: str | os.PathLike,
        jobs: int | None = None,
        seconds: float = limits.DOCUMENT_SECONDS,
        memory: int = limits.DOCUMENT_MEMORY,
    ):
        self.root = os.fspath(root)
        self.size = max(1, jobs or default_jobs())
        self.seconds, self.memory = seconds, memory
        self.threads = max(1, default_jobs() // self.size)  # each worker's share of the cores
        # forkserver: workers start from a clean process with the parser imported once, never
        # from a copy of a crawl's threads and open database.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self._workers: list[_Worker] = []
        self._queue: deque[tuple[int, Job]] = deque()
        self._submitted = 0
        self.replaced = 0  # workers killed (or dead) and started again

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for w in self._workers:
            if w.task is None and w.process.is_alive():
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for w in self._workers:
            w.process.join(timeout=1)
            if w.process.is_alive():
                w.stop()
        self._workers = []

    @property
    def pending(self) -> int:
        """Jobs submitted and not yet handed back by ``poll``."""
        return len(self._queue) + sum(1 for w in self._workers if w.task is not None)

    def submit(self, job: Job) -> int:
        """Queue ``job``; returns its number (in submission order, from 0)."""
        if not self._workers:
            self._workers = [_Worker(self._context, self.root, self.threads) for _ in range(self.size)]
        self._queue.append((self._submitted, job))
        self._submitted += 1
        self._dispatch()
        return self._submitted - 1

    def poll(self, timeout: float = POLL_SECONDS) -> list[Parsed]:
        """The results that are ready, waiting up to ``timeout`` seconds for one."""
        return [parsed for _, parsed in self._poll(timeout)]

    def imap(self, jobs: Iterable, window: int | None = None) -> Iterator:
        """Parse ``jobs`` and yield their results (Parsed) in the same order, with at most
        ``window`` (default: 4 per worker) taken from ``jobs`` and not yet yielded. Items that
        are not Jobs come back as they are, in their place."""
        window = window or 4 * self.size
        source = iter(jobs)
        done: dict[int, object] = {}
        index_of: dict[int, int] = {}  # submission number -> place in ``jobs``
        taken = yielded = 0
        exhausted = False
        while True:
            while not exhausted and taken - yielded < window:
                job = next(source, None)
                if job is None:
                    exhausted = True
                    continue
                if isinstance(job, Job):
                    index_of[self.submit(job)] = taken
                else:
                    done[taken] = job
                taken += 1
            if yielded in done:
                yield done.pop(yielded)
                yielded += 1
                continue
            if exhausted and yielded == taken:
                return
            for number, parsed in self._poll(POLL_SECONDS):
                done[index_of.pop(number)] = parsed

    def _dispatch(self) -> None:
        for w in self._workers:
            if w.task is None and self._queue:
                w.give(*self._queue.popleft())

    def _replace(self, worker: _Worker, counted: bool = True) -> None:
        worker.stop()
        self._workers[self._workers.index(worker)] = _Worker(self._context, self.root, self.threads)
        self.replaced += counted

    def _poll(self, timeout: float) -> list[tuple[int, Parsed]]:
        """Wait up to ``timeout`` for results; stop workers over a limit or dead, their jobs
        failed. Returns (submission number, result) pairs."""
        self._dispatch()
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return []
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
        done = []
        for w in busy:
            number, job = w.task
            reason = None
            if w.conn in ready:
                try:
                    done.append((number, w.conn.recv()))
                except (EOFError, OSError):
                    pass
                else:
                    w.task, w.parsed = None, w.parsed + 1
                    if w.parsed >= RECYCLE:
                        self._replace(w, counted=False)
                    continue
            if w.conn in ready or w.process.sentinel in ready or not w.process.is_alive():
                reason = f"the parser's worker process died (exit code {w.process.exitcode})"
            elif time.monotonic() - w.started > self.seconds:
                reason = f"parsing took over {self.seconds:g} s (limit DOCUMENT_SECONDS): stopped"
            elif (rss := _rss(w.process.pid)) > self.memory:
                reason = (
                    f"parsing took {rss // 2**20} MB of memory "
                    f"(limit DOCUMENT_MEMORY, {self.memory // 2**20} MB): stopped"
                )
            if reason:
                done.append((number, Parsed(job, error=reason)))
                self._replace(w)
        self._dispatch()
        return done
