"""Word 97-2003 (.doc) and Excel 97-2003 (.xls): converted by LibreOffice, read as .docx/.xlsx.

Provincial portals still publish .doc attachments. No Python library reads them with their
tables and merged cells, but LibreOffice converts them faithfully, so the file is converted
(`soffice --headless --convert-to docx`) into a temporary folder and handed to the DOCX or
XLSX reader: tables, merged cells and document order come out as for the modern formats.

LibreOffice is a heavy program that can hang on a damaged file, and two instances sharing a
profile hand their work to each other. So: one `soffice` at a time (a lock file beside the
cache, which two reloads share too), with its own profile folder (never the user's), killed
with its whole process group when it runs past the time limit, and the file reported by
name. The converted file is cached by the original's content: a .doc is converted once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.blocks import ReadResult
from index.cache import Cache, content_key
from index.errors import DocumentError
from index.readers.docx import read_docx
from index.readers.xlsx import read_xlsx

CONVERT_VERSION = "1"
DEFAULT_SECONDS = 120  # a first start with a new profile takes ~10 s on a small machine
PACKAGES = {".doc": "libreoffice-writer-nogui", ".xls": "libreoffice-calc-nogui"}
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of Word 97 and Excel 97 files
_RTF = b"{\\rtf"


def read_doc(raw: bytes, rel: Path, cache: Cache | None = None) -> ReadResult:
    if raw.startswith(_ZIP):  # a .docx saved under the old name: read it as what it is
        return read_docx(raw, rel)
    return read_docx(convert(raw, rel, ".doc", "docx", cache), rel)


def read_xls(raw: bytes, rel: Path, cache: Cache | None = None) -> ReadResult:
    if raw.startswith(_ZIP):
        return read_xlsx(raw, rel)
    return read_xlsx(convert(raw, rel, ".xls", "xlsx", cache), rel)


_FILTERS = {  # (suffix, what the bytes are) → LibreOffice's import filter
    (".doc", "ole2"): "MS Word 97",
    (".doc", "rtf"): "Rich Text Format",
    (".doc", "html"): "HTML (StarWriter)",
    (".xls", "ole2"): "MS Excel 97",
    (".xls", "html"): "HTML (StarCalc)",
}
_KINDS = {".doc": "Word 97-2003", ".xls": "Excel 97-2003"}


def import_filter(raw: bytes, rel: Path, suffix: str) -> str:
    """The filter LibreOffice must read the file with: an Office 97 file, RTF, or the HTML
    that portals export under these names.

    Named, never guessed by LibreOffice: given a damaged or foreign file it falls back to
    importing it as plain text, which would load noise as a document.
    """
    kind = (
        "ole2" if raw.startswith(_OLE2)
        else "rtf" if raw.startswith(_RTF)
        else "html" if raw.lstrip()[:1] == b"<"
        else ""
    )  # fmt: skip
    found = _FILTERS.get((suffix, kind))
    if found is None:
        raise DocumentError(rel, f"tệp {suffix} không phải tệp {_KINDS[suffix]} thật")
    return found


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def time_limit() -> float:
    """Seconds a conversion may take (DE06_CONVERT_SECONDS, default 120)."""
    try:
        return max(0.1, float(os.environ.get("DE06_CONVERT_SECONDS", DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


def convert(raw: bytes, rel: Path, suffix: str, target: str, cache: Cache | None) -> bytes:
    """The file converted to `target` ("docx", "xlsx") by LibreOffice, or from the cache."""
    infilter = import_filter(raw, rel, suffix)
    key = content_key(raw, f"convert{CONVERT_VERSION}", target)
    if cache is not None:
        found = cache.get("convert", key, f".{target}")
        if found:
            return found
    program = soffice()
    if program is None:
        package = PACKAGES[suffix]
        raise DocumentError(
            rel,
            f"tệp {suffix} cần LibreOffice để đọc mà máy chưa cài (gói {package}: "
            f"sudo apt-get install {package}); hoặc lưu lại tệp thành .{target}",
        )
    seconds = time_limit()
    with _one_at_a_time(cache), tempfile.TemporaryDirectory(prefix="de06-convert-") as tmp:
        folder = Path(tmp)
        source = folder / f"document{suffix}"
        source.write_bytes(raw)
        profile = cache.root / "soffice-profile" if cache is not None else folder / "profile"
        command = [
            program,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            f"--infilter={infilter}",
            "--convert-to",
            target,
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed whole when it hangs
            env={**os.environ, "HOME": str(folder)},
        )
        try:
            _, err = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            _kill(process)
            shutil.rmtree(profile, ignore_errors=True)  # a killed instance may leave it locked
            raise DocumentError(
                rel,
                f"LibreOffice (soffice) không chuyển xong tệp {suffix} trong {seconds:g} giây "
                f"nên đã bị dừng; tệp có thể hỏng, thử mở và lưu lại thành .{target}",
            ) from None
        result = folder / "out" / f"document.{target}"
        if not result.is_file() or result.stat().st_size == 0:
            why = (err or b"").decode(errors="replace").strip().splitlines()
            detail = f" ({why[-1][:120]})" if why else ""
            raise DocumentError(
                rel,
                f"LibreOffice không đọc được tệp {suffix} (hỏng, hoặc không phải tệp "
                f"{_KINDS[suffix]}){detail}",
            )
        data = result.read_bytes()
    if cache is not None:
        cache.put("convert", key, data, f".{target}")
    return data


@contextmanager
def _one_at_a_time(cache: Cache | None) -> Iterator[None]:
    """An exclusive lock held while soffice runs: across workers, and across two reloads."""
    path = (
        cache.lock_path("soffice")
        if cache is not None
        else Path(tempfile.gettempdir()) / f"de06-soffice-{os.getuid()}.lock"
    )
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()
