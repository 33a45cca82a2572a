"""The agent tool layer: four tools, canonical arguments, answers with a ``status`` and a ``spoken`` sentence."""

from __future__ import annotations

from altslot.tools.answers import Offer, Status, ToolAnswer
from altslot.tools.arguments import TOOL_NAMES, ToolName
from altslot.tools.layer import CallContext, Toolbox

__all__ = ["TOOL_NAMES", "CallContext", "Offer", "Status", "ToolAnswer", "ToolName", "Toolbox"]
