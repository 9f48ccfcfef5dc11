"""Signed checkpoints of the chain's head (Ed25519, the key kept outside the database).

A checkpoint is a small JSON file auditors keep: ``{"seq", "hash", "signed_at", "signature",
"public_key"}``. Anyone with write access to the database can recompute every hash after an edit;
nobody without the private key can make the checkpoint agree with the rewritten chain.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.audit.chain import canonical
from core.db import utcnow


class CheckpointError(Exception):
    pass


def generate_keys(private_path: Path, public_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    private_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private_path.chmod(0o600)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _signed_part(seq: int, hash_: str, signed_at: str) -> bytes:
    return canonical({"seq": seq, "hash": hash_, "signed_at": signed_at}).encode("utf-8")


def sign(private_key_pem: bytes, seq: int, hash_: str) -> dict[str, Any]:
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError("the key is not an Ed25519 private key")
    signed_at = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return {
        "seq": seq,
        "hash": hash_,
        "signed_at": signed_at,
        "signature": base64.b64encode(key.sign(_signed_part(seq, hash_, signed_at))).decode(),
        "public_key": base64.b64encode(public).decode(),
    }


def check(checkpoint: dict[str, Any], public_key_pem: bytes | None = None) -> dict[str, Any]:
    """Verify the checkpoint's signature; with ``public_key_pem`` (the auditors' copy), also that
    it was signed by that key and not by one the file brings along."""
    try:
        embedded = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint["public_key"]))
        key = embedded
        if public_key_pem is not None:
            key = serialization.load_pem_public_key(public_key_pem)
            if not isinstance(key, Ed25519PublicKey):
                raise CheckpointError("the public key is not an Ed25519 key")
        key.verify(
            base64.b64decode(checkpoint["signature"]),
            _signed_part(checkpoint["seq"], checkpoint["hash"], checkpoint["signed_at"]),
        )
    except (KeyError, ValueError, InvalidSignature) as exc:
        raise CheckpointError(f"the checkpoint's signature does not verify ({exc!r})") from exc
    return checkpoint


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
