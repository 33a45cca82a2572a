"""The four agent tools over the search and booking services, in process.

``Toolbox.run(tenant, name, arguments, call)`` is what every adapter (Retell, Vapi, ElevenLabs, MCP)
calls. It reads the arguments, resolves the service, calls the same ``Searcher`` and ``Booker`` the
HTTP API uses, and turns every outcome into a ``ToolAnswer`` in the tenant's language.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from altslot.booking.answers import Attendee, Booked, BookingInput, MoveInput, SlotTaken
from altslot.booking.booker import Booker
from altslot.errors import IdempotencyConflict, InvalidField, NotOwned, UnknownBooking
from altslot.events import AgentCall, Events
from altslot.finder.calendar import named_window
from altslot.finder.phrasing import join_offers, label
from altslot.finder.spoken import say_time
from altslot.finder.words import SENTENCES
from altslot.search.answers import Offer as Found
from altslot.search.answers import SearchInput, Unavailable
from altslot.search.service import Searcher
from altslot.tools.answers import Offer, ToolAnswer
from altslot.tools.arguments import (
    BadArgument,
    ToolName,
    args_fingerprint,
    canonical_args,
    parse_minutes,
    parse_start,
    parse_window,
    tool_name,
)
from altslot.tools.phrases import TOOL_SENTENCES
from altslot.tools.services import Service, ServiceQuestion, resolve_service
from altslot.types import Clock, Language, Tenant

log = logging.getLogger("altslot.tools")


@dataclass(frozen=True)
class CallContext:
    """What the platform says about the call: who calls, and what makes a retry recognisable."""

    platform: str
    call_id: str | None = None
    caller_phone: str | None = None
    # The platform's own id of this invocation (Vapi's tool call id); Retell has none.
    invocation_id: str | None = None


def idempotency_key(tool: str, args: Mapping[str, str], call: CallContext) -> str:
    """The booking key: the invocation id when the platform gives one, else the call and the arguments."""
    if call.invocation_id:
        parts = [call.platform, call.call_id or "", call.invocation_id]
    else:
        parts = [call.platform, call.call_id or "", tool, args_fingerprint(args)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(eq=False)
class Toolbox:
    """Runs agent tools for any tenant."""

    searcher: Searcher
    booker: Booker
    clock: Clock
    events: Events

    async def run(self, tenant: Tenant, name: str, arguments: Mapping[str, object], call: CallContext) -> ToolAnswer:
        """One tool call; every outcome, even an unexpected failure, is an answer to speak."""
        answer = await self._run(tenant, name, arguments, call)
        self.events.emit(AgentCall(tenant.id, call.platform, answer.status))
        return answer

    async def _run(self, tenant: Tenant, name: str, arguments: Mapping[str, object], call: CallContext) -> ToolAnswer:
        language = tenant.language
        tool = tool_name(name)
        if tool is None:
            return ToolAnswer(status="unknown_tool", spoken=TOOL_SENTENCES[language]["unknown_tool"])
        args = canonical_args(arguments)
        try:
            return await self._dispatch(tenant, tool, args, call)
        except BadArgument as exc:
            return _ask(language, exc)
        except Exception:
            # Arguments are personal data: the log names the tool and tenant only.
            log.exception("tool %s failed for tenant %s", tool, tenant.id)
            return ToolAnswer(status="error", spoken=TOOL_SENTENCES[language]["error"])

    async def _dispatch(self, tenant: Tenant, tool: ToolName, args: dict[str, str], call: CallContext) -> ToolAnswer:
        if tool == "check_availability":
            return await self.check_availability(tenant, args)
        if tool == "book_appointment":
            return await self.book_appointment(tenant, args, call)
        if tool == "cancel_appointment":
            return await self.cancel_appointment(tenant, args)
        return await self.reschedule_appointment(tenant, args)

    async def check_availability(self, tenant: Tenant, args: Mapping[str, str]) -> ToolAnswer:
        """Is the wish free; if not, the ranked alternatives."""
        service = resolve_service(tenant, args.get("service"))
        if isinstance(service, ServiceQuestion):
            return _service_question(tenant.language, service)
        return await self._search(tenant, service, parse_start(args), args)

    async def _search(self, tenant: Tenant, service: Service, start: datetime, args: Mapping[str, str]) -> ToolAnswer:
        language = tenant.language
        window = parse_window(args.get("preferred_window"))
        wish = SearchInput(
            event_type_id=service.event_type_id,
            desired_start=start,
            duration_minutes=parse_minutes(args.get("duration_minutes")),
            language=language,
            preferred_window=named_window(window) if window else None,
        )
        try:
            answer = await self.searcher.search(tenant, wish)
        except NotOwned:
            return _service_question(tenant.language, ServiceQuestion("unknown", tuple(tenant.voice.services)))
        except InvalidField as exc:
            key = "in_past" if "past" in exc.message else "too_far"
            text = SENTENCES[language][key] if key == "in_past" else TOOL_SENTENCES[language][key]
            return ToolAnswer(status="bad_date", spoken=text)
        if isinstance(answer, Unavailable):
            return _unavailable(answer)
        offers = _offers(answer.offers)
        if answer.result.available:
            requested = answer.result.requested
            return ToolAnswer(
                status="available",
                spoken=answer.text,
                available=True,
                start=requested.isoformat(),
                spoken_time=say_time(requested, language, tenant.voice.spoken_time),
                alternatives=offers,
            )
        status = "alternatives" if offers else "none_free"
        return ToolAnswer(status=status, spoken=answer.text, available=False, alternatives=offers)

    async def book_appointment(self, tenant: Tenant, args: Mapping[str, str], call: CallContext) -> ToolAnswer:
        """Book the offered (or wished) start once, however often the platform retries."""
        language = tenant.language
        service = resolve_service(tenant, args.get("service"))
        if isinstance(service, ServiceQuestion):
            return _service_question(language, service)
        start = parse_start(args)
        if "name" not in args:
            raise BadArgument("name", "missing")
        phone = args.get("phone") or call.caller_phone or args.get("caller_phone")
        if phone is None and "email" not in args:
            raise BadArgument("contact", "missing")
        attendee = Attendee(args["name"], tenant.policy.zone.key, args.get("email"), phone, language)
        ask = BookingInput(service.event_type_id, start, attendee)
        try:
            outcome = await self.booker.book(tenant, ask, idempotency_key("book_appointment", args, call))
        except IdempotencyConflict as exc:
            # Not in progress: the platform reused one invocation id for other arguments.
            status = "in_progress" if exc.in_progress else "error"
            return ToolAnswer(status=status, spoken=TOOL_SENTENCES[language][status])
        except InvalidField as exc:
            if exc.field.startswith("attendee"):  # an unusable phone or email: ask again, offer nothing else
                raise _contact_problem(exc.field) from None
            return await self._not_bookable(tenant, service, start, args)
        if isinstance(outcome, Booked):
            return self._booked(tenant, "booked", outcome)
        return self._taken_or_unavailable(tenant, outcome)

    async def cancel_appointment(self, tenant: Tenant, args: Mapping[str, str]) -> ToolAnswer:
        """Cancel a booking by its uid."""
        uid = _uid(args)
        try:
            outcome = await self.booker.cancel(tenant, uid, args.get("reason"))
        except UnknownBooking:
            return ToolAnswer(status="unknown_booking", spoken=TOOL_SENTENCES[tenant.language]["unknown_booking"])
        if isinstance(outcome, Unavailable):
            return _unavailable(outcome)
        return self._booked(tenant, "cancelled", outcome)

    async def reschedule_appointment(self, tenant: Tenant, args: Mapping[str, str]) -> ToolAnswer:
        """Move a booking to an offered (or wished) start."""
        uid = _uid(args)
        start = parse_start(args)
        try:
            outcome = await self.booker.reschedule(tenant, uid, MoveInput(start, reason=args.get("reason")))
        except UnknownBooking:
            return ToolAnswer(status="unknown_booking", spoken=TOOL_SENTENCES[tenant.language]["unknown_booking"])
        except InvalidField as exc:
            if exc.field == "uid":
                return ToolAnswer(status="unknown_booking", spoken=TOOL_SENTENCES[tenant.language]["unknown_booking"])
            service = resolve_service(tenant, args.get("service"))
            if isinstance(service, ServiceQuestion):
                service = Service(next(iter(tenant.event_types)), None)
            return await self._not_bookable(tenant, service, start, args)
        if isinstance(outcome, Booked):
            return self._booked(tenant, "rescheduled", outcome)
        return self._taken_or_unavailable(tenant, outcome)

    async def _not_bookable(
        self, tenant: Tenant, service: Service, start: datetime, args: Mapping[str, str]
    ) -> ToolAnswer:
        """The start cannot be booked (past, closed, off the grid): say so and offer what the search finds."""
        refusal = TOOL_SENTENCES[tenant.language]["not_bookable"]
        found = await self._search(tenant, service, start, args)
        if found.status not in ("alternatives", "none_free", "available"):
            return ToolAnswer(status="not_bookable", spoken=refusal)
        offers = [o for o in found.alternatives or [] if o.start != (found.start or "")]
        spoken = refusal
        if offers:
            sentence = "offer_one" if len(offers) == 1 else "offer_many"
            text = join_offers([o.label for o in offers], tenant.language)
            spoken = f"{refusal} {SENTENCES[tenant.language][sentence].format(offers=text)}"
        return ToolAnswer(status="not_bookable", spoken=spoken, available=False, alternatives=offers)

    def _booked(self, tenant: Tenant, status: str, booking: Booked) -> ToolAnswer:
        language = tenant.language
        said = label(booking.start, tenant.policy, self.clock(), language)
        return ToolAnswer.model_validate(
            {
                "status": status,
                "spoken": TOOL_SENTENCES[language][status].format(label=said),
                "booking_uid": booking.uid,
                "start": booking.start.isoformat(),
                "end": booking.end.isoformat(),
                "spoken_time": say_time(booking.start, language, tenant.voice.spoken_time),
                "rescheduled_from": booking.rescheduled_from,
            }
        )

    def _taken_or_unavailable(self, tenant: Tenant, outcome: SlotTaken | Unavailable) -> ToolAnswer:
        if isinstance(outcome, Unavailable):
            return _unavailable(outcome)
        lead = TOOL_SENTENCES[tenant.language]["slot_taken"]
        return ToolAnswer(
            status="slot_taken",
            spoken=f"{lead} {outcome.text}",
            available=False,
            alternatives=_offers(outcome.offers),
        )


def _uid(args: Mapping[str, str]) -> str:
    if "booking_uid" not in args:
        raise BadArgument("booking_uid", "missing")
    return args["booking_uid"]


def _offers(found: tuple[Found, ...]) -> list[Offer]:
    return [Offer(start=o.start.isoformat(), spoken_time=o.spoken_time, label=o.label) for o in found]


def _unavailable(answer: Unavailable) -> ToolAnswer:
    return ToolAnswer(status="unavailable", spoken=answer.text, retry_after_seconds=answer.retry_after_seconds)


def _contact_problem(field: str) -> BadArgument:
    """The question for the booking path's refusal of the attendee's contact (``attendee.phone`` etc.)."""
    if field == "attendee.phone":
        return BadArgument("phone", "invalid")
    if field == "attendee.email":
        return BadArgument("email", "invalid")
    if field == "attendee.name":
        return BadArgument("name", "invalid")
    return BadArgument("contact", "missing")


def _ask(language: Language, exc: BadArgument) -> ToolAnswer:
    """The question that gets a missing or unreadable argument."""
    words = TOOL_SENTENCES[language]
    key = f"{exc.reason}_{exc.argument}"
    spoken = words.get(key) or words["error"]
    if exc.argument == "date" and exc.reason == "invalid":
        return ToolAnswer(status="bad_date", spoken=spoken)
    status = "missing_argument" if exc.reason == "missing" else "bad_argument"
    return ToolAnswer(status=status, spoken=spoken, missing=exc.argument)


def _service_question(language: Language, question: ServiceQuestion) -> ToolAnswer:
    words = TOOL_SENTENCES[language]
    choices = list(question.choices)
    joined = join_offers(choices, language)
    if question.kind == "ambiguous":
        return ToolAnswer(
            status="ambiguous_service", spoken=words["ambiguous_service"].format(choices=joined), choices=choices
        )
    if question.kind == "missing":
        spoken = words["ask_service_choices"].format(choices=joined) if choices else words["ask_service"]
        return ToolAnswer(status="missing_argument", spoken=spoken, missing="service", choices=choices or None)
    spoken = words["unknown_service"].format(choices=joined) if choices else words["unknown_service_bare"]
    return ToolAnswer(status="unknown_service", spoken=spoken, choices=choices or None)
