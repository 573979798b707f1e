"""The raw store: every fetched body kept once, as evidence, in a file named by its sha256.

Layout: ``<root>/ab/cd/<sha256>`` (two levels of fan-out keep folders small). Files are written
to a temporary name and renamed, so a crash never leaves a half-written body under a real name.
"""

import hashlib
import os
import pathlib
import tempfile


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class RawStore:
    def __init__(self, root: str | os.PathLike):
        self.root = pathlib.Path(root)

    @classmethod
    def beside(cls, db_path: str | os.PathLike) -> "RawStore":
        """The raw store of the archive ``db_path``: ``reports.raw/`` for ``reports.db``."""
        db_path = pathlib.Path(db_path).resolve()
        return cls(db_path.with_name(db_path.stem + ".raw"))

    def path(self, digest: str) -> pathlib.Path:
        return self.root / digest[:2] / digest[2:4] / digest

    def __contains__(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; return its sha256 and whether it was new to the store."""
        digest = sha256(data)
        target = self.path(digest)
        if target.is_file():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        return digest, True

    def get(self, digest: str) -> bytes:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            raise KeyError(f"{digest} is not in the raw store {self.root}") from None
