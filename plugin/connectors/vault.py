"""Helpdesk tokens encrypted at rest: Fernet under a key derived from the app's secret key.

The key is HKDF-SHA256 of the secret key with a label of its own, so the key that signs
sessions is never used to encrypt. Every key of `secret_keys` decrypts (the secret key, then
Flask's SECRET_KEY_FALLBACKS), the first encrypts: the secret key can be rotated.
"""

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"quarterhour helpdesk tokens v1"


class VaultError(ValueError):
    """A stored token cannot be decrypted with any of the app's secret keys."""


def _fernet(secret: str | bytes) -> Fernet:
    material = secret.encode("utf-8") if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def _box(secret_keys: Sequence[str | bytes]) -> MultiFernet:
    keys = [k for k in secret_keys if k]
    if not keys:
        raise VaultError("no secret key is configured (QUARTERHOUR_SECRET_KEY)")
    return MultiFernet([_fernet(k) for k in keys])


def encrypt(plain: str, secret_keys: Sequence[str | bytes]) -> str:
    return _box(secret_keys).encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(sealed: str, secret_keys: Sequence[str | bytes]) -> str:
    try:
        return _box(secret_keys).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise VaultError("the stored token cannot be decrypted with the secret key: was "
                         "QUARTERHOUR_SECRET_KEY changed without keeping the old one in "
                         "SECRET_KEY_FALLBACKS? Enter the token again") from None


def rotate(sealed: str, secret_keys: Sequence[str | bytes]) -> str:
    """The same token encrypted under the first key (after the secret key changed)."""
    try:
        return _box(secret_keys).rotate(sealed.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise VaultError("the stored token cannot be decrypted with the secret key") from None
