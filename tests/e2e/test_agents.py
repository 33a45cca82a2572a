"""Voice-agent adapters end to end: uvicorn + the simulator, signed Retell calls, Vapi variants, ElevenLabs."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import time
from typing import Any

import httpx
from retell.lib.webhook_auth import symmetric

from altslot.finder.spoken import say_time
from altslot.shell.http_settings import ServerSettings
from tests.observability.promtext import value
from tests.support.world import EVENT, NOW, World, berlin, running, salon_data

RETELL_KEY = "key_retell_test"
VAPI_SECRET = "vapi-secret-test"
ELEVEN_TOKEN = "eleven-token-test"
NOW_MS = int(NOW.timestamp() * 1000)
TAKEN_14 = [("2025-09-30 14:00", "2025-09-30 14:30")]
VOICE = {
    "services": {"Haarschnitt": {"id": EVENT, "aliases": ["Schneiden"]}},
    "retell_api_key": RETELL_KEY,
    "vapi_secret": VAPI_SECRET,
    "elevenlabs_token": ELEVEN_TOKEN,
}
GERMAN_ARGS = {"datum": "30.09.2025", "uhrzeit": "14:00", "dienstleistung": "haarschnitt"}


def retell(
    world: World, body: dict[str, Any], *, stamp: int = NOW_MS, key: str = RETELL_KEY, **params: str
) -> httpx.Response:
    """POST a Retell function request signed with retell-sdk's own signer."""
    raw = json.dumps(body, ensure_ascii=False)
    signature = symmetric["sign"](raw, key, stamp)
    headers = {"X-Retell-Signature": signature, "Content-Type": "application/json"}
    return world.http.post(
        f"{world.api.url}/integrations/retell/salon", content=raw.encode(), headers=headers, params=params
    )


def retell_call(name: str, args: dict[str, Any], call_id: str = "call_1") -> dict[str, Any]:
    return {"name": name, "args": args, "call": {"call_id": call_id, "from_number": "+4915112345678"}}


def vapi(world: World, message: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    auth = {"Authorization": f"Bearer {VAPI_SECRET}"} if headers is None else headers
    return world.http.post(f"{world.api.url}/integrations/vapi/salon", json={"message": message}, headers=auth)


def bookings_at(world: World, start_utc: str) -> int:
    found = world.http.get(f"{world.sims[0].url}/_sim/bookings").json()
    return sum(1 for b in found if b["start"].startswith(start_utc) and b["status"] == "accepted")


def test_german_retell_check_for_a_taken_time_offers_real_slots_with_spoken_times() -> None:
    """German arguments for a taken 14:00: real offers, each with its clock time in informal German."""
    with running(salon_data(bookings=TAKEN_14), tenant=VOICE) as world:
        response = retell(world, retell_call("check_availability_v2", GERMAN_ARGS))
        assert response.status_code == 200, response.text
        assert len(response.text) < 15_000
        answer = response.json()
        assert answer["status"] == "alternatives"
        assert answer["spoken"].startswith("Morgen um 14 Uhr ist leider nichts frei.")
        starts = [a["start"] for a in answer["alternatives"]]
        plain = world.search(desired_start="2025-09-30T14:00").json()
        assert starts == [a["start"] for a in plain["alternatives"]]
        assert berlin("2025-09-30T14:30") in starts
        by_start = {a["start"]: a["spoken_time"] for a in answer["alternatives"]}
        assert by_start[berlin("2025-09-30T14:30")] == "halb drei nachmittags"
        for offer in answer["alternatives"]:
            local = time.fromisoformat(offer["start"][11:16])
            assert offer["spoken_time"] == say_time(local, "de", "informal")
            assert "fünfzehn" not in offer["spoken_time"]


def test_retell_booking_sent_three_times_books_once() -> None:
    """Retell's two retries of book_appointment get the same booking; the simulator holds one."""
    with running(salon_data(), tenant=VOICE) as world:
        args = {**GERMAN_ARGS, "uhrzeit": "10:00", "name": "Erika Mustermann"}
        answers = [retell(world, retell_call("book_appointment", args)).json() for _ in range(3)]
        assert [a["status"] for a in answers] == ["booked"] * 3
        assert len({a["booking_uid"] for a in answers}) == 1
        assert answers[0]["spoken_time"] == "zehn Uhr"
        assert bookings_at(world, "2025-09-30T08:00") == 1
        assert int(world.stats()["requests"].get("POST /v2/bookings", 0)) == 1


def test_retell_args_only_body_takes_the_tool_from_the_query() -> None:
    """With "Payload: args only" the function name comes from ?tool= and the arguments are the body."""
    with running(salon_data(), tenant=VOICE) as world:
        answer = retell(world, {**GERMAN_ARGS, "uhrzeit": "11:00"}, tool="check_availability").json()
        assert answer["status"] == "available"
        assert answer["spoken_time"] == "elf Uhr"


def test_retell_forged_stale_and_reserialised_requests_are_refused() -> None:
    """A wrong key, a stamp six minutes old, or a body re-serialised after signing: 401 and no tool runs."""
    with running(salon_data(), tenant=VOICE) as world:
        body = retell_call("book_appointment", {**GERMAN_ARGS, "name": "Jürgen Groß"})
        assert retell(world, body, key="key_forged").status_code == 401
        assert retell(world, body, stamp=NOW_MS - 6 * 60 * 1000).status_code == 401
        raw = json.dumps(body, ensure_ascii=False)
        signature = symmetric["sign"](raw, RETELL_KEY, NOW_MS)
        reserialised = json.dumps(body).encode()  # \u00fc escapes: same JSON, other bytes
        response = world.http.post(
            f"{world.api.url}/integrations/retell/salon",
            content=reserialised,
            headers={"X-Retell-Signature": signature, "Content-Type": "application/json"},
        )
        assert response.status_code == 401
        missing = world.http.post(f"{world.api.url}/integrations/retell/salon", content=raw.encode())
        assert missing.status_code == 401
        assert response.json() == {"error": "unauthorized", "message": "missing or invalid credentials"}
        assert world.stats()["requests"].get("POST /v2/bookings", 0) == 0
        assert world.slot_calls() == 0


def test_unknown_service_gets_a_question_naming_the_choices() -> None:
    """An unknown service is a spoken question naming what the tenant offers, not an error."""
    with running(salon_data(), tenant=VOICE) as world:
        args = {**GERMAN_ARGS, "dienstleistung": "Dauerwelle"}
        answer = retell(world, retell_call("check_availability", args)).json()
        assert answer["status"] == "unknown_service"
        assert answer["choices"] == ["Haarschnitt"]
        assert "Haarschnitt" in answer["spoken"]
        assert answer["spoken"].endswith("?")


def _variants(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The payload shapes Vapi sends (CALLERS.md §7.2), each with its own tool call id."""
    as_text = json.dumps(args)
    return [
        {
            "toolCallList": [
                {"id": "tc_list", "type": "function", "function": {"name": "check_availability", "arguments": as_text}}
            ]
        },
        {
            "toolCallList": [
                {"id": "tc_list_obj", "type": "function", "function": {"name": "check_availability", "arguments": args}}
            ]
        },
        {
            "toolWithToolCallList": [
                {
                    "type": "function",
                    "toolCall": {"id": "tc_with", "function": {"name": "check_availability", "parameters": args}},
                }
            ]
        },
        {"toolCalls": [{"id": "tc_calls", "name": "check_availability", "arguments": args}]},
        {
            "toolCalls": [
                {
                    "id": "tc_calls_text",
                    "type": "function",
                    "function": {"name": "check_availability", "arguments": as_text},
                }
            ]
        },
    ]


def test_every_vapi_variant_answers_with_its_own_tool_call_id() -> None:
    """Each payload variant: HTTP 200, one result with its toolCallId, a one-line result, the sentence to speak."""
    with running(salon_data(bookings=TAKEN_14), tenant=VOICE) as world:
        for variant in _variants(GERMAN_ARGS):
            message = {
                "type": "tool-calls",
                "call": {"id": "vapi_call", "customer": {"number": "+4915100000000"}},
                **variant,
            }
            response = vapi(world, message)
            assert response.status_code == 200, response.text
            (result,) = response.json()["results"]
            wanted = (variant.get("toolCallList") or variant.get("toolCalls") or [{}])[0].get("id") or "tc_with"
            assert result["toolCallId"] == wanted
            assert result["name"] == "check_availability"
            assert "\n" not in result["result"]
            assert json.loads(result["result"])["status"] == "alternatives"
            assert result["message"]["type"] == "request-complete"
            assert result["message"]["content"].startswith("Morgen um 14 Uhr ist leider nichts frei.")


def test_vapi_duplicate_lists_and_parallel_calls_answer_once_each_in_order() -> None:
    """The same call in toolCallList and toolWithToolCallList is run once; two calls answer in call order."""
    with running(salon_data(), tenant=VOICE) as world:
        first = {"id": "a", "type": "function", "function": {"name": "check_availability", "arguments": GERMAN_ARGS}}
        second = {"id": "b", "type": "function", "function": {"name": "cancel_appointment", "arguments": "{}"}}
        message = {
            "type": "tool-calls",
            "toolCallList": [first, second],
            "toolWithToolCallList": [{"toolCall": first}, {"toolCall": second}],
        }
        results = vapi(world, message).json()["results"]
        assert [r["toolCallId"] for r in results] == ["a", "b"]
        assert json.loads(results[1]["result"])["status"] == "missing_argument"


def test_vapi_auth_by_secret_header_and_hmac_and_refusal() -> None:
    """X-Vapi-Secret and an HMAC signature are accepted; a wrong secret or a stale HMAC is a 401."""
    with running(salon_data(), tenant=VOICE) as world:
        message = {
            "type": "tool-calls",
            "toolCalls": [{"id": "x", "name": "check_availability", "arguments": GERMAN_ARGS}],
        }
        assert vapi(world, message, {"X-Vapi-Secret": VAPI_SECRET}).status_code == 200
        assert vapi(world, message, {"Authorization": "Bearer wrong"}).status_code == 401
        assert vapi(world, message, {}).status_code == 401
        body = json.dumps({"message": message}).encode()
        for stamp, status in ((str(int(NOW.timestamp())), 200), (str(int(NOW.timestamp()) - 600), 401)):
            digest = hmac.new(VAPI_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
            headers = {"x-signature": digest, "x-timestamp": stamp, "content-type": "application/json"}
            response = world.http.post(f"{world.api.url}/integrations/vapi/salon", content=body, headers=headers)
            assert response.status_code == status
        assert world.slot_calls() == 1


def test_vapi_booking_retried_with_the_same_tool_call_id_books_once() -> None:
    """Vapi's idempotency key is the call id and the tool call id: a resent call books nothing new."""
    with running(salon_data(), tenant=VOICE) as world:
        args = {"date": "2025-09-30", "time": "11:00", "name": "Erika Mustermann"}
        call = {"id": "t1", "type": "function", "function": {"name": "book_appointment", "arguments": args}}
        message = {
            "type": "tool-calls",
            "call": {"id": "c1", "customer": {"number": "+4915100000000"}},
            "toolCallList": [call],
        }
        uids = {json.loads(vapi(world, message).json()["results"][0]["result"])["booking_uid"] for _ in range(2)}
        assert len(uids) == 1
        assert bookings_at(world, "2025-09-30T09:00") == 1


def test_elevenlabs_tool_answers_and_refuses_a_wrong_token() -> None:
    """ElevenLabs sends the arguments alone with the Bearer token; a wrong token is a 401."""
    with running(salon_data(bookings=TAKEN_14), tenant=VOICE) as world:
        url = f"{world.api.url}/integrations/elevenlabs/salon/check_availability"
        answer = world.http.post(url, json=GERMAN_ARGS, headers={"Authorization": f"Bearer {ELEVEN_TOKEN}"})
        assert answer.status_code == 200
        assert answer.json()["status"] == "alternatives"
        refused = world.http.post(url, json=GERMAN_ARGS, headers={"Authorization": "Bearer nope"})
        assert refused.status_code == 401
        bad_date = world.http.post(
            url, json={**GERMAN_ARGS, "datum": "31.02.2025"}, headers={"Authorization": f"Bearer {ELEVEN_TOKEN}"}
        ).json()
        assert bad_date["status"] == "bad_date"
        metrics = world.metrics()
    for outcome in ("alternatives", "bad_date"):  # counted by platform and outcome; the 401 ran no tool
        assert value(metrics, "agent_calls_total", tenant="salon", platform="elevenlabs", outcome=outcome) == 1


def test_calcom_unreachable_is_a_spoken_answer_not_an_error() -> None:
    """With Cal.com down and nothing cached, the tool answers 200 with status unavailable and a sentence."""
    with running(salon_data(), tenant=VOICE) as world:
        world.fault("down")
        answer = retell(world, retell_call("check_availability", GERMAN_ARGS))
        assert answer.status_code == 200
        assert answer.json()["status"] == "unavailable"
        assert "Kalender" in answer.json()["spoken"]


def test_slot_just_taken_gets_fresh_offers_spoken() -> None:
    """A slot booked at Cal.com after altslot cached the day: slot_taken, with offers from a fresh look."""
    with running(salon_data(), tenant=VOICE) as world:
        retell(world, retell_call("check_availability", {**GERMAN_ARGS, "uhrzeit": "15:00"}))
        booking = {"event_type_id": EVENT, "start": "2025-09-30T13:00:00Z"}
        world.http.post(f"{world.sims[0].url}/_sim/bookings", json=booking).raise_for_status()
        args = {"start": berlin("2025-09-30T15:00"), "name": "Erika Mustermann"}
        answer = retell(world, retell_call("book_appointment", args)).json()
        assert answer["status"] == "slot_taken"
        assert answer["spoken"].startswith("Dieser Termin wurde leider gerade vergeben.")
        assert answer["alternatives"]
        assert berlin("2025-09-30T15:00") not in [a["start"] for a in answer["alternatives"]]


def test_reschedule_then_cancel_through_the_tools() -> None:
    """Book, move to another offered start, cancel: each answer names the booking and says it."""
    with running(salon_data(), tenant=VOICE) as world:
        booked = retell(
            world, retell_call("book_appointment", {**GERMAN_ARGS, "uhrzeit": "10:00", "name": "E M"})
        ).json()
        moved = retell(
            world,
            retell_call(
                "reschedule_appointment",
                {"booking_uid": booked["booking_uid"], "datum": "30.09.2025", "uhrzeit": "11:30"},
            ),
        ).json()
        assert moved["status"] == "rescheduled", moved
        assert moved["rescheduled_from"] == booked["booking_uid"]
        assert moved["spoken_time"] == "halb zwölf"
        cancelled = retell(world, retell_call("cancel_appointment", {"booking_uid": moved["booking_uid"]})).json()
        assert cancelled["status"] == "cancelled"
        assert cancelled["spoken"] == "Ihr Termin morgen um 11:30 Uhr ist storniert."
        unknown = retell(world, retell_call("cancel_appointment", {"booking_uid": "nope"})).json()
        assert unknown["status"] == "unknown_booking"


def test_outside_hours_booking_is_refused_with_offers_and_missing_values_are_asked() -> None:
    """A booking at 19:00 is not_bookable with offers; no name or no contact makes the tool ask."""
    with running(salon_data(), tenant=VOICE) as world:
        late = retell(world, retell_call("book_appointment", {**GERMAN_ARGS, "uhrzeit": "19:00", "name": "E M"})).json()
        assert late["status"] == "not_bookable"
        assert late["alternatives"]
        assert late["spoken"].startswith("Zu dieser Zeit kann ich leider keinen Termin buchen. Ich kann Ihnen")
        nameless = retell(world, retell_call("book_appointment", GERMAN_ARGS)).json()
        assert (nameless["status"], nameless["missing"]) == ("missing_argument", "name")
        no_contact = retell(
            world, {"name": "book_appointment", "args": {**GERMAN_ARGS, "name": "E M"}, "call": {}}
        ).json()
        assert (no_contact["status"], no_contact["missing"]) == ("missing_argument", "contact")
        assert world.stats()["requests"].get("POST /v2/bookings", 0) == 0


def test_english_formal_tenant_through_the_plain_tool_route() -> None:
    """/integrations/tools with the tenant's API token; an English formal tenant hears "2:30 pm"."""
    english = {**VOICE, "language": "en", "spoken_time": "formal"}
    with running(salon_data(bookings=TAKEN_14), tenant=english) as world:
        url = f"{world.api.url}/integrations/tools/check_availability"
        answer = world.http.post(
            url, json={"date": "2025-09-30", "time": "14:00"}, headers={"Authorization": "Bearer salon-token"}
        ).json()
        assert answer["status"] == "alternatives"
        assert answer["spoken"].startswith("Unfortunately, nothing is free tomorrow at 2 pm.")
        assert {a["spoken_time"] for a in answer["alternatives"]} >= {"2:30 pm"}
        assert world.http.post(url, json={}, headers={"Authorization": "Bearer nope"}).status_code == 401
        assert world.http.post(url, json={}).status_code == 401


def test_secrets_never_reach_logs_metrics_or_answers(caplog: Any) -> None:
    """Neither the platform secrets nor a caller's name appear in logs, /metrics or any answer."""
    caplog.set_level("DEBUG")
    with running(salon_data(), tenant=VOICE) as world:
        texts = [
            retell(
                world, retell_call("book_appointment", {**GERMAN_ARGS, "uhrzeit": "10:00", "name": "Zacharias Quell"})
            ).text,
            retell(world, retell_call("check_availability", GERMAN_ARGS), key="key_forged").text,
            vapi(world, {"toolCalls": []}, {"Authorization": "Bearer wrong-secret"}).text,
            vapi(world, {"toolCalls": []}).text,
        ]
        metrics = world.metrics()
    everything = "\n".join([*texts, metrics, caplog.text])
    for secret in (RETELL_KEY, VAPI_SECRET, ELEVEN_TOKEN, "wrong-secret", "key_forged", "Zacharias"):
        assert secret not in everything


def test_refused_agent_secrets_count_as_failed_authentications() -> None:
    """Wrong secrets on the adapters are limited per address like the API's (429), a right one never is."""
    limited = ServerSettings(failed_auth_limit="3/minute")
    with running(salon_data(), tenant=VOICE, server=limited) as world:
        url = f"{world.api.url}/integrations/elevenlabs/salon/check_availability"
        wrong = [world.http.post(url, json=GERMAN_ARGS, headers={"Authorization": "Bearer nope"}) for _ in range(5)]
        assert [r.status_code for r in wrong] == [401, 401, 401, 429, 429]
        assert int(wrong[-1].headers["Retry-After"]) >= 1
        vapi = world.http.post(f"{world.api.url}/integrations/vapi/salon", json={}, headers={"X-Vapi-Secret": "x"})
        assert vapi.status_code == 429  # the same address, whichever adapter it tries
        right = world.http.post(url, json=GERMAN_ARGS, headers={"Authorization": f"Bearer {ELEVEN_TOKEN}"})
        assert right.status_code == 200
