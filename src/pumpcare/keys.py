"""The plan key in calendar UIDs and CarePlan ids: what tells one patient's events from another's."""

from __future__ import annotations

import zlib
from datetime import date


def derived_key(surgery: date, patient_label: str | None) -> str:
    """The key of a plan made from options alone: a short hash of the surgery date and the label."""
    seed = f"{surgery.isoformat()}|{patient_label or ''}"
    # Two CRC-32s make a 64-bit fingerprint: plenty to keep a few plans apart in one calendar, and zlib is
    # already loaded where hashlib would cost 4 ms of OpenSSL start-up. It is no secret: the dates are in
    # the calendar anyway.
    data = seed.encode()
    return f"{zlib.crc32(data):08x}{zlib.crc32(data[::-1]):08x}"


def new_key() -> str:
    """A new saved record's own key: two unlabelled patients operated on the same day never share one."""
    import secrets

    return secrets.token_hex(8)


def is_key(text: object) -> bool:
    """True for a key as pumpcare writes it: 16 lower-case hex digits."""
    return isinstance(text, str) and len(text) == 16 and all(char in "0123456789abcdef" for char in text)
