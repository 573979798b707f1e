"""A lock file beside the archive DB so two crawls of the same archive never overlap.

A scheduled crawl (systemd timer, cron) may fire while the previous one is still running; the
second run must stop at once with a clear message instead of writing into the same SQLite file
and job directory. The lock is ``<db>.lock`` holding the holder's PID and host name. A lock
left behind by a crashed or killed run (its PID no longer alive on this host) is stale and is
taken over, so a crash never needs a manual clean-up.

    with crawl_lock("reports.db"):
        ...  # crawl
"""

import contextlib
import json
import os
import pathlib
import socket


class CrawlLocked(Exception):
    """Another live process holds the archive's lock."""


def lock_path(db_path) -> pathlib.Path:
    db_path = pathlib.Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def holder(path) -> dict | None:
    """Who holds the lock at path: {"pid", "host", ...}, or None when there is no lock file."""
    try:
        text = pathlib.Path(path).read_text()
    except FileNotFoundError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return {}  # half-written by a process killed between create and write


def is_stale(info: dict) -> bool:
    if info.get("host") != socket.gethostname():
        return False  # cannot see processes on another host: never steal its lock
    pid = info.get("pid")
    return not isinstance(pid, int) or not pid_alive(pid)


def acquire(db_path, command="crawl") -> pathlib.Path:
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": command})
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            info = holder(path)
            if info is None:
                continue  # released between our two calls
            if not is_stale(info):
                raise CrawlLocked(
                    f"{db_path}: another {info.get('command', 'crawl')} is running "
                    f"(pid {info.get('pid')} on {info.get('host')}); lock file {path}"
                ) from None
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        with os.fdopen(fd, "w") as f:
            f.write(payload)
        return path
    raise CrawlLocked(f"{db_path}: could not take the lock {path} (another run raced for it)")


def release(path):
    info = holder(path)
    if info is not None and info.get("pid") == os.getpid():
        pathlib.Path(path).unlink()


@contextlib.contextmanager
def crawl_lock(db_path, command="crawl"):
    path = acquire(db_path, command)
    try:
        yield path
    finally:
        release(path)
