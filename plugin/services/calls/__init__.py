"""Calls: import CDR files (streamed, in bulk), match them to customers, rate them, list them.

matching (direction, customer, tariff of a call), importing (a file, row by row), postgres and
sqlite (where the rows go on each engine), rerating (rate and match again), review (the lists
of calls that need a look). Functions flush; the caller commits.
"""

from plugin.cdr import MODES
from plugin.services.calls.importing import import_calls
from plugin.services.calls.matching import Matcher
from plugin.services.calls.rerating import (
    RatingResult,
    match_unmatched_calls,
    rate_unrated_calls,
    rerate_calls,
)
from plugin.services.calls.review import (
    RATEABLE,
    REVIEWS,
    UNMATCHED,
    UNRATED,
    import_errors,
    list_calls,
    list_imports,
    review_counts,
    review_counts_query,
)

__all__ = [
    "MODES", "RATEABLE", "REVIEWS", "UNMATCHED", "UNRATED", "Matcher", "RatingResult",
    "import_calls", "import_errors", "list_calls", "list_imports", "match_unmatched_calls",
    "rate_unrated_calls", "rerate_calls", "review_counts", "review_counts_query",
]
