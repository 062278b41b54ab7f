"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def configure(time_cost: int | None = None, memory_cost: int | None = None) -> None:
    """Set the argon2id cost (tests lower it; production keeps the library's defaults)."""
    global _hasher
    defaults = PasswordHasher()
    _hasher = PasswordHasher(time_cost=time_cost or defaults.time_cost, memory_cost=memory_cost or defaults.memory_cost)


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    """Say whether the password matches the stored hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


#: A hash to verify against when the username is unknown, so timing does not reveal it.
DUMMY_HASH = PasswordHasher().hash("not-a-real-password")
