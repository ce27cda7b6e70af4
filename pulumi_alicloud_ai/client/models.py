"""The pydantic base for request and response bodies, and how JSON from a server is read.

Wire names (PascalCase) live only here, as field aliases; Python code uses snake_case. Unknown response
fields are kept (``extra="allow"``), never dropped, so a newer API's additions survive a round trip.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from pulumi_alicloud_ai._bounded import Bounds, load_json

RESPONSE_BOUNDS = Bounds(max_bytes=64 * 1024 * 1024, max_depth=128)
"""What the client reads from a server: answers nest a template (at most 64 levels) a few levels down;
anything deeper is a broken or hostile server, refused before it can exhaust the stack."""


def decode_json(content: str | bytes) -> Any:
    """JSON a server sent (a body, or a JSON string inside one), within :data:`RESPONSE_BOUNDS`;
    ``ValueError`` when it is not JSON or past the bounds."""
    return load_json(content, RESPONSE_BOUNDS, what="The answer")


class WireModel(BaseModel):
    """A request or response body. Build with snake_case names or wire aliases; ``to_wire`` for the API."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=False)

    def to_wire(self) -> dict[str, Any]:
        """The body as the API wants it: wire names, unset fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True)
