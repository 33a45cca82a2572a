"""The embedded default: the bundled salon data in the simulator, and altslot in front of it."""

from __future__ import annotations

from datetime import date, timedelta

from altslot.shell.config import CalcomSettings, Settings
from altslot.shell.http_settings import ServerSettings
from altslot.shell.tenant_settings import EventTypeSettings, HolidaySettings, TenantSettings

DEMO_TOKEN = "demo-token"
PRAXIS_TOKEN = "praxis-token"


def demo_settings(calcom_url: str) -> Settings:
    """Settings for the two demo tenants of the bundled simulator data."""
    salon = TenantSettings(
        tokens=[DEMO_TOKEN],
        calcom_api_key="cal_test_demo",
        time_zone="Europe/Berlin",
        language="de",
        workdays=["mon", "tue", "wed", "thu", "fri", "sat"],
        business_hours={
            **{d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")},
            "sat": "09:00-16:00",
        },
        holidays=HolidaySettings(country="DE", subdivision="BY"),
        event_types=[
            EventTypeSettings(id=1412903, length=30),
            EventTypeSettings(id=1412904, length=60),
            EventTypeSettings(id=1412905, length=135),
        ],
        webhook_secret="whsec_demo",
    )
    praxis = TenantSettings(
        tokens=[PRAXIS_TOKEN],
        calcom_api_key="cal_test_praxis",
        time_zone="Europe/Berlin",
        language="de",
        workdays=["mon", "tue", "wed", "thu"],
        business_hours={"start": "08:00", "end": "16:00"},
        holidays=HolidaySettings(country="DE", subdivision="BY"),
        event_types=[EventTypeSettings(id=2001, length=30)],
    )
    return Settings(
        calcom=CalcomSettings(base_url=calcom_url),
        server=ServerSettings(expose_docs=True),  # the demo is for exploring: /docs on
        tenants={"salon": salon, "praxis": praxis},
    )


def curl_example(base_url: str, today: date, token: str = DEMO_TOKEN) -> str:
    """A ready-to-paste request for tomorrow 14:00 at the demo salon."""
    tomorrow = (today + timedelta(days=1)).isoformat()
    body = f'{{"event_type_id": 1412903, "desired_start": "{tomorrow}T14:00"}}'
    return (
        f"curl -s {base_url}/api/appointments/alternatives "
        f"-H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' -d '{body}'"
    )
