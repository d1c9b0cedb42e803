"""Publication dates given with an article: ISO 8601 or RFC 2822, normalised to ISO 8601."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

DATE_FORMATS = "ISO 8601 (2024-05-06, 2024-05-06T14:30:00Z) or RFC 2822 (Mon, 06 May 2024 14:30:00 GMT)"


def normalise_date(value: str) -> str | None:
    """``value`` in ISO 8601 (a date stays a date: ``2024-05-06``), ``""`` for no date, ``None`` when it is
    neither ISO 8601 nor RFC 2822: a date such as ``06/05/2024`` is not guessed (day or month first?)."""
    value = value.strip()
    if not value:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            return parsedate_to_datetime(value).isoformat()
        except (TypeError, ValueError, IndexError):
            return None
    has_time = len(value) > 10 and not value[:10].isdigit()  # not "20240506", a basic-format date
    return parsed.isoformat() if has_time else parsed.date().isoformat()
