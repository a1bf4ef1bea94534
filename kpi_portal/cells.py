"""Turn one spreadsheet cell into a typed value.

HR staff type numbers in many ways (Thai digits, ``1,234.5``, ``65%``) and Excel
stores what it shows in other ways (0.65 under a percentage format, 0.1 as a
binary float). These functions absorb that variety so every import sees plain
``Decimal``/``int``/``bool``/``str`` values. Nothing here is ever evaluated: a
cell that looks like a formula is either a number or plain text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

KINDS = ("text", "decimal", "int", "bool", "choice")

# Excel shows 15 significant digits; anything past that is binary noise
# (0.1 + 0.2 is stored as 0.30000000000000004 but shown as 0.3).
_FLOAT_DIGITS = 15

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Zero-width characters ride along when Thai text is pasted from the web;
# they are invisible, so they must not make two equal words differ.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_NUMBER_RE = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)?(?:\.\d+)?(?:[eE][+-]?\d+)?")
_TRUE = {"yes", "y", "true", "t", "1", "ใช่", "จริง"}
_FALSE = {"no", "n", "false", "f", "0", "ไม่ใช่", "เท็จ"}


class CellError(ValueError):
    """A cell whose content does not fit its column; the message is user-visible."""


def normalize_name(text: str) -> str:
    """Fold a header or a choice spelling for matching.

    Case, surrounding spaces, repeated inner spaces, ``*`` required marks and
    invisible characters are ignored; NFKC makes the two spellings of Thai
    SARA AM (and full-width Latin letters) compare equal.
    """
    text = unicodedata.normalize("NFKC", clean_text(text)).strip().strip("*").strip()
    return " ".join(text.split()).casefold()


def clean_text(text: str) -> str:
    """Strip surrounding whitespace and zero-width characters."""
    return text.strip().strip(_INVISIBLE).strip()


def plain_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form (10, not 1E+1)."""
    value = value.normalize()
    if value.as_tuple().exponent > 0:  # type: ignore[operator]
        value = value.quantize(Decimal(1))
    return value


def number_to_decimal(value: int | float, *, percent: bool = False) -> Decimal:
    """Convert a stored spreadsheet number; ``percent`` gives the percentage shown."""
    if isinstance(value, bool):
        raise CellError(_("ต้องเป็นตัวเลข"))
    try:
        if isinstance(value, int):
            result = Decimal(value)
        else:
            result = Decimal(format(value, f".{_FLOAT_DIGITS}g"))
        if percent:
            result *= 100
        if not result.is_finite():
            raise InvalidOperation
        return plain_decimal(result)
    except InvalidOperation as exc:
        raise CellError(_("ต้องเป็นตัวเลข")) from exc


def parse_decimal(text: str) -> Decimal:
    """Read a number typed as text: Thai digits, ``1,234.5`` and ``65%`` (read as 65)."""
    text = clean_text(text.translate(_THAI_DIGITS)).replace("\u2212", "-")
    if text.endswith("%"):
        text = text[:-1].rstrip()
    if not text or not any(c.isdigit() for c in text) or not _NUMBER_RE.fullmatch(text):
        raise CellError(_("ต้องเป็นตัวเลข"))
    try:
        result = Decimal(text.replace(",", ""))
        if not result.is_finite():
            raise InvalidOperation
        return plain_decimal(result)
    except InvalidOperation as exc:
        raise CellError(_("ต้องเป็นตัวเลข")) from exc


def parse_bool(value: Any) -> bool | None:
    """Read yes/no, ใช่/ไม่ใช่, true/false, 1/0, y/n; empty is None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        if value in (0, 1):
            return bool(value)
        raise CellError(_("ต้องเป็น ใช่/ไม่ใช่ (yes/no)"))
    word = normalize_name(str(value).translate(_THAI_DIGITS))
    if not word:
        return None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError(_("ต้องเป็น ใช่/ไม่ใช่ (yes/no)"))


def cell_text(value: Any, *, percent: bool = False) -> str:
    """The text a user would recognise for a cell; "" for an empty one.

    Numbers lose binary noise and a needless ``.0`` (a code typed as 123 is
    "123"); a percentage cell gives the number it shows, without the sign.
    """
    return prepare_cell(value, percent=percent)[1]


def prepare_cell(value: Any, *, percent: bool = False) -> tuple[Any, str]:
    """Normalize a stored cell once: ``(value, text)``.

    A stored number becomes a Decimal (the percentage it shows if ``percent``)
    so conversion and display share one rounding; text is cleaned.
    """
    if value is None:
        return None, ""
    if isinstance(value, str):
        text = clean_text(value)
        return text, text
    if isinstance(value, bool):
        return value, "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        try:
            number = number_to_decimal(value, percent=percent)
        except CellError:
            return str(value), str(value)
        return number, format(number, "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value, value.date().isoformat()
        return value, value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value, value.isoformat()
    text = clean_text(str(value))
    return text, text


@dataclass(frozen=True)
class Column:
    """One expected column of an import.

    ``label`` is the Thai header of the published file format (FORMATS.md), so
    it is a plain string, not a translation: a Thai file must import the same
    whatever language the person uploading it uses.
    """

    key: str
    label: str
    required: bool = False
    kind: str = "text"
    choices: dict[str, str] | None = None
    aliases: tuple[str, ...] = ()
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} for {self.key!r}")
        if self.kind == "choice":
            if not self.choices:
                raise ValueError(f"choice column {self.key!r} needs choices")
            lookup = {normalize_name(v): v for v in self.choices.values()}
            lookup.update({normalize_name(k): v for k, v in self.choices.items()})
            object.__setattr__(self, "_lookup", lookup)

    def names(self) -> list[str]:
        """Every normalized header that names this column."""
        return [normalize_name(n) for n in (self.key, self.label, *self.aliases)]

    def convert(self, value: Any, text: str) -> Any:
        """Return the typed value of a non-empty prepared cell, or raise CellError.

        ``value`` and ``text`` come from ``prepare_cell``.
        """
        if self.kind == "text":
            return text
        if self.kind in ("decimal", "int"):
            if isinstance(value, Decimal):
                number = value
            elif isinstance(value, str):
                number = parse_decimal(value)
            else:
                raise CellError(_("ต้องเป็นตัวเลข"))
            if self.kind == "decimal":
                return number
            if number != number.to_integral_value():
                raise CellError(_("ต้องเป็นจำนวนเต็ม"))
            return int(number)
        if self.kind == "bool":
            return parse_bool(value)
        word = normalize_name(text)
        if word not in self._lookup:
            accepted = ", ".join(dict.fromkeys(self.choices or {}))
            raise CellError(_("ไม่รู้จักค่านี้ ค่าที่ใช้ได้: %(choices)s") % {"choices": accepted})
        return self._lookup[word]
