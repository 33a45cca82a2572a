"""The header budget: a slow start, then a local count-down that never trusts itself over Cal.com."""

from __future__ import annotations

from altslot.calcom.wire import RateLimitInfo
from altslot.upstream.budget import PROBE_TIMEOUT, HeaderBudget
from tests.support.clocks import FakeClock


def test_first_contact_sends_one_probe_at_a_time(clock: FakeClock) -> None:
    """Before any answer only one call goes out; the others wait for what it learns."""
    budget = HeaderBudget(clock)
    assert budget.take("k") == 0
    assert budget.take("k") > 0
    budget.learn("k", RateLimitInfo(limit=20, remaining=19, reset_seconds=60))
    assert budget.take("k") == 0


def test_counts_down_and_waits_for_the_reset(clock: FakeClock) -> None:
    """With 2 left, two calls go and the third waits until Cal.com's reset."""
    budget = HeaderBudget(clock)
    budget.take("k")
    budget.learn("k", RateLimitInfo(limit=20, remaining=2, reset_seconds=30))
    assert budget.take("k") == 0
    assert budget.take("k") == 0
    assert budget.take("k") == 30
    clock.advance(30)
    assert budget.take("k") == 0, "a new window brings the whole limit back"


def test_cal_com_lower_figure_wins(clock: FakeClock) -> None:
    """Another client used the key meanwhile: Cal.com's smaller remaining replaces the local count."""
    budget = HeaderBudget(clock)
    budget.take("k")
    budget.learn("k", RateLimitInfo(limit=120, remaining=100, reset_seconds=60))
    budget.learn("k", RateLimitInfo(limit=120, remaining=0, reset_seconds=50))
    assert budget.take("k") > 0


def test_no_headers_switch_the_budget_off(clock: FakeClock) -> None:
    """A Cal.com without rate-limit headers is never slowed down by the budget."""
    budget = HeaderBudget(clock)
    budget.take("k")
    budget.learn("k", None)
    assert all(budget.take("k") == 0 for _ in range(50))


def test_refund_and_settle_free_the_probe(clock: FakeClock) -> None:
    """A probe that did not go out, or ended without an answer, lets the next call probe."""
    budget = HeaderBudget(clock)
    budget.take("k")
    budget.refund("k")
    assert budget.take("k") == 0
    budget.settle("k")
    assert budget.take("k") == 0
    assert budget.take("k") > 0
    clock.advance(PROBE_TIMEOUT)
    assert budget.take("k") == 0, "a lost probe stops blocking after its timeout"
