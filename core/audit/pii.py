"""Personal information in the trail: a masked form and a keyed hash (HMAC-SHA256), never the value.

An unkeyed SHA-256 of a Chinese mobile number (11 digits, a handful of prefixes) or of an ID-card
number (region, birth date, sequence, check digit) is reversed in seconds by trying every value.
An HMAC under a key the trail's readers do not hold cannot be: without the key nobody can compute
the tag of a guess. Readers can still see that two events concern the same value (same tag under
the same key), which is what the trail needs to prove.

The key is ``YIXIAN_AUDIT_PII_KEY`` when set; otherwise it is derived from ``YIXIAN_SECRET`` with
a label of its own (HMAC-SHA256(secret, LABEL)), so it never equals the key hashing API tokens.
Each tag is stored with the key's id, a one-way fingerprint of the key, so that after a rotation
one can tell which key made which tag (see docs/auditing.md, "Rotating the key").
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

#: Distinguishes the derived key from every other use of ``YIXIAN_SECRET``.
LABEL = b"yixian/audit-pii/v1"
_KEY_ID_LABEL = b"yixian/audit-pii/key-id"


@dataclass(frozen=True)
class PiiKey:
    """A key for tagging personal information, and its public id."""

    id: str
    secret: bytes

    @classmethod
    def from_material(cls, material: bytes) -> PiiKey:
        key_id = hmac.new(material, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]
        return cls(id=key_id, secret=material)

    def tag(self, text: str) -> str:
        return hmac.new(self.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def key_from_settings(settings: Any) -> PiiKey:
    """The key ``settings`` configure: ``audit_pii_key``, or derived from the secret."""
    configured = getattr(settings, "audit_pii_key", None)
    if configured:
        return PiiKey.from_material(configured.encode("utf-8"))
    derived = hmac.new(settings.token_secret.encode("utf-8"), LABEL, hashlib.sha256).digest()
    return PiiKey.from_material(derived)


def current_key() -> PiiKey:
    """The key of this process, read from its settings (environment and ``.env``), as every
    entry point (the app, the command line) reads them."""
    from core.settings import Settings

    return key_from_settings(Settings())
