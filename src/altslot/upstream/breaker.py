"""A circuit breaker per Cal.com API key: fail fast while Cal.com is down for that key.

Closed: calls pass; ``failure_threshold`` consecutive retryable failures open the circuit. Open: every
call raises ``CircuitOpen`` without touching Cal.com until ``cool_down_seconds`` passed. Half-open: one
probe call at a time goes through (the others fail fast); ``success_threshold`` consecutive probe
successes close the circuit, a failed probe opens it again.

What counts is read off the error tree (``altslot.calcom.errors``): a transport error, timeout or 5xx is a
failure. A ``FatalError`` (400 slot taken, 401, 404) proves Cal.com answered, so it counts as a success. A
``Refused`` (``CircuitOpen``, a rate-limit wait, the request deadline) and a 429 say nothing about Cal.com's
health and count as neither; the limiter handles 429s.

State lives in a ``BreakerStore``: ``MemoryBreakerStore`` here, ``RedisBreakerStore`` in
``breaker_redis`` so that all instances open and close together.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from altslot.calcom.errors import FatalError, Refused, ServerError, Timeout, TransportError
from altslot.events import BreakerTransition, Events
from altslot.types import Monotonic

T = TypeVar("T")
State = Literal["closed", "open", "half_open"]

PROBE_BUSY_RETRY_AFTER = 1.0
"""Retry-after reported while another call is the half-open probe: its outcome is due within a call."""


class CircuitOpen(Refused):
    """The breaker for this key is open (or probing); no call was made. Retry after ``retry_after`` s."""

    def __init__(self, retry_after: float, message: str = "circuit open: Cal.com is failing for this key") -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """Thresholds and timings of the breaker."""

    failure_threshold: int = 5
    success_threshold: int = 2
    cool_down_seconds: float = 30.0
    probe_lease_seconds: float = 30.0
    """How long a probe slot stays taken if its holder vanishes (a crashed instance must not wedge it)."""


@dataclass(frozen=True, slots=True)
class Admission:
    """The store's answer to "may this call go through?"."""

    allowed: bool
    probe: str | None = None
    """The probe token when this call is the half-open probe."""
    retry_after: float = 0.0
    fallback: bool = False
    """True when a Redis store answered from its local fallback; outcomes then go there too."""
    probing: bool = False
    """True when refused because another call is the half-open probe."""

    @property
    def state(self) -> State:
        """The circuit state this admission obeys (what the instance's gauge must show)."""
        if self.allowed:
            return "half_open" if self.probe else "closed"
        return "half_open" if self.probing else "open"


class BreakerStore(Protocol):
    """Where circuit state lives; every method is atomic per key."""

    async def admit(self, key: str) -> Admission:
        """Decide whether a call may go through now."""
        ...

    async def failure(self, key: str, admission: Admission) -> bool:
        """Record a counted failure; True when it opened the circuit."""
        ...

    async def success(self, key: str, admission: Admission) -> bool:
        """Record a success; True when it closed the circuit."""
        ...

    async def release(self, key: str, admission: Admission) -> None:
        """Give back a probe slot after an outcome that counts neither way."""
        ...

    async def state(self, key: str) -> State:
        """The circuit's current state (for metrics and tests)."""
        ...


@dataclass(slots=True)
class _Circuit:
    failures: int = 0
    successes: int = 0
    tripped: bool = False
    open_until: float = 0.0
    probe: str | None = None
    probe_until: float = 0.0


class MemoryBreakerStore:
    """Circuit state in this process, timed by an injected monotonic clock."""

    def __init__(self, policy: BreakerPolicy, clock: Monotonic = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._circuits: dict[str, _Circuit] = {}

    async def admit(self, key: str) -> Admission:
        """Closed passes; open rejects; half-open hands out one probe slot at a time."""
        circuit = self._circuits.get(key)
        if circuit is None or not circuit.tripped:
            return Admission(True)
        now = self._clock()
        if now < circuit.open_until:
            return Admission(False, retry_after=circuit.open_until - now)
        if circuit.probe is not None and now < circuit.probe_until:
            return Admission(False, retry_after=PROBE_BUSY_RETRY_AFTER, probing=True)
        circuit.probe = uuid.uuid4().hex
        circuit.probe_until = now + self.policy.probe_lease_seconds
        return Admission(True, probe=circuit.probe)

    async def failure(self, key: str, admission: Admission) -> bool:
        """Count a failure while closed; a failed probe re-opens; stale calls while tripped are ignored."""
        circuit = self._circuits.setdefault(key, _Circuit())
        if circuit.tripped:
            if admission.probe is None or admission.probe != circuit.probe:
                return False
        else:
            circuit.failures += 1
            if circuit.failures < self.policy.failure_threshold:
                return False
        circuit.tripped = True
        circuit.failures = circuit.successes = 0
        circuit.probe = None
        circuit.open_until = self._clock() + self.policy.cool_down_seconds
        return True

    async def success(self, key: str, admission: Admission) -> bool:
        """Reset the failure count; a successful probe counts towards closing."""
        circuit = self._circuits.get(key)
        if circuit is None:
            return False
        if not circuit.tripped:
            # Forget healthy keys entirely so the map only holds keys with recent failures.
            del self._circuits[key]
            return False
        if admission.probe is None or admission.probe != circuit.probe:
            return False
        circuit.probe = None
        circuit.successes += 1
        if circuit.successes < self.policy.success_threshold:
            return False
        del self._circuits[key]
        return True

    async def release(self, key: str, admission: Admission) -> None:
        """Free the probe slot if this call held it."""
        circuit = self._circuits.get(key)
        if circuit is not None and admission.probe is not None and circuit.probe == admission.probe:
            circuit.probe = None

    async def state(self, key: str) -> State:
        """Closed, open (cooling down) or half-open."""
        circuit = self._circuits.get(key)
        if circuit is None or not circuit.tripped:
            return "closed"
        return "open" if self._clock() < circuit.open_until else "half_open"


def counts_as_failure(exc: BaseException) -> bool:
    """True for Cal.com health failures (transport, timeout, 5xx), not for our own refusals or 429s."""
    return isinstance(exc, TransportError | Timeout | ServerError)


class Breaker:
    """Runs calls through the circuit of their key and emits ``BreakerTransition`` on every change."""

    def __init__(self, store: BreakerStore, *, events: Events | None = None) -> None:
        self._store = store
        self._events = events
        # The state last reported per circuit and tenant: a shared store may change state on another
        # instance, and this one must report what it obeys, not only the transitions it caused.
        self._seen: dict[tuple[str, str], State] = {}

    @classmethod
    def in_memory(
        cls,
        policy: BreakerPolicy | None = None,
        *,
        events: Events | None = None,
        clock: Monotonic = time.monotonic,
    ) -> Breaker:
        """A breaker whose state lives in this process only."""
        return cls(MemoryBreakerStore(policy or BreakerPolicy(), clock), events=events)

    async def state(self, key: str) -> State:
        """The circuit's current state for ``key``."""
        return await self._store.state(key)

    async def call(
        self, key: str, tenant: str, fn: Callable[[], Awaitable[T]], timed_out: Callable[[], bool] = lambda: False
    ) -> T:
        """Run ``fn`` if the circuit of ``key`` allows it, else raise ``CircuitOpen`` without calling it.

        ``timed_out`` tells, when ``fn`` is cancelled, whether one of its attempts had already hit the
        per-call timeout: then Cal.com hung, and the cancellation counts as that failure.
        """
        admission = await self._store.admit(key)
        self._saw(key, tenant, admission.state, caused=admission.probe is not None)
        if not admission.allowed:
            raise CircuitOpen(admission.retry_after)
        try:
            result = await fn()
        except BaseException as exc:
            hung = isinstance(exc, asyncio.CancelledError) and timed_out()
            if counts_as_failure(exc) or hung:
                if await self._store.failure(key, admission):
                    self._saw(key, tenant, "open", caused=True)
            elif isinstance(exc, FatalError):
                await self._succeeded(key, tenant, admission)
            else:
                await self._store.release(key, admission)
            raise
        await self._succeeded(key, tenant, admission)
        return result

    async def _succeeded(self, key: str, tenant: str, admission: Admission) -> None:
        if await self._store.success(key, admission):
            self._saw(key, tenant, "closed", caused=True)

    def _saw(self, key: str, tenant: str, state: State, *, caused: bool) -> None:
        """Emit a transition when the state this instance obeys differs from the one it last reported."""
        if self._seen.get((key, tenant), "closed") == state:
            return
        self._seen[(key, tenant)] = state
        if self._events is not None:
            self._events.emit(BreakerTransition(tenant=tenant, state=state, caused=caused))
