"""``altslot tools`` prints each platform's tool JSON, and docs/voice-agents.md shows exactly that output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from altslot.commands.cli import app

DOC = Path(__file__).parents[2] / "docs" / "voice-agents.md"
BASE = "https://altslot.example.org"
ENV = {
    k: "x"
    for k in ("SALON_TOKENS", "SALON_CALCOM_KEY", "SALON_RETELL_KEY", "SALON_VAPI_SECRET", "SALON_ELEVENLABS_TOKEN")
}


def doc_block(language: str, containing: str) -> str:
    """The first fenced block of ``language`` in the doc that contains ``containing``."""
    for block in re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S):
        if containing in block:
            return str(block)
    raise AssertionError(f"no ```{language} block with {containing!r} in {DOC.name}")


def tools(tmp_path: Path, platform: str, tenant: str = "salon") -> Any:
    """Run ``altslot tools`` against the doc's own configuration."""
    config = tmp_path / "altslot.toml"
    config.write_text(doc_block("toml", "[tenants.salon]"), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["tools", "--platform", platform, "--tenant", tenant, "--base-url", BASE, "--config", str(config)], env=ENV
    )
    return result


def test_doc_retell_function_is_the_commands_output(tmp_path: Path) -> None:
    """The Retell function in the doc equals the first tool ``altslot tools --platform retell`` prints."""
    printed = tools(tmp_path, "retell")
    assert printed.exit_code == 0, printed.output
    assert json.loads(doc_block("json", '"type": "custom"')) == json.loads(printed.output)[0]
    assert "altslot tools --platform retell --tenant salon" in doc_block("sh", "altslot tools")


def test_doc_vapi_assistant_uses_the_commands_output(tmp_path: Path) -> None:
    """The Vapi assistant's tool in the doc equals the first tool ``--platform vapi`` prints."""
    printed = tools(tmp_path, "vapi")
    assistant = json.loads(doc_block("json", '"firstMessage"'))
    assert assistant["model"]["tools"] == json.loads(printed.output)[:1]
    assert "spoken" in assistant["model"]["messages"][0]["content"]


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs", "openai"])
def test_every_platform_gets_four_tools_with_urls_and_no_secrets(tmp_path: Path, platform: str) -> None:
    """Four tools, German descriptions for a German tenant, this tenant's URL, placeholders instead of secrets."""
    printed = tools(tmp_path, platform)
    assert printed.exit_code == 0, printed.output
    defined = json.loads(printed.output)
    names = [d.get("name") or d["function"]["name"] for d in defined]
    assert names == ["check_availability", "book_appointment", "cancel_appointment", "reschedule_appointment"]
    assert "Dienstleistung: Haarschnitt, Färben" in printed.output
    if platform != "openai":
        assert f"{BASE}/integrations/{platform}/salon" in printed.output
    assert '"x"' not in printed.output  # the secrets' values never appear


def test_openai_schemas_are_strict(tmp_path: Path) -> None:
    """OpenAI strict mode: every property required, optional ones nullable, no additional properties."""
    for tool in json.loads(tools(tmp_path, "openai").output):
        schema = tool["parameters"]
        assert tool["strict"] is True
        assert schema["additionalProperties"] is False
        assert set(schema["required"]) == set(schema["properties"])


def test_unknown_platform_or_tenant_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """A wrong --platform or --tenant is one error line and exit code 2."""
    wrong = tools(tmp_path, "bland")
    assert wrong.exit_code == 2
    assert "--platform" in wrong.output
    missing = tools(tmp_path, "retell", tenant="nobody")
    assert missing.exit_code == 2
    assert "no tenant 'nobody'" in missing.output
