"""The stored form of bearer secrets (API tokens, agenda tokens): only their hash is ever stored or looked up."""

from __future__ import annotations

import hashlib


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest of a random secret; no salt or stretching is needed, the secret is 192+ random bits."""
    return hashlib.sha256(secret.encode()).hexdigest()
