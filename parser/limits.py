"""Caps that keep one hostile or broken document from taking the machine down, in one place.

Every reader goes through these: size caps checked before the expensive work, page caps, zip-bomb
checks before anything is decompressed, and external converters run as time-limited
subprocesses in a private temporary folder. Each error names the limit it hit. On top of them,
archive.pool parses each document in a worker process stopped at DOCUMENT_SECONDS or
DOCUMENT_MEMORY, whatever the reader does.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from .errors import ParseError, Unsupported

MAX_BYTES = 64 * 1024 * 1024  # any file
MAX_HTML_BYTES = 4 * 1024 * 1024  # a page's markup, inline images (data: URIs) left out
MAX_TEXT_CHARS = 500_000  # the text read from one document: a 40-page report has about 60,000
MAX_SPAN = 1000  # HTML caps colspan at 1000; a rowspan is also cut at the table's last row
MAX_CELLS = 200_000  # grid positions per HTML table: a report table has a few hundred
MAX_PAGES = 100  # a PDF (or OFD) longer than this is not an annual report (they run 5 to 40)
MAX_OCR_PAGES = 40  # scanned pages cost seconds each
MAX_UNZIPPED = 256 * 1024 * 1024  # DOCX/XLSX/OFD: total declared uncompressed size
MAX_RATIO = 200  # uncompressed/compressed for one member; XML compresses ~10-30x
MAX_MEMBERS = 5000
MAX_SHEET_CELLS = 200_000
CONVERTER_SECONDS = 60
MAX_SECONDS = 300  # reading one PDF (OCR included) stops at the first page after this
DOCUMENT_SECONDS = MAX_SECONDS + 60  # archive.pool: a worker parsing one document longer is stopped
DOCUMENT_MEMORY = 2 * 1024**3  # archive.pool: resident memory of a worker parsing one document


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """Open a zip container after checking its declared sizes against the caps.

    zipfile never inflates a member past its declared size, so checking the declarations is enough.
    """
    try:
        z = zipfile.ZipFile(BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise ParseError(f"broken {what} (zip container): {e}") from e
    if len(infos) > MAX_MEMBERS:
        raise ParseError(
            f"{what} has {len(infos)} zip members (limit MAX_MEMBERS {MAX_MEMBERS}): refusing a zip bomb"
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED:
        raise ParseError(
            f"{what} unpacks to {total} bytes (limit MAX_UNZIPPED {MAX_UNZIPPED}): refusing a zip bomb"
        )
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise ParseError(
                f"{what} member {i.filename} expands {i.file_size // max(i.compress_size, 1)}x "
                f"(limit MAX_RATIO {MAX_RATIO}x): refusing a zip bomb"
            )
    return z


def read_member(z: zipfile.ZipFile, name: str, what: str) -> bytes:
    try:
        return z.read(name)
    except KeyError as e:
        raise ParseError(f"{what} has no {name}") from e
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:  # truncated or CRC mismatch
        raise ParseError(f"broken {what}: cannot unpack {name}: {e}") from e


def run(cmd: list[str], cwd: Path, timeout: float = CONVERTER_SECONDS) -> subprocess.CompletedProcess:
    """Run a converter; on timeout kill its whole process group (soffice forks) and say so."""
    if not shutil.which(cmd[0]):
        raise Unsupported(f"{cmd[0]} is not installed (see ./bootstrap)")
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "HOME": str(cwd), "LANG": "C.UTF-8"},
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ParseError(f"{Path(cmd[0]).name} timed out after {timeout:g} s") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert_with_libreoffice(data: bytes, suffix: str, to: str, timeout: float = CONVERTER_SECONDS) -> bytes:
    """Convert with LibreOffice headless in a private folder and profile (parallel runs must not
    share a user installation: the second one would hand its work to the first and exit)."""
    with tempfile.TemporaryDirectory(prefix="govreports-lo-") as tmp:
        work = Path(tmp)
        src = work / f"in{suffix}"
        src.write_bytes(data)
        out_dir = work / "out"
        result = run(
            [
                "soffice",
                "--headless",
                "--norestore",
                "--nologo",
                f"-env:UserInstallation=file://{work / 'profile'}",
                "--convert-to",
                to,
                "--outdir",
                str(out_dir),
                str(src),
            ],
            cwd=work,
            timeout=timeout,
        )
        produced = list(out_dir.glob("in.*")) if out_dir.exists() else []
        if not produced:
            err = (result.stderr or result.stdout).decode("utf-8", "replace").strip()
            raise ParseError(f"LibreOffice could not convert the file{': ' + err[-200:] if err else ''}")
        return produced[0].read_bytes()
