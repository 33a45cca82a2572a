"""Retries of one upstream call with exponential backoff and jitter, bounded by the deadline.

Built on ``stamina.retry_context``. Its ``on`` hook decides per exception: ``False`` re-raises at once,
``True`` uses stamina's exponential backoff with jitter, and a float is a custom backoff, which is how a
429 waits exactly the reset seconds Cal.com reported. The hook also refuses any retry whose wait plus a
useful attempt (``min_attempt_seconds``) no longer fits into the deadline, so a retry never turns a
fast failure into a blown deadline. Tests can switch backoffs off with ``stamina.set_testing``.

Only a ``RetryableError`` is retried, read off the error tree (``altslot.calcom.errors``). Never retried: a
``FatalError`` (the same call fails again) and a ``Refused`` (``CircuitOpen``, ``RateLimitWaitExceeded``,
``DeadlineExceeded``: altslot's own refusals, which another attempt within this deadline cannot lift).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import stamina

from altslot.calcom.errors import RateLimited, RetryableError
from altslot.upstream.deadline import Deadline

T = TypeVar("T")

_BACKOFF_BASE = 2.0


def is_retryable(exc: BaseException) -> bool:
    """True for upstream failures worth another attempt (transport, timeout, 5xx, 429)."""
    return isinstance(exc, RetryableError)


class RetryPolicy:
    """How often and how patiently one upstream call is retried."""

    def __init__(
        self,
        *,
        max_attempts: int = 3,
        backoff_initial: float = 0.1,
        backoff_max: float = 2.0,
        backoff_jitter: float | None = None,
        min_attempt_seconds: float = 0.2,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        # Jitter of up to one initial backoff spreads instances apart without dwarfing short backoffs.
        self.backoff_jitter = backoff_initial if backoff_jitter is None else backoff_jitter
        self.min_attempt_seconds = min_attempt_seconds

    def longest_backoff(self, attempt: int) -> float:
        """The longest wait stamina may choose after failed attempt number ``attempt`` (1-based)."""
        exponential = self.backoff_initial * _BACKOFF_BASE ** (attempt - 1) + self.backoff_jitter
        return min(self.backoff_max, exponential)

    async def run(self, attempt: Callable[[], Awaitable[T]], deadline: Deadline) -> T:
        """Await ``attempt()`` until it succeeds, fails for good, or attempts or deadline run out."""
        number = 0

        def on(exc: Exception) -> bool | float:
            if not is_retryable(exc):
                return False
            if isinstance(exc, RateLimited):
                wait = max(0.0, exc.reset_seconds)
                if wait + self.min_attempt_seconds > deadline.remaining():
                    return False
                # A float is stamina's custom backoff: wait exactly until Cal.com's reset.
                return wait
            # True: stamina picks the jittered exponential backoff, at most longest_backoff().
            return self.longest_backoff(number) + self.min_attempt_seconds <= deadline.remaining()

        async for try_ in stamina.retry_context(
            on=on,
            attempts=self.max_attempts,
            # The deadline bounds the total time; stamina's own timeout would only duplicate it.
            timeout=None,
            wait_initial=self.backoff_initial,
            wait_max=self.backoff_max,
            wait_jitter=self.backoff_jitter,
            wait_exp_base=_BACKOFF_BASE,
        ):
            with try_:
                number = try_.num
                return await attempt()
        raise AssertionError("unreachable: stamina re-raises the last error")
