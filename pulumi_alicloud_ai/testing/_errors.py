"""The local engine's errors: one base, so a test can catch whatever the engine itself refused."""

from __future__ import annotations


class LocalEngineError(Exception):
    """The engine refused an operation, as the Pulumi engine would (its message, one or more lines)."""


class CheckFailedError(LocalEngineError):
    """``check`` refused the inputs: what ``pulumi preview`` prints, one line per property."""


class UnsupportedFeatureError(LocalEngineError):
    """The program uses a Pulumi feature the local engine does not carry out faithfully.

    Raised instead of silently doing something else; the message names the feature and the resource.
    """
