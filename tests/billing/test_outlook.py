"""What new work would cost before the timer starts: the same rules as the invoice (R3–R4)."""

from datetime import date
from decimal import Decimal

from plugin.billing import Bucket, allocate, outlook

from .builders import (
    EXAMPLE_A_ENTRIES,
    MUELLER,
    OCTOBER,
    PRESS_LINE_3,
    REMOTE_SERVICE_BASIC,
    ROBOT_CELL_7,
)

INSTALLATIONS = (PRESS_LINE_3, ROBOT_CELL_7)


def so_far(sessions: int):
    """Worked example A's coverage after its first `sessions` sessions."""
    return allocate(EXAMPLE_A_ENTRIES[:sessions], INSTALLATIONS, [REMOTE_SERVICE_BASIC],
                    OCTOBER)


def test_new_work_in_example_a_is_covered_while_quota_is_left_then_overflows():
    covered = outlook(so_far(2), [REMOTE_SERVICE_BASIC], MUELLER, PRESS_LINE_3,
                      date(2026, 10, 10))
    assert (covered.bucket, covered.quota_left_minutes, covered.quota_minutes) == \
        (Bucket.QUOTA, 60, 120)
    used_up = outlook(so_far(3), [REMOTE_SERVICE_BASIC], MUELLER, None, date(2026, 10, 16))
    assert (used_up.bucket, used_up.quota_left_minutes, used_up.rate_per_unit,
            used_up.unit_seconds) == (Bucket.OVERFLOW, 0, Decimal("45.00"), 900)


def test_new_work_on_an_installation_under_warranty_is_free():
    seen = outlook(so_far(3), [REMOTE_SERVICE_BASIC], MUELLER, ROBOT_CELL_7, date(2026, 10, 28))
    assert (seen.bucket, seen.warranty_until) == (Bucket.WARRANTY, date(2027, 6, 30))


def test_new_work_without_a_contract_costs_a_quarter_of_the_hourly_rate_per_started_unit():
    seen = outlook(so_far(0), [REMOTE_SERVICE_BASIC], MUELLER, None, date(2027, 1, 4))
    assert (seen.bucket, seen.rate_per_unit) == (Bucket.NO_CONTRACT, Decimal("23.75"))
