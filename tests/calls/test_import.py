"""Importing calls: nothing lost, nothing twice; matching, rating, review lists, timezone."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from plugin.billing import Period
from plugin.config import settings
from plugin.db import session
from plugin.models import Call, CallImport, Invoice, Tariff

from .conftest import master_row, run_import

EXAMPLE_A = (master_row(start="2026-10-02 08:59:00", billsec=1830, uniqueid="1.1")
             + master_row(start="2026-10-20 16:04:00", billsec=61, uniqueid="1.2"))


def rated_calls_for(customer_id, period):
    """The rated calls the customer's bill for the period prices (its telephony costs)."""
    from plugin.services.statement import statement

    return list(statement(customer_id, period, settings()).rated_calls)


def calls(app):
    with app.app_context():
        return session.scalars(select(Call).order_by(Call.started_at)).all()


def test_worked_example_a_calls_are_matched_to_the_modem_and_cost_0_66(app, world):
    result = run_import(app, EXAMPLE_A)
    assert result | {"id": None} == {
        "status": "done", "read": 2, "imported": 2, "duplicates": 0, "unmatched": 0,
        "unrated": 0, "rejected": 0, "errors": [], "id": None}
    with app.app_context():
        rated = rated_calls_for(world.muller, Period(2026, 10))
        assert [(c.billsec, c.rated_seconds, c.cost, c.number, c.tariff_name) for c in rated] \
            == [(1830, 1860, Decimal("0.62"), "+49891234567", "DE landline"),
                (61, 120, Decimal("0.04"), "+49891234567", "DE landline")]
        assert sum(c.cost for c in rated) == Decimal("0.66")
        assert rated_calls_for(world.muller, Period(2026, 11)) == []
        call = session.scalar(select(Call).where(Call.billsec == 1830))
        assert (call.direction, call.customer_id, call.installation_id, call.tariff_id,
                call.rated_seconds) == ("outbound", world.muller, world.press, world.landline,
                                        1860)


def test_importing_the_same_file_again_imports_nothing_twice(app, world):
    first = run_import(app, EXAMPLE_A)
    again = run_import(app, EXAMPLE_A)
    assert (first["imported"], again["imported"], again["duplicates"]) == (2, 0, 2)
    assert len(calls(app)) == 2


def test_overlapping_files_import_each_call_once(app, world):
    rows = [master_row(start=f"2026-10-0{day} 10:00:00", billsec=60 * day) for day in range(1, 8)]
    first = run_import(app, "".join(rows[:5]))  # days 1–5, no uniqueid: natural key
    second = run_import(app, "".join(rows[3:]))  # days 4–7
    assert (first["imported"], second["imported"], second["duplicates"]) == (5, 2, 2)
    assert len(calls(app)) == 7


def test_a_call_repeated_within_one_file_is_imported_once(app, world):
    result = run_import(app, master_row(uniqueid="9.9") * 3)
    assert (result["read"], result["imported"], result["duplicates"]) == (3, 1, 2)


BAD_FILE = (master_row(uniqueid="2.1") + master_row(start="31.10.2026 08:00", uniqueid="2.2")
            + master_row(uniqueid="2.3", start="2026-10-03 08:00:00") + '"too","short"\n')


def test_by_default_a_malformed_row_rejects_the_whole_file_and_says_where(app, world):
    result = run_import(app, BAD_FILE)
    assert result["status"] == "rejected"
    assert (result["read"], result["imported"], result["rejected"]) == (4, 0, 2)
    assert result["errors"] == [
        (2, "start: '31.10.2026 08:00' is not a date and time (YYYY-MM-DD HH:MM:SS)"),
        (4, "2 columns, expected 16, 18, 19 or 21 columns (Asterisk Master.csv)")]
    assert calls(app) == []
    with app.app_context():  # the import record, saying why, is all that is stored
        assert session.get(CallImport, result["id"]).status == "rejected"


def test_quarantine_imports_the_good_rows_and_sets_exactly_the_bad_ones_aside(app, world):
    result = run_import(app, BAD_FILE, mode="quarantine")
    assert (result["status"], result["imported"], result["rejected"]) == ("done", 2, 2)
    assert [line for line, _ in result["errors"]] == [2, 4]
    assert len(calls(app)) == 2
    # The corrected rows can be imported later; the good ones are not imported twice.
    fixed = run_import(app, BAD_FILE.replace("31.10.2026 08:00", "2026-10-31 08:00:00")
                       .replace('"too","short"\n', ""))
    assert (fixed["imported"], fixed["duplicates"]) == (1, 2)


@pytest.mark.parametrize("dialled", ["0049891234567", "+49891234567", "0891234567",
                                     "+49 89 1234567", "089/1234567"])
def test_every_way_of_writing_the_modem_number_matches_the_installation(app, world, dialled):
    run_import(app, master_row(dst=dialled))
    [call] = calls(app)
    assert (call.callee, call.customer_id, call.installation_id) == \
        ("+49891234567", world.muller, world.press)


def test_inbound_calls_from_or_to_a_registered_number_are_the_customers_handled_calls(
        app, world):
    result = run_import(app, master_row(src="08161123456", dst="300", context="from-trunk",
                                        start="2026-10-05 09:00:00")
                        + master_row(src="+4930999999", dst="0891110000", context="ext-did",
                                     start="2026-10-05 10:00:00"))
    assert result["unmatched"] == 0 and result["unrated"] == 0
    first, second = calls(app)
    assert (first.direction, first.caller, first.customer_id, first.installation_id,
            first.cost) == ("inbound", "+498161123456", world.huber, None, None)
    assert (second.direction, second.callee, second.customer_id) == \
        ("inbound", "+49891110000", world.huber)
    with app.app_context():  # handled calls are not telephony costs
        assert rated_calls_for(world.huber, Period(2026, 10)) == []


@pytest.mark.parametrize(("row", "direction"), [
    # the callee is a modem number → outbound, whatever the context says
    (master_row(src="0891110000", dst="0891234567", context="from-trunk"), "outbound"),
    # the caller is a registered number → inbound
    (master_row(src="08161123456", dst="0301234567", context="from-internal"), "inbound"),
    # no number of ours: the dialplan context decides
    (master_row(src="0301111111", dst="0302222222", context="from-pstn"), "inbound"),
    # no context hint: an extension dialling a number is outbound…
    (master_row(src="201", dst="0302222222", context="default"), "outbound"),
    # …a number calling an extension is inbound
    (master_row(src="0302222222", dst="201", context="default"), "inbound"),
])
def test_the_direction_is_decided_from_the_data(app, world, row, direction):
    run_import(app, row)
    assert calls(app)[0].direction == direction


def test_unmatched_and_unrated_calls_are_kept_and_listed_for_review(app, world):
    result = run_import(app, master_row(dst="00431234567")  # Vienna: no tariff, no customer
                        + master_row(dst="0301234567", start="2026-10-03 10:00:00")  # no customer
                        + master_row(dst="0891234567", start="2026-10-04 10:00:00",
                                     disposition="NO ANSWER", billsec=0))  # not rated
    assert (result["imported"], result["unmatched"], result["unrated"]) == (3, 2, 1)
    with app.app_context():
        from plugin.services.calls import list_calls, review_counts

        unmatched, total = list_calls("unmatched", settings=settings())
        assert total == 2 and {c.callee for c in unmatched} == {"+431234567", "+49301234567"}
        unrated, total = list_calls("unrated", settings=settings())
        assert total == 1 and unrated[0].callee == "+431234567"
        assert review_counts() == {"unmatched": 2, "unrated": 1}
        no_answer = session.scalar(select(Call).where(Call.disposition == "NO ANSWER"))
        assert (no_answer.answered, no_answer.cost, no_answer.customer_id) == \
            (False, None, world.muller)


def test_a_call_between_two_extensions_is_kept_but_never_unrated(app, world):
    result = run_import(app, master_row(src="201", dst="202", context="from-internal"))
    assert (result["imported"], result["unmatched"], result["unrated"]) == (1, 1, 0)
    with app.app_context():
        from plugin.services.calls import list_calls, review_counts

        [internal] = calls(app)
        assert (internal.caller, internal.callee, internal.cost) == ("201", "202", None)
        assert list_calls("unrated", settings=settings())[1] == 0
        assert review_counts()["unrated"] == 0


def test_adding_a_tariff_and_rating_again_rates_the_unrated_calls(app, world, make_tariff):
    from plugin.services.calls import rate_unrated_calls, rerate_calls

    run_import(app, master_row(dst="00431234567", billsec=61))
    make_tariff(name="AT", prefix="+43", price_per_minute=Decimal("0.10"), first_increment=30,
                next_increment=6)
    with app.app_context():
        assert rate_unrated_calls(settings()).rated == 1
        session.commit()
        call = session.scalar(select(Call))
        assert (call.rated_seconds, call.cost) == (66, Decimal("0.11"))  # 66 s x 0.10/min
    # A new price list from November leaves October's calls alone…
    make_tariff(name="AT 2", prefix="+43", valid_from=date(2026, 11, 1),
                price_per_minute=Decimal("0.50"))
    with app.app_context():
        rerate_calls(settings(), Period(2026, 10))
        assert session.scalar(select(Call.cost)) == Decimal("0.11")
        # …and a changed October price applies when the month is rated again.
        session.scalar(select(Tariff).where(Tariff.name == "AT")).price_per_minute = \
            Decimal("0.20")
        session.commit()
        assert rerate_calls(settings(), Period(2026, 10)).rated == 1
        session.commit()
        assert session.scalar(select(Call.cost)) == Decimal("0.22")


def test_rating_again_keeps_the_costs_of_a_month_with_a_finalized_invoice(app, world):
    run_import(app, EXAMPLE_A)
    with app.app_context():
        from plugin.services.calls import rerate_calls

        session.add(Invoice(customer_id=world.muller, period="2026-10", status="finalized",
                            number="QH-2026-00001"))
        session.scalar(select(Tariff)).price_per_minute = Decimal("0.05")
        session.commit()
        result = rerate_calls(settings(), Period(2026, 10))
        session.commit()
        assert (result.rated, result.skipped_closed) == (0, 2)
        assert sorted(session.scalars(select(Call.cost))) == [Decimal("0.04"), Decimal("0.62")]


def test_a_modem_number_added_later_is_matched_by_matching_again(app, world,
                                                                  make_installation):
    from plugin.services.calls import match_unmatched_calls

    run_import(app, master_row(dst="0301234567"))
    make_installation(world.huber, "Oven", connection="modem", modem_number="+49301234567")
    with app.app_context():
        assert match_unmatched_calls(settings()) == 1
        session.commit()
        assert session.scalar(select(Call.customer_id)) == world.huber


def test_the_cdr_timezone_setting_decides_how_timestamps_are_read(app, world):
    import dataclasses
    from zoneinfo import ZoneInfo

    run_import(app, master_row(start="2026-10-02 08:59:00", uniqueid="t.1"))
    state = app.extensions["quarterhour"]  # as if started with QUARTERHOUR_CDR_TIMEZONE=UTC
    state.settings = dataclasses.replace(state.settings, cdr_timezone=ZoneInfo("UTC"))
    result = run_import(app, master_row(start="2026-10-02 08:59:00", uniqueid="t.2"))
    assert [c.started_at for c in calls(app)] == [
        datetime(2026, 10, 2, 6, 59, tzinfo=UTC),  # default: the operator's Europe/Berlin
        datetime(2026, 10, 2, 8, 59, tzinfo=UTC)]
    with app.app_context():
        assert session.get(CallImport, result["id"]).timezone == "UTC"
    # A malformed QUARTERHOUR_CDR_TIMEZONE stops start-up: tests/test_config.py.


def test_a_call_at_local_new_year_is_rated_with_the_new_years_tariff(app, world, make_tariff):
    make_tariff(name="DE 2027", valid_from=date(2027, 1, 1), price_per_minute=Decimal("0.03"))
    # 00:30 in Berlin on Jan 1 is still Dec 31 in UTC: the operator's local date decides.
    run_import(app, master_row(start="2027-01-01 00:30:00", billsec=60))
    assert calls(app)[0].cost == Decimal("0.03")


def test_a_file_that_is_not_utf8_is_rejected_with_a_reason(app, world):
    import io

    from plugin.services.calls import import_calls

    raw = io.BytesIO(master_row().encode() + b'"\xff\xfe",broken\n')
    with app.app_context():
        record = import_calls(io.TextIOWrapper(raw, encoding="utf-8", newline=""),
                              "asterisk", settings=settings(), filename="latin1.csv")
        assert record.status == "rejected" and "not UTF-8" in record.errors


@pytest.mark.parametrize(("options", "field"), [
    ({"mode": "maybe"}, "mode"), ({"mapping": "start=Date"}, "mapping")])
def test_bad_options_name_the_field(app, world, options, field):
    from plugin.services.errors import FieldError

    with pytest.raises(FieldError) as e:
        run_import(app, master_row(), **options)
    assert e.value.field == field
    with pytest.raises(FieldError) as e:
        run_import(app, master_row(), fmt="cisco")
    assert e.value.field == "format"


# --- big files: on PostgreSQL the rows go in chunks, each its own COPY and savepoint -----------


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 2 rows, so a few rows cross chunk boundaries as millions do."""
    from plugin.services.calls import postgres as service

    monkeypatch.setattr(service, "CHUNK_ROWS", 2)


def day_rows(days, **fields):
    return [master_row(**{"start": f"2026-10-{day:02d} 10:00:00", "billsec": 60 * day} | fields)
            for day in days]


def test_chunks_of_a_file_imported_again_or_overlapping_import_each_call_once(
        app, world, small_chunks):
    first = run_import(app, "".join(day_rows(range(1, 8))))
    again = run_import(app, "".join(day_rows(range(1, 8))))
    # Overlapping: days 6 and 7 are in, 8 to 10 new, mixed within the chunks.
    overlapping = run_import(app, "".join(day_rows([8, 6, 9, 7, 10])))
    assert (first["imported"], first["duplicates"]) == (7, 0)
    assert (again["imported"], again["duplicates"]) == (0, 7)
    assert (overlapping["imported"], overlapping["duplicates"]) == (3, 2)
    assert len(calls(app)) == 10


def test_a_call_repeated_across_chunks_is_imported_once(app, world, small_chunks):
    rows = day_rows([1, 2, 3])
    result = run_import(app, rows[0] + rows[0] + rows[1] + rows[0] + rows[2] + rows[1])
    assert (result["read"], result["imported"], result["duplicates"]) == (6, 3, 3)
    assert sorted(c.billsec for c in calls(app)) == [60, 120, 180]


def test_a_bad_row_after_several_stored_chunks_still_rejects_the_whole_file(
        app, world, small_chunks):
    good = "".join(day_rows(range(1, 8)))
    result = run_import(app, good + '"too","short"\n' + "".join(day_rows([9])))
    assert (result["status"], result["read"], result["imported"], result["rejected"]) == \
        ("rejected", 9, 0, 1)
    assert calls(app) == []
    # Nothing was kept back by the rejected file: all of it imports afterwards.
    assert run_import(app, good)["imported"] == 7


def test_chunked_summary_counts_unmatched_and_unrated_as_the_review_lists_do(
        app, world, small_chunks):
    from plugin.services.calls import list_calls

    rows = (day_rows([1, 2]) + day_rows([3], dst="0301234567")  # matched, rated
            + day_rows([4, 5], dst="0043123456789")  # no customer, no tariff (+43)
            + day_rows([6], dst="0043123456789", billsec=0)  # not rateable
            + day_rows([7], src="+498161123456", dst="201", context="from-trunk"))  # inbound
    result = run_import(app, "".join(rows), mode="quarantine")
    again = run_import(app, "".join(rows[:3] + day_rows([8], dst="0043123456789")))
    with app.app_context():
        for summary_, import_id in ((result, result["id"]), (again, again["id"])):
            for review in ("unmatched", "unrated"):
                listed = list_calls(review, settings=settings(), import_id=import_id)[1]
                assert summary_[review] == listed
    assert (result["imported"], result["unmatched"], result["unrated"]) == (7, 4, 2)
    assert (again["imported"], again["duplicates"], again["unmatched"], again["unrated"]) == \
        (1, 3, 1, 1)


@pytest.mark.postgres_only
def test_a_big_import_opens_no_more_subtransactions_than_postgresql_keeps_in_memory(
        app, world, small_chunks, monkeypatch):
    """Past SUBTRANSACTIONS chunks go through the staging table without a savepoint (more than
    64 in one transaction slow down every other session); the result is the same."""
    from plugin.services.calls import postgres

    monkeypatch.setattr(postgres, "SUBTRANSACTIONS", 3)
    opened = []
    real_store = postgres.PostgresStore._store

    def store(self, rows):
        stored = real_store(self, rows)
        opened.append(self.subtransactions)
        return stored

    monkeypatch.setattr(postgres.PostgresStore, "_store", store)
    first = run_import(app, "".join(day_rows(range(1, 11))))  # 5 chunks of 2
    again = run_import(app, "".join(day_rows(range(5, 15))))  # days 5-10 known, 11-14 new
    assert (first["imported"], first["duplicates"]) == (10, 0)
    assert (again["imported"], again["duplicates"]) == (4, 6)
    assert max(opened) <= 3 and len(calls(app)) == 14
