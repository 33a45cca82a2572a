"""Thin adapters from voice-agent platforms (Retell, Vapi, ElevenLabs) to the tool layer."""

from __future__ import annotations

from altslot.agents.routes import agent_routes

__all__ = ["agent_routes"]
