"""Tenant settings for voice agents: services must be owned, secrets come from the file or the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from altslot.shell.config import ConfigError, load_settings
from altslot.shell.tenants import build_registry

BASE = '[tenants.a]\ntokens = ["t"]\nevent_types = [1, 2]\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "altslot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_services_aliases_register_and_secrets_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Named services with aliases, the formal register, and platform secrets read from variables."""
    monkeypatch.setenv("A_RETELL", "key_r")
    monkeypatch.setenv("A_VAPI", "vapi_s")
    text = BASE + (
        'services = { "Haarschnitt" = 1, "Färben" = { id = 2, aliases = ["Farbe"] } }\n'
        'spoken_time = "formal"\nretell_api_key_env = "A_RETELL"\nvapi_secret_env = "A_VAPI"\n'
        'elevenlabs_token = "el_t"\n'
    )
    settings = load_settings(write(tmp_path, text))
    voice = build_registry(settings, {"A_RETELL": "key_r", "A_VAPI": "vapi_s"}).get("a").voice  # type: ignore[union-attr]
    assert dict(voice.services) == {"Haarschnitt": 1, "Färben": 2}
    assert dict(voice.aliases) == {"Farbe": "Färben"}
    assert voice.spoken_time == "formal"
    assert (voice.retell_api_key, voice.vapi_secret, voice.elevenlabs_token) == ("key_r", "vapi_s", "el_t")
    assert "key_r" not in repr(voice)


def test_a_service_of_an_event_type_not_owned_is_one_line(tmp_path: Path) -> None:
    """A service naming an event type outside event_types is refused with the key named."""
    with pytest.raises(ConfigError, match=r"services\.Haarschnitt: event type 9 is not in event_types"):
        load_settings(write(tmp_path, BASE + 'services = { "Haarschnitt" = 9 }\n'))


@pytest.mark.parametrize("key", ["retell_api_key", "vapi_secret", "elevenlabs_token"])
def test_a_missing_secret_variable_is_one_line(tmp_path: Path, key: str) -> None:
    """``*_env`` naming an unset variable is a one-line error naming the key."""
    with pytest.raises(ConfigError, match=rf"tenants\.a\.{key}_env: environment variable NOPE_UNSET is not set"):
        load_settings(write(tmp_path, BASE + f'{key}_env = "NOPE_UNSET"\n'))


def test_spoken_time_accepts_only_the_two_registers(tmp_path: Path) -> None:
    """``spoken_time`` is formal or informal."""
    with pytest.raises(ConfigError, match="spoken_time"):
        load_settings(write(tmp_path, BASE + 'spoken_time = "casual"\n'))
