"""What a phone call can be: bounds of every field, hostile files, closed periods (issues 11, 12).

A value no call can have is a malformed row naming its line; a file that cannot be read at all
is a rejected import with a record saying why, never a traceback or a 500.
"""

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from plugin.cdr import FORMATS, FormatError, Record, RowError
from plugin.config import settings
from plugin.db import session
from plugin.models import Call, CallImport, Invoice

from .conftest import NOW, master_row, run_import
from .test_parsers import BERLIN, FS_EXAMPLE, asterisk_row


def parse(fmt, text, mapping=None):
    return list(FORMATS[fmt](io.StringIO(text, newline=""), BERLIN, mapping, now=NOW))


def freeswitch_row(start="2026-10-02 08:59:00", duration="1835", billsec="1830"):
    return (FS_EXAMPLE.replace('"2026-10-02 08:59:00"', f'"{start}"', 1)
            .replace('"1835","1830"', f'"{duration}","{billsec}"'))


def generic_file(start="2026-10-02 08:59:00", duration="1835", billsec="1830"):
    return f"start,caller,callee,duration,billsec\n{start},201,0891234567,{duration},{billsec}\n"


ROW = {"asterisk": lambda **f: asterisk_row(**f), "freeswitch": freeswitch_row,
       "csv": generic_file}
LINE = {"asterisk": 1, "freeswitch": 1, "csv": 2}


@pytest.mark.parametrize("fmt", list(ROW))
@pytest.mark.parametrize(("fields", "reason"), [
    # 32-bit wrap-arounds that PostgreSQL's binary COPY stored as 100 s or negative
    ({"billsec": "4294967396", "duration": "60"},
     "billsec: 4294967396 s is longer than a day (86400 s); not a call"),
    ({"billsec": "2147483648", "duration": "60"}, "billsec: 2147483648 s is longer"),
    ({"billsec": "999999999999", "duration": "60"}, "billsec: 999999999999 s"),
    ({"billsec": "86401", "duration": "60"}, "billsec: 86401 s is longer than a day"),
    ({"billsec": "60", "duration": "90000"}, "duration: 90000 s is longer than a day"),
    ({"billsec": "61", "duration": "60"}, "billsec: 61 s is longer than the call's duration"),
    ({"billsec": "-1", "duration": "60"}, "billsec: -1 is negative"),
    ({"start": "0001-01-01 00:00:00"}, "start"),
    ({"start": "1999-12-31 23:59:59"}, "is before 2000; not a call's start"),
    ({"start": "1970-01-01 01:00:00"}, "is before 2000"),
    ({"start": "9999-12-31 23:59:59"}, "is in the future"),
    ({"start": "2027-06-01 04:00:00"}, "is in the future"),  # NOW is 02:00 Berlin time
    ({"start": "99999999999999999999"}, "is not a date and time"),
    ({"start": "946684799"}, "is before 2000"),  # epoch seconds: 1999-12-31 23:59:59 UTC
])
def test_a_value_no_phone_call_can_have_is_a_malformed_row_naming_its_line(fmt, fields,
                                                                          reason):
    [item] = parse(fmt, ROW[fmt](**fields))
    assert isinstance(item, RowError), item
    assert item.line == LINE[fmt]
    assert item.reason.split(":")[0] in {"start", "start_stamp", "billsec", "duration"}
    assert reason in item.reason


@pytest.mark.parametrize("fmt", list(ROW))
def test_the_largest_values_a_call_can_have_pass(fmt):
    [item] = parse(fmt, ROW[fmt](start="2027-06-01 02:04:00", billsec="86400",
                                 duration="86400"))
    assert isinstance(item, Record), item
    assert (item.billsec, item.start) == (86400, datetime(2027, 6, 1, 0, 4, tzinfo=UTC))
    [early] = parse(fmt, ROW[fmt](start="2000-01-01 01:00:00"))
    assert early.start == datetime(2000, 1, 1, tzinfo=UTC)


def test_dst_changes_read_the_same_through_the_fast_path():
    """Hours next to a DST change are read exactly; the memo of each hour's offset never
    carries an offset into the changed hour."""
    text = "".join(asterisk_row(start=s) for s in (
        "2026-03-29 01:59:59", "2026-03-29 02:30:00", "2026-03-29 03:00:00",
        "2026-10-25 01:59:59", "2026-10-25 02:30:00", "2026-10-25 02:30:00",
        "2026-10-25 03:00:00", "2026-10-25 03:00:01"))
    assert [r.start.strftime("%H:%M:%S") for r in parse("asterisk", text)] == [
        "00:59:59", "01:30:00", "01:00:00",  # the skipped hour is shifted forward by the gap
        "23:59:59", "00:30:00", "00:30:00", "02:00:00", "02:00:01"]


@pytest.mark.parametrize("fmt", list(ROW))
@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_no_field_of_any_format_makes_a_parser_raise(fmt, junk):
    """Whatever a field holds, a row is a Record or a RowError (or the file a FormatError)."""
    for field in ("start", "billsec", "duration"):
        try:
            items = parse(fmt, ROW[fmt](**{field: junk.replace('"', "").replace("\n", " ")}))
        except FormatError:
            continue
        assert all(isinstance(i, Record | RowError) for i in items)


def test_a_field_over_the_csv_limit_is_a_malformed_row_and_reading_goes_on():
    text = asterisk_row() + asterisk_row(src="x" * 200_000) + asterisk_row(start="bad")
    items = parse("asterisk", text)
    assert [type(i).__name__ for i in items] == ["Record", "RowError", "RowError"]
    assert (items[1].line, items[2].line) == (2, 3)
    assert items[1].reason == "not readable as CSV (field larger than field limit (131072))"


# --- through the import, on both engines -------------------------------------------------------


def test_a_wrapping_billsec_is_rejected_never_stored_as_100_seconds(app, world):
    big = "start,caller,callee,billsec\n2026-10-02 08:59:00,201,0891234567,4294967396\n" \
          "2026-10-02 09:59:00,201,0891234567,60\n"
    rejected = run_import(app, big, fmt="csv")
    assert rejected["status"] == "rejected" and rejected["errors"] == [
        (2, "billsec: 4294967396 s is longer than a day (86400 s); not a call")]
    quarantined = run_import(app, big, fmt="csv", mode="quarantine")
    assert (quarantined["status"], quarantined["imported"], quarantined["rejected"]) == \
        ("done", 1, 1)
    with app.app_context():
        assert session.scalars(select(Call.billsec)).all() == [60]


def test_a_tariff_pricing_a_call_beyond_the_cost_column_rejects_that_row(app, world,
                                                                         make_tariff):
    make_tariff(name="absurd", prefix="+4989", price_per_minute=Decimal("9999999999"))
    result = run_import(app, master_row(billsec=3600), mode="quarantine")
    assert result["status"] == "rejected"
    assert result["errors"][1][0] == 1
    assert "is more than a call can cost (9999999999.99); check the tariff's price" in \
        result["errors"][1][1]


def test_invalid_utf8_on_line_3_is_reported_on_line_3(app, world):
    from plugin.services.calls import import_calls
    from plugin.textfiles import text_lines

    raw = (master_row(uniqueid="1") + master_row(uniqueid="2")).encode() + \
        b'"\xff\xfe",broken\n' + master_row(uniqueid="3").encode()
    with app.app_context():
        record = import_calls(text_lines(io.BytesIO(raw)), "asterisk", mode="quarantine",
                              settings=settings(),
                              filename="latin1.csv", clock=lambda: NOW)
        session.commit()
        assert record.status == "rejected"
        assert json.loads(record.errors)[0] == {
            "line": 3, "reason": "not UTF-8 text (invalid start byte at byte 2 of the line)",
            "text": ""}
        assert session.scalar(select(func.count()).select_from(Call)) == 0


def test_a_nul_byte_names_its_line(app, world):
    from plugin.services.calls import import_calls
    from plugin.textfiles import text_lines

    raw = master_row().encode() + master_row(src="2\x0001").encode()
    with app.app_context():
        record = import_calls(text_lines(io.BytesIO(raw)), "asterisk", mode="quarantine",
                              settings=settings(),
                              filename="utf16.csv", clock=lambda: NOW)
        assert json.loads(record.errors)[0]["line"] == 2
        assert "NUL byte" in json.loads(record.errors)[0]["reason"]


def test_a_file_of_another_format_in_quarantine_is_rejected_saying_which_it_looks_like(
        app, world):
    result = run_import(app, master_row(uniqueid="1") + master_row(uniqueid="2"),
                        fmt="freeswitch", mode="quarantine")
    assert (result["status"], result["imported"], result["rejected"]) == ("rejected", 0, 2)
    assert result["errors"][0] == (None, (
        "none of the 2 rows could be imported as FreeSWITCH mod_cdr_csv; nothing imported: "
        "the file looks like Asterisk Master.csv (format 'asterisk')"))
    assert [line for line, _ in result["errors"][1:]] == [1, 2]
    nothing_known = run_import(app, '"a","b"\n', fmt="asterisk", mode="quarantine")
    assert nothing_known["status"] == "rejected"
    assert nothing_known["errors"][0][1].endswith("is it a file of another format?")


def test_a_file_imported_again_is_done_with_duplicates_not_rejected(app, world):
    run_import(app, master_row(uniqueid="1"), mode="quarantine")
    again = run_import(app, master_row(uniqueid="1"), mode="quarantine")
    assert (again["status"], again["duplicates"]) == ("done", 1)


def finalize_october(app, customer_id):
    with app.app_context():
        session.add(Invoice(customer_id=customer_id, period="2026-10", status="finalized",
                            number="QH-2026-00001"))
        session.commit()


def test_a_new_call_in_a_closed_period_is_rejected_naming_the_reason(app, world):
    finalize_october(app, world.muller)
    text = (master_row(start="2026-10-31 23:30:00", uniqueid="late")  # Berlin: still October
            + master_row(start="2026-11-02 10:00:00", uniqueid="nov")
            + master_row(start="2026-10-05 10:00:00", dst="0301234567", uniqueid="other"))
    rejected = run_import(app, text)
    assert rejected["status"] == "rejected"
    assert rejected["errors"] == [(1, "start: 2026-10 is closed for customer "
                                      f"{world.muller} (its invoice is finalized); a credit "
                                      "note reopens the period")]
    quarantined = run_import(app, text, mode="quarantine")
    assert (quarantined["status"], quarantined["imported"], quarantined["rejected"]) == \
        ("done", 2, 1)
    with app.app_context():
        keys = session.scalars(select(Call.unique_key)).all()
        # The unmatched call is in no customer's closed period.
        assert {key.split(":")[1] for key in keys} == {"nov", "other"}


def test_calls_imported_before_the_period_closed_are_duplicates_when_imported_again(
        app, world):
    october = master_row(start="2026-10-02 08:59:00", uniqueid="a") + \
        master_row(start="2026-10-20 16:04:00", uniqueid="b")
    assert run_import(app, october)["imported"] == 2
    finalize_october(app, world.muller)
    # A cumulative file (Asterisk's Master.csv grows): October again, and November.
    again = run_import(app, october + master_row(start="2026-11-03 10:00:00", uniqueid="c"))
    assert (again["status"], again["imported"], again["duplicates"], again["rejected"]) == \
        ("done", 1, 2, 0)


def test_closed_calls_are_decided_in_batches(app, world, monkeypatch):
    from plugin.services.calls.importing import ClosedCalls

    monkeypatch.setattr(ClosedCalls, "BATCH", 2)
    october = "".join(master_row(start=f"2026-10-{d:02d} 10:00:00", uniqueid=f"o{d}")
                      for d in range(1, 6))
    run_import(app, october)
    finalize_october(app, world.muller)
    mixed = october + master_row(start="2026-10-07 10:00:00", uniqueid="new") + \
        master_row(start="2026-11-07 10:00:00", uniqueid="nov")
    result = run_import(app, mixed, mode="quarantine")
    assert (result["imported"], result["duplicates"], result["rejected"]) == (1, 5, 1)
    assert [line for line, _ in result["errors"]] == [6]


# --- the CLI and the API: a clear failure and an import record ---------------------------------


HOSTILE = {
    "a 200 KB field": (master_row(uniqueid="1") + master_row(src="9" * 200_000, uniqueid="2"),
                       2, "not readable as CSV (field larger than field limit"),
    "a year-0001 start": (master_row(uniqueid="1")
                          + master_row(start="0001-01-01 00:00:00", uniqueid="2"),
                          2, "start: '0001-01-01 00:00:00' is not a date and time"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_cli_fails_clearly_and_keeps_the_import_record(app, runner, world, tmp_path, case):
    text, line, reason = HOSTILE[case]
    path = tmp_path / "Master.csv"
    path.write_text(text)
    result = runner.invoke(args=["quarterhour", "import-calls", str(path),
                                 "--format", "asterisk"])
    assert result.exit_code == 1, result.exception
    assert f"line {line}: {reason}" in result.output
    with app.app_context():
        record = session.scalar(select(CallImport))
        assert (record.status, record.rejected) == ("rejected", 1)


def test_the_cli_exits_non_zero_when_quarantine_imported_nothing(app, runner, world, tmp_path):
    path = tmp_path / "Master.csv"
    path.write_text(master_row(uniqueid="1"))
    result = runner.invoke(args=["quarterhour", "import-calls", str(path), "--format",
                                 "freeswitch", "--on-error", "quarantine"])
    assert result.exit_code == 1
    assert "looks like Asterisk Master.csv (format 'asterisk')" in result.output


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_api_answers_201_rejected_with_the_line_never_500(client, admin, world, case):
    from .test_interfaces import upload

    text, line, reason = HOSTILE[case]
    r = upload(client, admin, "/api/v1/calls/imports", text, format="asterisk")
    assert r.status_code == 201, r.get_data(as_text=True)[:500]
    body = r.get_json()
    assert body["status"] == "rejected" and body["errors"][0]["line"] == line
    assert body["errors"][0]["reason"].startswith(reason)
    assert client.get(f"/api/v1/calls/imports/{body['id']}").status_code == 200


# --- the fast paths give what the plain ones give ------------------------------------------


@hsettings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from([b"ab", b"\r", b"\n", b"\r\n", b"x,y", "ä".encode(),
                                       b'"q\nr"']), max_size=40),
       block=st.integers(1, 9))
def test_text_lines_split_as_a_text_stream_does_across_blocks(parts, block):
    from unittest import mock

    from plugin import textfiles

    data = b"".join(parts)
    with mock.patch.object(textfiles, "BLOCK", block):
        assert list(textfiles.text_lines(io.BytesIO(data))) == \
            list(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""))


@hsettings(max_examples=200, deadline=None)
@given(versions=st.lists(st.tuples(st.sampled_from(["+49", "+4989", "+498912", "+43"]),
                                   st.dates(datetime(2026, 1, 1).date(),
                                            datetime(2026, 12, 31).date())),
                         max_size=6),
       number=st.sampled_from(["+49891234567", "+4930123456", "+43123456", "+1555"]),
       minutes=st.integers(0, 366 * 24 * 60))
def test_the_matchers_tariff_timeline_agrees_with_the_core(versions, number, minutes):
    """Matcher.rate looks a tariff up by instant; the core by the operator's local day."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from plugin.billing import local_date
    from plugin.billing.rating import TariffBook
    from plugin.models import Tariff
    from plugin.services import core_rows
    from plugin.services.calls.matching import Matcher

    tariffs = [Tariff(id=i + 1, name=f"t{i}", prefix=prefix, valid_from=day,
                      price_per_minute=Decimal("0.01"), connect_fee=Decimal(0),
                      first_increment=60, next_increment=60, markup_percent=Decimal(0),
                      minimum_charge=Decimal(0))
               for i, (prefix, day) in enumerate(versions)]
    matcher = Matcher({}, {}, tariffs, "DE", ZoneInfo("Europe/Berlin"))
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    expected = TariffBook(core_rows.core_tariff(t) for t in tariffs).find(
        number, local_date(start, "Europe/Berlin"))
    got = matcher.rate(number, start, 60)[0]
    assert got == (expected.id if expected else None)


def test_rating_again_with_an_absurd_price_leaves_the_call_unrated(app, world, make_tariff):
    from plugin.services.calls import rerate_calls

    run_import(app, master_row(billsec=3600))
    with app.app_context():
        from plugin.models import Tariff

        session.get(Tariff, world.landline).price_per_minute = Decimal("9999999999")
        session.commit()
        result = rerate_calls(settings())
        session.commit()
        assert (result.rated, result.unrated) == (0, 1)
        assert session.scalar(select(Call.cost)) is None
