"""Which calls are priced is written once (`billing.rateable`); the SQL behind the review lists
and the import's counts selects the same calls, on SQLite and PostgreSQL."""

import re
from datetime import UTC, datetime

from sqlalchemy import select

from plugin import billing
from plugin.db import session
from plugin.models import Call, Customer

from .conftest import master_row, run_import
from .test_interfaces import upload

# (direction, answered, billsec, callee, has a tariff): every way a call can fall on either side.
CASES = [
    ("outbound", True, 61, "+49891234567", False),
    ("outbound", True, 61, "+49891234567", True),
    ("outbound", True, 0, "+49891234567", False),
    ("outbound", False, 61, "+49891234567", False),
    ("inbound", True, 61, "+49891234567", False),
    ("outbound", True, 61, "202", False),  # between two extensions
    ("outbound", True, 61, "anonymous", False),
    ("outbound", True, 1, "+1", False),
    ("inbound", False, 0, "202", False),
]


def test_the_review_sql_selects_exactly_the_calls_the_core_calls_rateable(app, world):
    from plugin.services.calls import RATEABLE, UNRATED, review_counts_query

    with app.app_context():
        muller = session.get(Customer, world.muller)
        for n, (direction, answered, billsec, callee, priced) in enumerate(CASES):
            session.add(Call(unique_key=f"case-{n}", direction=direction, caller="201",
                             callee=callee, started_at=datetime(2026, 10, 2, 8, tzinfo=UTC),
                             billsec=billsec, answered=answered,
                             customer=muller if n % 2 else None,
                             tariff_id=world.landline if priced else None))
        session.commit()
        expected = {f"case-{n}" for n, (direction, answered, billsec, callee, _) in
                    enumerate(CASES) if billing.rateable(direction, answered, billsec, callee)}
        unrated = {f"case-{n}" for n, case in enumerate(CASES)
                   if f"case-{n}" in expected and not case[4]}
        assert set(session.scalars(select(Call.unique_key).where(RATEABLE))) == expected
        assert set(session.scalars(select(Call.unique_key).where(UNRATED))) == unrated
        rows, unmatched, unrated_count = session.execute(
            review_counts_query(Call.__table__)).one()
        assert (rows, unmatched, unrated_count) == (len(CASES), len(CASES) - len(CASES) // 2,
                                                    len(unrated))
        assert {c.unique_key for c in session.scalars(select(Call)) if c.rateable} == expected


def test_the_import_counts_as_unrated_what_the_core_calls_rateable_without_a_tariff(app,
                                                                                     world):
    text = (master_row(dst="0891234567", uniqueid="9.1")  # the modem: DE landline
            + master_row(dst="+12025550100", uniqueid="9.2")  # no tariff for +1
            + master_row(dst="+12025550100", billsec=0, uniqueid="9.3")  # not answered long
            + master_row(dst="202", uniqueid="9.4"))  # between two extensions
    result = run_import(app, text)
    with app.app_context():
        stored = session.scalars(select(Call)).all()
        assert len(stored) == 4
        assert result["unrated"] == sum(c.rateable and c.tariff_id is None for c in stored) == 1


def _cells(page: str) -> dict[str, list[str]]:
    """The calls table's rows by callee: each row's cells as text."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip()
                 for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) == 11:
            rows[cells[3]] = cells
    return rows


def test_the_calls_page_shows_no_missing_tariff_for_a_call_between_extensions(client, admin,
                                                                               world):
    text = master_row(dst="202", uniqueid="7.1") + master_row(dst="+12025550100",
                                                              uniqueid="7.2")
    assert upload(client, admin, "/api/v1/calls/imports", text,
                  format="asterisk").status_code == 201
    rows = _cells(client.get("/calls").get_data(as_text=True))
    assert rows["202"][8] == ""
    assert rows["+1 202-555-0100"][8] == "—"  # numbers are shown formatted
