"""The local engine's state file: our own small JSON format, with every secret encrypted.

Secrets (the serialized provider, access tokens, secret inputs and outputs) are written the way a
Pulumi checkpoint writes them: ``{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
"ciphertext": "v1:<nonce>:<data>"}``, AES-256-GCM under a key derived from a passphrase (PBKDF2-HMAC-
SHA256, a random salt kept in the file). Nothing secret is ever written in clear: a state that holds a
secret cannot be saved without a passphrase. Loading with another passphrase fails, naming the file.

Layout::

    {"format": "pulumi-alicloud-ai/local-engine-state", "version": 1, "project": ..., "stack": ...,
     "encryption": {"cipher": "AES-256-GCM", "kdf": "PBKDF2-HMAC-SHA256", "iterations": N, "salt": ...,
                    "check": "v1:..."} or null,
     "resources": [{"urn": ..., "type": ..., "name": ..., "id": ..., "inputs": {...}, "outputs": {...},
                    "custom": true, "parent": ..., "dependencies": [...], "protect": false, ...}]}
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc
from pydantic import TypeAdapter, ValidationError

from pulumi_alicloud_ai._bounded import Bounds, load_json
from pulumi_alicloud_ai.testing._errors import LocalEngineError
from pulumi_alicloud_ai.testing._props import has_secrets, plain
from pulumi_alicloud_ai.testing._state import ResourceState

FORMAT = "pulumi-alicloud-ai/local-engine-state"
VERSION = 1
STATE_BOUNDS = Bounds(max_bytes=64 * 1024 * 1024, max_depth=128)
"""A state file larger than this is refused before it is read; its nesting is the document's few levels
around property values, which providers bound at 64."""
ITERATIONS = 600_000
"""PBKDF2 rounds (OWASP's 2023 figure for HMAC-SHA256); derived once per engine and passphrase."""
SECRET_SIG = {rpc._special_sig_key: rpc._special_secret_sig}
_CHECK_TEXT = FORMAT
_RESOURCES = TypeAdapter(list[ResourceState])


class StateCipher:
    """AES-256-GCM under a passphrase-derived key; one per engine, so the key is derived once."""

    def __init__(self, passphrase: str, salt: bytes, iterations: int = ITERATIONS) -> None:
        try:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        except ImportError:  # pragma: no cover - depends on the environment
            raise LocalEngineError(
                "saving or loading LocalEngine state encrypts its secrets with the 'cryptography' "
                "package: pip install cryptography"
            ) from None
        self.passphrase = passphrase
        self.salt = salt
        self.iterations = iterations
        key = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, iterations)
        self._aead = AESGCM(key)

    @classmethod
    def new(cls, passphrase: str) -> StateCipher:
        """A cipher with a fresh random salt."""
        return cls(passphrase, secrets.token_bytes(16))

    def encrypt(self, value: Any) -> str:
        """``v1:<nonce>:<ciphertext>`` of the value's JSON."""
        nonce = secrets.token_bytes(12)
        data = self._aead.encrypt(nonce, json.dumps(value, sort_keys=True).encode(), None)
        return f"v1:{_b64(nonce)}:{_b64(data)}"

    def decrypt(self, text: str) -> Any:
        """The value ``encrypt`` made; a wrong passphrase or a changed text raises ``ValueError``."""
        from cryptography.exceptions import InvalidTag

        try:
            version, nonce, data = text.split(":")
            if version != "v1":
                raise ValueError(f"unknown secret encoding {version!r}")
            return json.loads(self._aead.decrypt(base64.b64decode(nonce), base64.b64decode(data), None))
        except (InvalidTag, ValueError) as exc:
            raise ValueError("cannot decrypt a secret (wrong passphrase, or the file was changed)") from exc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _seal(value: Any, cipher: StateCipher) -> Any:
    if rpc.is_rpc_secret(value):
        return {**SECRET_SIG, "ciphertext": cipher.encrypt(plain(value))}
    if isinstance(value, dict):
        return {key: _seal(item, cipher) for key, item in value.items()}
    if isinstance(value, list):
        return [_seal(item, cipher) for item in value]
    return value


def _open(value: Any, cipher: StateCipher | None) -> Any:
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        if cipher is None or not isinstance(value.get("ciphertext"), str):
            raise ValueError("a secret without its encryption settings")
        return rpc.wrap_rpc_secret(cipher.decrypt(value["ciphertext"]))
    if isinstance(value, dict):
        return {key: _open(item, cipher) for key, item in value.items()}
    if isinstance(value, list):
        return [_open(item, cipher) for item in value]
    return value


def write(
    path: Path, project: str, stack: str, resources: Sequence[ResourceState], cipher: StateCipher | None
) -> None:
    """Write the state atomically (a temporary file renamed over ``path``), readable by the owner only."""
    rows = [dataclasses.asdict(res) for res in resources]
    encryption = None
    if cipher is not None:
        encryption = {
            "cipher": "AES-256-GCM",
            "kdf": "PBKDF2-HMAC-SHA256",
            "iterations": cipher.iterations,
            "salt": _b64(cipher.salt),
            "check": cipher.encrypt(_CHECK_TEXT),
        }
        rows = [_seal(row, cipher) for row in rows]
    elif has_secrets(rows):
        raise LocalEngineError(
            "the state holds secrets (the serialized providers among them) and is never written in "
            "clear: give LocalEngine a passphrase (passphrase=..., or PULUMI_CONFIG_PASSPHRASE)"
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "project": project,
        "stack": stack,
        "encryption": encryption,
        "resources": rows,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1, sort_keys=True)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read(path: Path, passphrase: str | None) -> tuple[str, str, list[ResourceState], StateCipher | None]:
    """``(project, stack, resources, cipher)`` from a state file; every problem names the file."""
    try:
        size = path.stat().st_size
        if size > STATE_BOUNDS.max_bytes:
            raise ValueError(f"{size} bytes; at most {STATE_BOUNDS.max_bytes} are accepted")
        document = load_json(path.read_text(encoding="utf-8"), STATE_BOUNDS, what="the state")
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        if document.get("version") != VERSION:
            raise ValueError(f"version {document.get('version')!r}; this release reads version {VERSION}")
        cipher = _cipher(document.get("encryption"), passphrase)
        resources = _RESOURCES.validate_python(_open(document.get("resources"), cipher))
        project, stack = document.get("project"), document.get("stack")
        if not isinstance(project, str) or not isinstance(stack, str):
            raise TypeError("project and stack must be strings")
    except (OSError, ValueError, TypeError, ValidationError) as exc:
        raise LocalEngineError(f"cannot load LocalEngine state from {path}: {exc}") from None
    return project, stack, resources, cipher


def _cipher(encryption: Any, passphrase: str | None) -> StateCipher | None:
    if encryption is None:
        return None
    if not isinstance(encryption, dict) or encryption.get("cipher") != "AES-256-GCM":
        raise ValueError("unknown encryption settings")
    if passphrase is None:
        raise ValueError(
            "its secrets are encrypted: give the passphrase it was saved with "
            "(passphrase=..., or PULUMI_CONFIG_PASSPHRASE)"
        )
    iterations = encryption.get("iterations")
    if not isinstance(iterations, int) or not 1_000 <= iterations <= 10_000_000:
        raise ValueError("PBKDF2 iterations must be a whole number from 1000 to 10000000")
    cipher = StateCipher(passphrase, base64.b64decode(str(encryption.get("salt"))), iterations)
    if cipher.decrypt(str(encryption.get("check"))) != _CHECK_TEXT:
        raise ValueError("the passphrase check does not match")
    return cipher
