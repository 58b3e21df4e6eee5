"""Text a database can store: PostgreSQL's text types refuse the NUL character, and UTF-8 cannot encode a lone
surrogate (what a stray byte decoded with ``surrogateescape`` becomes). Inbound edges (an SMS, a flow file's lines, a
request) check with :func:`first_unstorable` and keep such input escaped by :func:`storable`, with the raw bytes
beside it (:func:`raw_bytes`), so nothing is lost and nothing fails with a server error.
"""

import re
from typing import Final

_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")


def first_unstorable(text: str) -> int | None:
    """The index of the first character no database text column can hold (NUL, a lone surrogate), or None."""
    found = _UNSTORABLE.search(text)
    return None if found is None else found.start()


def storable(text: str) -> str:
    """``text`` with each unstorable character written as its escape (``\\x00``, ``\\udc80``); other text unchanged."""
    return _UNSTORABLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def raw_bytes(text: str) -> bytes | None:
    """The bytes ``text`` came from, to keep beside its :func:`storable` escape (UTF-8, a lone surrogate from
    ``surrogateescape`` back to its byte); None when ``text`` is storable as it is, so nothing is kept twice."""
    if first_unstorable(text) is None:
        return None
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def unstorable_reason(text: str, what: str) -> str | None:
    """Why ``text`` cannot be stored as it is, naming ``what`` and the position (counted from 1), or None."""
    position = first_unstorable(text)
    if position is None:
        return None
    name = "a NUL character" if text[position] == "\x00" else "a character that is not valid Unicode"
    return f"{what} contains {name} at position {position + 1}, which cannot be stored as text: kept as received"
