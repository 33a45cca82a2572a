"""Configuration loading: the documented example, env overrides and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from altslot.commands.cli import app
from altslot.shell.config import ConfigError, Settings, load_settings
from altslot.shell.tenants import build_registry

TENANT = '[tenants.a]\ntokens=["t"]\nevent_types=[1]'
EXAMPLE = Path(__file__).parents[2] / "examples" / "altslot.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "altslot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_design_example_loads_as_is() -> None:
    """The configuration example of the design document loads without a change."""
    settings = load_settings(EXAMPLE)
    salon = settings.tenants["salon"]
    assert settings.search.horizon_days == 14
    assert salon.time_zone == "Europe/Berlin"
    assert salon.event_type_ids() == {1412903: None}


def test_environment_overrides_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """ALTSLOT_SECTION__KEY variables beat the file, including nested tenant keys."""
    monkeypatch.setenv("ALTSLOT_CACHE__BACKEND", "redis")
    monkeypatch.setenv("ALTSLOT_TENANTS__SALON__CALCOM_API_KEY", "cal_live_secret")
    settings = load_settings(EXAMPLE)
    assert settings.cache.backend == "redis"
    key = settings.tenants["salon"].calcom_api_key
    assert key is not None and key.get_secret_value() == "cal_live_secret"


def test_config_path_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """ALTSLOT_CONFIG names the file when no path is given."""
    monkeypatch.setenv("ALTSLOT_CONFIG", str(EXAMPLE))
    assert "salon" in load_settings().tenants


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'{TENANT}\ntime_zone="Europe/Berln"', "tenants.a.time_zone: unknown"),
        ("[search]\nhorizon_days = 0", "search.horizon_days:"),
        (f"{TENANT}\nbooking_window_days = 400", "tenants.a.booking_window_days:"),
        ("[cache]\nbakend = 'memory'", "cache.bakend:"),
        (f'{TENANT}\nbusiness_hours={{mon="9-5"}}', "tenants.a.business_hours:"),
        ('[tenants.a]\ntokens=["t"]\nevent_types=[1]\nworkdays=["monday"]', "tenants.a.workdays:"),
        ('[tenants.a]\ntokens=["t"]\nevent_types=[1]\nholidays={country="XX"}', "tenants.a.holidays:"),
        ('[tenants.a]\ntokens=["t"]', "tenants.a.event_types:"),
        ("[tenants.a]\nevent_types=[1]", "tenants.a.tokens:"),
        ('[tenants.a]\ntokens_env="NOPE_UNSET"\nevent_types=[1]', "NOPE_UNSET is not set"),
        ("[calcom]\nbase_url='api.cal.com'", "calcom.base_url:"),
        ("this is = = not toml", "not valid TOML"),
    ],
)
def test_invalid_config_is_one_line_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    """Every invalid configuration becomes one line that names the key and the problem."""
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text))
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_cli_exits_2_on_invalid_config(tmp_path: Path) -> None:
    """A command given a bad file prints one line and exits with code 2."""
    path = write(tmp_path, "[search]\nhorizon_days = 0")
    args = ["find", "--config", str(path), "--tenant", "a", "--event-type", "1", "--at", "x"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "search.horizon_days" in result.output


def test_secrets_from_environment_variables(tmp_path: Path) -> None:
    """tokens_env, calcom_api_key_env and webhook_secret_env read their values from the environment."""
    path = write(
        tmp_path,
        '[tenants.a]\ntokens_env="A_TOKENS"\ncalcom_api_key_env="A_KEY"\nwebhook_secret_env="A_HOOK"\n'
        "event_types=[7]\nbusiness_hours={mon='08:00-12:00', sat='09:00-13:00'}\nworkdays=['mon','sat']\n",
    )
    env = {"A_TOKENS": "one, two", "A_KEY": "cal_x", "A_HOOK": "whsec_x"}
    import os

    os.environ.update(env)
    try:
        registry = build_registry(load_settings(path), env)
    finally:
        for key in env:
            os.environ.pop(key)
    tenant = registry.by_token("two")
    assert tenant is not None and tenant.calcom_api_key == "cal_x" and tenant.webhook_secret == "whsec_x"
    assert sorted(tenant.policy.hours) == [0, 5]
    assert registry.by_token("three") is None


def test_tenant_country_and_variable_length(tmp_path: Path) -> None:
    """country names where national phones are read (default: the holiday country); variable_length is per type."""
    text = (
        '[tenants.a]\ntokens=["t"]\ncountry="at"\nevent_types=[1, {id = 2, variable_length = true}]\n'
        '[tenants.b]\ntokens=["u"]\nevent_types=[3]\nholidays={country="DE"}\n'
        '[tenants.c]\ntokens=["v"]\nevent_types=[4]\n'
    )
    tenants = build_registry(load_settings(write(tmp_path, text)), {})
    a, b, c = (tenants.get(name) for name in "abc")
    assert a is not None and b is not None and c is not None
    assert (a.country, a.variable_length) == ("AT", frozenset({2}))
    assert (b.country, c.country) == ("DE", None)


def test_unknown_country_is_one_line(tmp_path: Path) -> None:
    """A country phonenumbers does not know is a ConfigError naming the key."""
    with pytest.raises(ConfigError, match=r"^tenants\.a\.country: unknown country 'XX'"):
        load_settings(write(tmp_path, f'{TENANT}\ncountry="XX"'))


BETA = '[tenants.b]\ntokens=["u"]\nevent_types=[2]'


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        (f'{TENANT}\n[tenants.b]\ntokens=["t"]\nevent_types=[2]', {}, "tenants.b.tokens: a caller token of tenant 'a'"),
        (f'{TENANT}\n[tenants.b]\ntokens_env="B_TOKENS"\nevent_types=[2]', {"B_TOKENS": "x, t"}, "tenant 'a'"),
        (f"[cache]\nredis_url = 'nonsense'\n{TENANT}", {}, "cache.redis_url: 'nonsense' is not a Redis URL"),
        (f"[observability]\nsearch_log_url = 'mongodb://x'\n{TENANT}", {}, "observability.search_log_url:"),
        (f"[server]\nfailed_auth_limit = 'lots'\n{TENANT}", {}, "server.failed_auth_limit:"),
        (f'{TENANT}\ncalcom_base_url = "ftp://x"', {}, "tenants.a.calcom_base_url: must start with http://"),
        ("[search]\nhorizon_days = 7", {}, "tenants: configure at least one tenant"),
        (TENANT, {"ALTSLOT_TENANTS": "not json"}, 'error parsing value for field "tenants"'),
        (BETA, {"ALTSLOT_SEARCH": "{"}, 'field "search"'),
    ],
    ids=[
        "token-twice",
        "token-twice-env",
        "redis-url",
        "search-log-url",
        "auth-limit",
        "tenant-base-url",
        "no-tenants",
        "env-a",
        "env-b",
    ],
)
def test_broken_configs_are_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, env: dict[str, str], expected: str
) -> None:
    """Duplicate tokens, unusable URLs, no tenants or an unparsable section variable: one line, exit 2 (D4, D18)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert expected in str(info.value)
    result = CliRunner().invoke(app, ["warm", "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and expected in result.output


def test_non_utf8_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """A config file that is not UTF-8 is one line naming the file, exit 2 (D18)."""
    path = tmp_path / "altslot.toml"
    path.write_bytes(b"[tenants.a]\ntokens=['\xff\xfe']\nevent_types=[1]\n")
    result = CliRunner().invoke(app, ["serve", "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "not UTF-8" in result.output


def test_registry_refuses_a_token_of_two_tenants() -> None:
    """Settings built in code meet the same rule: a token listed in two tenants is a ConfigError (D4)."""
    settings = Settings.model_validate(
        {"tenants": {"a": {"tokens": ["t"], "event_types": [1]}, "b": {"tokens": ["t"], "event_types": [2]}}}
    )
    with pytest.raises(ConfigError, match="tenant 'a'"):
        build_registry(settings, {})


def test_stats_reads_a_config_without_tenants(tmp_path: Path) -> None:
    """Only serving needs tenants: ``load_settings(require_tenants=False)`` accepts a search-log-only config."""
    assert load_settings(write(tmp_path, "[search]\nhorizon_days = 7"), require_tenants=False).tenants == {}
