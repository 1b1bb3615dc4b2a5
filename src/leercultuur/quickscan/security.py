"""Secrets: password hashing (argon2id), random tokens, keyed hashes and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# Crockford base32: no I, L, O, U, so a printed code cannot be misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 28  # 28 * 5 = 140 bits of entropy (>= 128 required)
CODE_GROUP = 4
_CODE_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})
MIN_PASSWORD_LENGTH = 12


def password_hasher(*, time_cost: int, memory_kib: int, parallelism: int = 1) -> PasswordHasher:
    """argon2id. One lane by default (OWASP's minimum uses p=1): a hash then takes one core,
    where argon2-cffi's default of 4 lanes spread each login over every core of the machine."""
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


def verify_password(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def new_public_id() -> str:
    """128 random bits, URL-safe: the public part of a scan's link."""
    return secrets.token_urlsafe(16)


def keyed_hash(secret: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of a value for one purpose; what the database stores instead of a secret."""
    msg = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def new_access_code() -> str:
    """A single-use code of 140 random bits, grouped for printing: 'ABCD-EFGH-...'."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_code(code: str) -> str:
    """Upper case without separators; the letters O, I and L read as 0, 1 and 1."""
    cleaned = "".join(ch for ch in code.upper() if ch not in " -_\t")
    return cleaned.translate(_CODE_FIXES)


def new_csrf_token(secret: bytes, binding: str) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{keyed_hash(secret, 'csrf:' + binding, nonce)[:40]}"


def csrf_token_valid(secret: bytes, binding: str, token: str | None) -> bool:
    if not token or token.count(".") != 1:
        return False
    nonce, sig = token.split(".")
    return hmac.compare_digest(
        sig.encode(), keyed_hash(secret, "csrf:" + binding, nonce)[:40].encode()
    )
