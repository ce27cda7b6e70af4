"""The key pairs an emulator accepts, the account each belongs to, and the temporary keys it issued.

One emulator can stand for several Alibaba Cloud accounts: besides ``--access-key-id`` /
``--access-key-secret`` (default ``test``/``test``) it accepts every pair given with ``--key
ID:SECRET[:ACCOUNT]`` (repeatable) or listed in a ``--keys-file`` (JSON)::

    {"keys": [{"accessKeyId": "team-a", "accessKeySecret": "...", "accountId": "1111222233334444"}]}

A pair without an account gets one derived from its key id (the same 16 digits EAS shows as the
service's ``Uid``). Temporary keys come from STS ``AssumeRole`` (the role ARN names their account) or
from the admin API's ``POST /_emulator/sts`` (the first key's account).

The ring also counts, per key id, the requests that presented it, so a test can see which key
signed which calls (``GET /_emulator/keys``; secrets are never shown).
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_alicloud_ai._bounded import Bounds, load_json
from pulumi_alicloud_ai.emulator.eas.service import account_uid
from pulumi_alicloud_ai.emulator.errors import ApiError
from pulumi_alicloud_ai.emulator.store import Store
from pulumi_alicloud_ai.emulator.verify import same_text

KEYS_FILE_BOUNDS = Bounds(max_bytes=256 * 1024, max_depth=4)
MAX_KEYS = 1000
EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_ACCOUNT_META = "sts.account."


@dataclass(frozen=True)
class KeyPair:
    """A long-lived access key the emulator accepts."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    account_id: str = ""
    """Empty means derived from the key id."""

    @property
    def account(self) -> str:
        """The account this key belongs to."""
        return self.account_id or account_uid(self.access_key_id)


def _checked(access_key_id: Any, secret: Any, account: Any, where: str) -> KeyPair:
    if not isinstance(access_key_id, str) or not access_key_id or len(access_key_id) > 128:
        raise ValueError(f"{where}: the access key id must be a non-empty string of at most 128 characters")
    if not isinstance(secret, str) or not secret or len(secret) > 256:
        raise ValueError(
            f"{where}: the access key secret must be a non-empty string of at most 256 characters"
        )
    if account is not None and (not isinstance(account, str) or not account.isdigit() or len(account) > 32):
        raise ValueError(f"{where}: the account id must be digits (at most 32)")
    return KeyPair(access_key_id, secret, account or "")


def parse_key(text: str) -> KeyPair:
    """``ID:SECRET`` or ``ID:SECRET:ACCOUNT`` (the ``--key`` flag)."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ValueError("--key takes ID:SECRET or ID:SECRET:ACCOUNT")
    return _checked(parts[0], parts[1], parts[2] if len(parts) == 3 else None, "--key")


def load_keys_file(path: Path) -> list[KeyPair]:
    """The pairs of a keys file: ``{"keys": [{"accessKeyId", "accessKeySecret", "accountId"?}]}``."""
    data = load_json(path.read_bytes(), KEYS_FILE_BOUNDS, what=str(path))
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list) or len(entries) > MAX_KEYS:
        raise ValueError(f'{path}: expected {{"keys": [...]}} with at most {MAX_KEYS} entries')
    pairs = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: keys[{index}] is not an object")  # noqa: TRY004 - a bad file
        pairs.append(
            _checked(
                entry.get("accessKeyId"),
                entry.get("accessKeySecret"),
                entry.get("accountId"),
                f"{path}: keys[{index}]",
            )
        )
    return pairs


def _unknown_key() -> ApiError:
    return ApiError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)


def _token_mismatch() -> ApiError:
    return ApiError(
        "InvalidSecurityToken.MismatchWithAccessKey",
        "The security token does not belong to this AccessKeyId.",
    )


class KeyRing:
    """Long-lived pairs (first one is the default) plus the temporary keys stored in the database."""

    def __init__(self, pairs: Iterable[KeyPair], store: Store) -> None:
        self.pairs = {pair.access_key_id: pair for pair in pairs}
        if not self.pairs:
            raise ValueError("an emulator needs at least one key pair")
        self.default = next(iter(self.pairs.values()))
        self._store = store
        self.presented: Counter[str] = Counter()
        """Requests that presented each key id (counted before the signature is compared)."""

    def secret_for(self, access_key_id: str, token: str | None) -> str:
        """The secret to verify a signature with; STS tokens must match the key they were issued with."""
        self.presented[access_key_id] += 1
        pair = self.pairs.get(access_key_id)
        if pair is not None:
            if token is not None:
                raise _token_mismatch()
            return pair.access_key_secret
        issued = self._store.sts_key(access_key_id)
        if issued is None:
            raise _unknown_key()
        secret, expected_token, expiration = issued
        if token is None:
            raise ApiError(
                "InvalidSecurityToken.Malformed", "Temporary credentials need their security token."
            )
        if not same_text(token, expected_token):
            raise _token_mismatch()
        if expiration < time.time():
            raise ApiError("InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
        return secret

    def account_of(self, access_key_id: str) -> str:
        """The account a (long-lived or temporary) key acts for."""
        pair = self.pairs.get(access_key_id)
        if pair is not None:
            return pair.account
        return self._store.get_meta(_ACCOUNT_META + access_key_id) or self.default.account

    def issue(self, duration: float, account: str | None = None) -> dict[str, str]:
        """Temporary credentials in the STS response shape, acting for ``account`` (default: the
        first key's), accepted until they expire."""
        access_key_id = "STS." + uuid.uuid4().hex[:20]
        secret = secrets.token_urlsafe(24)
        token = "CAIS" + secrets.token_urlsafe(48)
        expiration = time.time() + duration
        with self._store.transaction():
            self._store.add_sts_key(access_key_id, secret, token, expiration)
            self._store.set_meta(_ACCOUNT_META + access_key_id, account or self.default.account)
        return {
            "AccessKeyId": access_key_id,
            "AccessKeySecret": secret,
            "SecurityToken": token,
            "Expiration": time.strftime(EXPIRATION_FORMAT, time.gmtime(expiration)),
        }

    def usage(self) -> list[dict[str, Any]]:
        """Every key id seen or configured, its account and how many requests presented it."""
        ids = list(self.pairs) + [key for key in self.presented if key not in self.pairs]
        return [
            {
                "accessKeyId": key,
                "accountId": self.account_of(key),
                "temporary": key not in self.pairs,
                "presented": self.presented[key],
            }
            for key in ids
        ]
