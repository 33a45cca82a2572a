"""The booking tests' salon: a simulator with one booking (30 September 14:00) and a runtime in front of it."""

from tests.support.direct import salon as salon
