"""Activation codes as plain functions: make one, normalize what was typed, hash it.

A code is 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
about 49 bits: short enough to type from paper, far too many to guess within
the few tries a code allows (ACTIVATION_MAX_FAILURES). Because codes are
random and high-entropy, a keyed HMAC-SHA256 is the right hash: a slow
password hash would make 20,000 codes take hours and add nothing, since no
dictionary of codes exists. The key is SECRET_KEY (and its fallbacks, so a
key rotation does not void the codes already handed out); the user's id is
in the message, so a code is only good for the person it was issued to.
"""

import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10
_SALT = "accounts.activation-code"


def code_make() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_display(code: str) -> str:
    """XXXXX-XXXXX, easier to read aloud and to copy from paper."""
    return f"{code[:5]}-{code[5:]}"


def code_normalize(typed: str) -> str:
    """What a person typed, as stored: capitals, no spaces or dashes."""
    return "".join(char for char in (typed or "").upper() if char.isalnum())


def code_hash(code: str, user_id: int, secret: str | None = None) -> str:
    return salted_hmac(_SALT, f"{user_id}:{code}", secret=secret, algorithm="sha256").hexdigest()


def code_matches(code: str, user_id: int, stored: str) -> bool:
    """True when `code` is the one hashed into `stored`, under the current or an old key."""
    code = code_normalize(code)
    if len(code) != LENGTH:
        return False
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(constant_time_compare(code_hash(code, user_id, key), stored) for key in keys)
