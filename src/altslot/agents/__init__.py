"""Thin adapters from voice-agent platforms (Retell, Vapi, ElevenLabs, MCP) to the tool layer; their HTTP routes
live in ``altslot.api.routes_agents``."""
