"""The pydantic base for request and response bodies.

Wire names (PascalCase) live only here, as field aliases; Python code uses snake_case. Unknown response
fields are kept (``extra="allow"``), never dropped, so a newer API's additions survive a round trip.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """A request or response body. Build with snake_case names or wire aliases; ``to_wire`` for the API."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=False)

    def to_wire(self) -> dict[str, Any]:
        """The body as the API wants it: wire names, unset fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True)
