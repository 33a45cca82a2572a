"""How long a finder result stays the result: until the clock reaches something the result depends on.

``find_alternatives(request, index, policy, now)`` and the sentence ``phrase`` makes of it depend on ``now`` only
through

* today's local date (the horizon, the booking limit, "heute" / "morgen" in the words),
* whether the wish is already past, or nearer than the minimum notice,
* which slots start at or after ``now + minimum_notice`` (the earliest bookable moment).

So a result may be reused for the same request and the same index until the earliest of: the next local
midnight, the moment the wish falls inside the minimum notice (or into the past), and the moment the next slot
at or after the earliest bookable moment falls inside the notice.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime

from altslot.finder.calendar import next_midnight
from altslot.finder.models import SearchRequest, SlotIndex
from altslot.types import Policy


def valid_until(request: SearchRequest, index: SlotIndex, policy: Policy, now: datetime) -> datetime | None:
    """The instant before which the result for ``now`` is the result at any later time (None: do not reuse it).

    A wish already in the past centres its search on ``now`` itself, so such a result is never reused.
    """
    now_utc = now.astimezone(UTC)
    desired = request.desired_start.astimezone(UTC)
    if desired <= now_utc:
        return None
    notice = policy.minimum_notice
    bounds = [next_midnight(now, policy)]
    # The wish turns "within the minimum notice" once the notice reaches it, and "in the past" at its start.
    bounds.append(desired - notice if desired >= now_utc + notice else desired)
    following = bisect.bisect_left(index.utc, now_utc + notice)
    if following < len(index.utc):
        bounds.append(index.utc[following] - notice)
    return min(bounds)
