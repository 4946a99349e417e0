"""What a file is, whatever its name says: its type read from its first bytes, a display name
that is only ever a name (with the extension of that type), and its size for people."""

from __future__ import annotations

import re

FILENAME_MAX = 255
# What we accept, by content: the allow-list of the issue.
PDF, JPEG, PNG, WEBP, HEIC, HEIF = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "image/heif",
)
ALLOWED_TYPES = frozenset({PDF, JPEG, PNG, WEBP, HEIC, HEIF})
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP, HEIC, HEIF})
TYPE_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", HEIC: "HEIC", HEIF: "HEIC"}
# The extensions a file of each type may carry; the first is the one given to a name that has another.
EXTENSIONS = {
    PDF: ("pdf",),
    JPEG: ("jpg", "jpeg", "jpe", "jfif"),
    PNG: ("png",),
    WEBP: ("webp",),
    HEIC: ("heic", "heif"),
    HEIF: ("heif", "heic"),
}
# A name's last extension: letters and digits after the last dot (all digits is a version, `v.2024`).
_EXTENSION = re.compile(r"\.(?=[A-Za-z0-9]*[A-Za-z])([A-Za-z0-9]{1,10})$")
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_HEIF_BRANDS = {b"mif1", b"msf1"}


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file from its first bytes (PDF, JPEG, PNG, WebP, HEIC/HEIF), or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return HEIC
        if brand in _HEIF_BRANDS:
            return HEIF
    return None


def human_size(size: int | None) -> str:
    """1536 -> "1.5 KB"."""
    value = float(size or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def clean_filename(name: str | None, content_type: str) -> str:
    """The browser's filename as a display name only: no path, no control characters, bounded, and
    ending in an extension of `content_type` (the type read from the bytes)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().strip(".")
    if not base:
        base = "document." + TYPE_NAMES.get(content_type, "bin").lower()
    return name_for_type(base[-FILENAME_MAX:], content_type)


def name_for_type(name: str, content_type: str) -> str:
    """`name` with an extension of `content_type`: `x.html` holding a PDF becomes `x.pdf`, `scan` becomes
    `scan.pdf`, a right one stays (`IMG_1.JPEG`). A download's name then never makes a browser or a
    desktop open the file as something it is not."""
    extensions = EXTENSIONS.get(content_type)
    if not extensions:
        return name
    found = _EXTENSION.search(name)
    if found and found.group(1).lower() in extensions:
        return name
    stem = (name[: found.start()] if found else name).rstrip(". ") or "document"
    return f"{stem[: FILENAME_MAX - len(extensions[0]) - 1]}.{extensions[0]}"
