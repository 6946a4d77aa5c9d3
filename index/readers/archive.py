"""Office Open XML files (.docx, .xlsx) are zip archives: checked before a library opens them.

A zip bomb (a small file that inflates to gigabytes) or a file that only has the right name
is refused by name with the reason, before python-docx or openpyxl spends memory on it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from index.errors import DocumentError

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # an Office file inflating past this is a zip bomb


def check_archive(raw: bytes, rel: Path, member: str, suffix: str, program: str) -> None:
    """`raw` is a real, reasonable Office archive holding `member` ("word/document.xml")."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > MAX_UNZIPPED_BYTES:
                raise DocumentError(
                    rel, f"tệp {suffix} giải nén ra quá lớn (nghi là zip bomb), bỏ qua"
                )
            if member not in archive.namelist():
                raise DocumentError(rel, f"tệp {suffix} thiếu nội dung {program} ({member})")
    except zipfile.BadZipFile as err:
        raise DocumentError(rel, f"tệp {suffix} hỏng hoặc không phải tệp {program} thật") from err
