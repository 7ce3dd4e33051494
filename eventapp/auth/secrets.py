"""The stored form of bearer secrets (API and agenda tokens): only their hash is stored or looked up."""

from __future__ import annotations

import hashlib


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest of a random secret (no salt or stretching: it has 192 random bits or more)."""
    return hashlib.sha256(secret.encode()).hexdigest()
