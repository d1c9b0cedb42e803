"""Safe decoding of input bytes: size, binary and encoding checks with clear errors."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from narrascope.errors import (
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    InputTooLargeError,
)

MAX_BYTES = 20 * 1024 * 1024  # an article larger than this is almost surely not an article
# the text of one article, once read (a long report is ~100,000 characters); the analysis grows
# with the text: ~35-40 s and ~1-1.5 GB of memory at this length (docs/experiments/lab-notebook.md, one long article)
MAX_ARTICLE_CHARS = 1_000_000


def check_article_length(text: str, source: str) -> None:
    """An ``InputTooLargeError`` naming ``source`` when ``text`` is longer than one article may be."""
    if len(text) > MAX_ARTICLE_CHARS:
        raise InputTooLargeError(
            f"the article's text is {len(text):,} characters, over the {MAX_ARTICLE_CHARS:,} one article may "
            "have; split it into articles (one file each, or one JSON object per line in a .jsonl file)",
            source=source,
        )


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputTooLargeError(
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for one article; "
            "split it into articles (for example one JSON object per line in a .jsonl file)",
            source=str(path),
        )
    return path.read_bytes()


# byte-order marks of the UTF-16 and UTF-32 files some editors write ("Unicode" in Windows Notepad);
# UTF-32 first: its little-endian mark starts with UTF-16's
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
              (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


# file signatures of what people mistake for an article's text, and what to do with each
_SIGNATURES = (
    (b"%PDF-", "a PDF document, not text or HTML; extract its text first (e.g. `pdftotext FILE FILE.txt`)"),
    (b"PK\x03\x04", ("a ZIP archive (a .docx or .odt document is one), not text or HTML; save the document "
                    "as plain text, or unzip the archive and give its files")),
    (b"\x1f\x8b", ("gzip-compressed; decompress it first (`gunzip FILE`); web archives (.warc.gz) are read "
                  "when named .warc.gz")),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.doc), not text or HTML; save it as plain text"),
    (b"{\\rtf", "an RTF document, not plain text; save it as plain text"),
    (b"\x89PNG", "a PNG image, not text; give the article's text"),
    (b"\xff\xd8\xff", "a JPEG image, not text; give the article's text"),
    (b"GIF8", "a GIF image, not text; give the article's text"),
)


def _binary_format(data: bytes) -> str | None:
    """What ``data`` is when it opens with the signature of a document, archive or image format."""
    return next((what for signature, what in _SIGNATURES if data.startswith(signature)), None)


def decode_text(data: bytes, source: str, *, max_bytes: int = MAX_BYTES, encoding: str = "utf-8") -> str:
    """UTF-8 text exactly as stored (CRs and BOM kept), or a typed error. A file that starts with a
    UTF-16 or UTF-32 byte-order mark is decoded as such (the mark kept as U+FEFF, as in UTF-8); one
    without a mark is read in ``encoding`` (a web page's own declaration, see ``html_charset``)."""
    if len(data) > max_bytes:
        raise InputTooLargeError(
            f"input is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for one article; "
            "split it into articles",
            source=source,
        )
    for bom, wide in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                data = ("\ufeff" + data[len(bom):].decode(wide)).encode("utf-8")
            except UnicodeDecodeError as exc:
                raise EncodingError(
                    f"input starts with a {wide.upper()} byte-order mark but is not valid {wide.upper()} "
                    f"(byte {exc.start + len(bom)}); save it again as UTF-8", source=source) from None
            encoding = "utf-8"  # the mark decides
            break
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise EmptyInputError("input is empty; give a file with the article's text", source=source)
    if known := _binary_format(data):
        raise BinaryInputError(f"input is {known}", source=source)
    head = data[:8192]
    if b"\x00" in head:
        raise BinaryInputError(
            "input looks binary (it contains NUL bytes), not text or HTML; "
            "give the article as UTF-8 text, HTML or JSONL",
            source=source,
        )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise EncodingError(f"the page declares {encoding} but is not valid {encoding} (byte {exc.start}); "
                                "convert it to UTF-8 first", source=source) from None
        raise EncodingError(
            f"input is not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
            "convert it first, e.g. `iconv -f cp1251 -t utf-8 FILE > FILE.utf8` for Windows Cyrillic "
            "(`-f latin1` for Western European text)",
            source=source,
        ) from None
    control = len(_CONTROL.findall(text, 0, 4096))
    if control > 0.1 * min(len(text), 4096):
        raise BinaryInputError("input looks binary (many control characters), not text", source=source)
    return text


def read_text_bytes(path: Path, max_bytes: int = MAX_BYTES) -> str:
    return decode_text(read_bytes(path, max_bytes), str(path), max_bytes=max_bytes)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # control characters other than \t \n \f \r

# <meta charset="windows-1251"> and <meta http-equiv="Content-Type" content="text/html; charset=koi8-r">
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# labels that browsers read as windows-1252 (the WHATWG Encoding Standard): Python's latin-1 lacks its
# printable characters 0x80-0x9F (curly quotes, dashes)
_AS_CP1252 = frozenset({"latin_1", "ascii", "iso8859_1", "cp1252"})


def _wide_codec(data: bytes) -> str | None:
    """``"utf-16"`` or ``"utf-32"`` (codecs that read the byte-order mark and drop it) when ``data`` opens
    with one of their marks."""
    return next((wide[:6] for bom, wide in _WIDE_BOMS if data.startswith(bom)), None)


def html_charset(data: bytes, declared: str | None = None) -> str:
    """The Python codec for a web page: ``declared`` (the HTTP Content-Type charset, when there is one),
    else its own ``<meta>`` declaration in the first 4 kB, else UTF-8. Russian and Bulgarian sites still
    serve windows-1251 or KOI8-R pages; read as UTF-8, they would turn into replacement characters.
    Bytes that are valid UTF-8 are read as UTF-8 whatever the page says: a page saved as UTF-8 that still
    declares its old charset is common, and text in a legacy charset is almost never valid UTF-8."""
    if (wide := _wide_codec(data)) or data.startswith(codecs.BOM_UTF8):
        return wide or "utf-8"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    for name in (declared, *(m.group(1).decode("ascii") for m in _META_CHARSET.finditer(data[:4096]))):
        if not name:
            continue
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        codec = codec.replace("-", "_")
        if codec.startswith(("utf_16", "utf_32")):
            return "utf-8"  # a byte-stream declaration cannot be UTF-16 (HTML standard): the page is ASCII-compatible
        return "cp1252" if codec in _AS_CP1252 else codecs.lookup(codec).name
    return "utf-8"


def _listing_encoding(path: Path) -> str:
    """The codec for a list-like text file: UTF-16/32 when it opens with their mark, else UTF-8 (its mark dropped);
    a ``BinaryInputError`` for a file with NUL bytes and no such mark."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    if wide := _wide_codec(head):
        return wide
    if b"\x00" in head:
        raise BinaryInputError("file looks binary (it contains NUL bytes), not a TAB-separated text file; "
                               "check the path", source=str(path))
    return "utf-8-sig"


def read_lines(path: Path) -> Iterator[str]:
    """The lines of an annotation, label or template file, read with ``newline=""`` (CRs kept).

    A leading byte-order mark is dropped (it belongs to no article id), UTF-16 and UTF-32 files
    with their mark are read as such, and bytes that are not valid UTF-8 raise an ``EncodingError``
    naming the line, instead of a bare decoding error halfway through the file.
    """
    encoding = _listing_encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as fh:
            yield from fh
    except UnicodeDecodeError as exc:
        raise _undecodable(path, encoding, exc) from None


def _undecodable(path: Path, encoding: str, exc: UnicodeDecodeError) -> EncodingError:
    if encoding != "utf-8-sig":
        return EncodingError(f"not valid {encoding.upper()} ({exc.reason}); save it again as UTF-8", source=str(path))
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        start = exc.start
    except UnicodeDecodeError as full:
        start = full.start
    line = data.count(b"\n", 0, start) + 1
    return EncodingError(
        f"line {line} is not valid UTF-8 (byte {start}: {data[start:start + 1]!r}); give a UTF-8 text file "
        "(convert one in another encoding first, e.g. `iconv -f cp1251 -t utf-8 FILE > FILE.utf8`)",
        source=str(path))
