"""What every check family returns: one :class:`Check` per finding, and the settings they share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_alicloud_ai.resources._settings import Resolution


@dataclass(frozen=True)
class Check:
    """One finding: ``ok`` True (OK), None (WARN) or False (FAIL), and what to do when not OK."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""

    def line(self) -> str:
        """``OK   credentials: default/env (key LTAI…abcd)`` / ``FAIL ...: ... -> what to do``."""
        mark = {True: "OK  ", None: "WARN", False: "FAIL"}[self.ok]
        return f"{mark} {self.name}: {self.detail}" + (f" -> {self.fix}" if self.fix else "")


@dataclass(frozen=True)
class Settings:
    """What the providers would resolve, and where the project is."""

    mode: str
    endpoint: str | None
    region: str
    project: str
    stack: str
    virtualenv: Path | None
    resolution: Resolution | None = None
    encrypted: tuple[str, ...] = ()
    """Stack config keys whose values are encrypted in the stack file (doctor cannot read them)."""


@dataclass(frozen=True)
class Target:
    """Where calls go and with which keys."""

    emulated: bool
    endpoint: str | None
    credentials: Any
    """A credentials provider, or None when none works."""
    sts_url: str | None = None


def masked_key_id(key_id: str) -> str:
    """``LTAI5t…abcd``: enough to tell keys apart, not enough to use one."""
    return f"{key_id[:4]}…{key_id[-4:]}" if len(key_id) > 10 else f"{key_id[:2]}…"
