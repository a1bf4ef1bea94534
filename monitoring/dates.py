"""Dates as people write them in the import files and the settings page.

Rule: a year above 2400 is Buddhist Era (B.E. = C.E. + 543), anything else
Christian Era. Accepted: 2569-01-31 / 2026-01-31 (ISO, year first),
31/01/2569 / 31/1/2026 (day first), Thai digits, and spreadsheet dates.
"""

import datetime
import re

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
BE_FROM = 2400
BE_OFFSET = 543
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(value) -> datetime.date:
    """A date from text (B.E. or C.E., see the module docstring); ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        year, month, day = value.year, value.month, value.day
    else:
        text = str(value or "").strip().translate(THAI_DIGITS)
        text = text.split(" ")[0].split("T")[0]
        match = _ISO.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
        else:
            match = _DMY.match(text)
            if not match:
                raise ValueError(value)
            day, month, year = (int(part) for part in match.groups())
    if year > BE_FROM:
        year -= BE_OFFSET
    return datetime.date(year, month, day)
