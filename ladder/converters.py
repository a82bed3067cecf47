"""Path converters for the values our addresses carry, so an address that could never be
ours (a NUL byte, a stray character, a novel) is a 404 at the resolver instead of
reaching a database query that can't hold it."""

from __future__ import annotations

import re


class OccupationCodeConverter:
    """An O*NET-SOC code such as ``15-1252.00``."""

    regex = r"[0-9]{2}-[0-9]{4}\.[0-9]{2}"
    pattern = re.compile(regex)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class TokenConverter:
    """A secret in an emailed or subscribed link: URL-safe base64, with the colons of
    Django's signed values (``token_urlsafe`` and ``signing.dumps``)."""

    regex = r"[-A-Za-z0-9_:.]{1,300}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def is_occupation_code(value: str) -> bool:
    return OccupationCodeConverter.pattern.fullmatch(value) is not None
