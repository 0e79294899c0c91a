"""A session's segments: the seconds worked, and a session moved to new bounds keeps its pauses."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from plugin.billing.segments import reshape, worked_seconds

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@given(segments=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**5)), max_size=10),
       shift=st.integers(-10**5, 10**5), stretch=st.integers(-10**5, 10**5))
def test_reshaping_a_session_never_gives_a_negative_or_outside_duration(segments, shift,
                                                                         stretch):
    spans = sorted((T0 + timedelta(seconds=s), T0 + timedelta(seconds=s + d))
                   for s, d in segments)
    # Make them disjoint, as a timer's segments are.
    disjoint, end = [], T0
    for s, e in spans:
        s = max(s, end)
        e = max(e, s)
        disjoint.append((s, e))
        end = e
    old_start = disjoint[0][0] if disjoint else T0
    old_end = end
    start = old_start + timedelta(seconds=shift)
    new_end = max(start, old_end + timedelta(seconds=stretch))
    out = reshape(disjoint, old_start, old_end, start, new_end)
    worked = worked_seconds(out, new_end)
    assert 0 <= worked <= (new_end - start).total_seconds()
    assert all(start <= s <= e <= new_end for s, e in out)
