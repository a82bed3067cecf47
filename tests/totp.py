"""An independent RFC 6238 TOTP generator, so tests don't trust allauth's own code."""

import base64
import hashlib
import hmac
import struct
import time


def totp(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def fresh_totp(secret: str, *, margin: float = 8, step: int = 30) -> str:
    """The current code, waiting first if fewer than ``margin`` seconds of its window
    remain: the server accepts only the current window, and a slow machine must not
    carry the code into the next one."""
    left = step - time.time() % step
    if left < margin:
        time.sleep(left + 0.1)
    return totp(secret, step=step)
