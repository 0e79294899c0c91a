"""The CDR parsers, per format and variant: fields, unique keys, line numbers, timezones."""

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from plugin.cdr import FORMATS, FormatError, Record, RowError, parse_mapping
from plugin.cdr.asterisk import VARIANTS as ASTERISK_VARIANTS
from plugin.cdr.freeswitch import VARIANTS as FREESWITCH_VARIANTS

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2027, 6, 1, tzinfo=UTC)  # the import's clock


def parse(fmt, text, zone=BERLIN, mapping=None):
    return list(FORMATS[fmt](io.StringIO(text, newline=""), zone, mapping, now=NOW))


def asterisk_row(width=16, src="201", dst="0891234567", context="from-internal",
                 start="2026-10-02 08:59:00", answer="2026-10-02 08:59:05",
                 end="2026-10-02 09:29:35", duration="1835", billsec="1830",
                 disposition="ANSWERED", uniqueid="1790924340.17", linkedid="1790924340.17",
                 sequence="42"):
    fields = ["", src, dst, context, '"Erika" <201>', "SIP/201-0000001a", "DAHDI/1-1", "Dial",
              f"DAHDI/g0/{dst},60", start, answer, end, duration, billsec, disposition,
              "DOCUMENTATION"]
    if width in (18, 21):
        fields += [uniqueid, ""]
    if width in (19, 21):
        fields += ["", linkedid, sequence]
    return ",".join(f'"{f}"' if not f.isdigit() else f for f in
                    (x.replace('"', '""') for x in fields)) + "\n"


@pytest.mark.parametrize("width", [16, 18, 19, 21])
def test_every_asterisk_master_csv_variant_gives_the_same_call(width):
    [record] = parse("asterisk", asterisk_row(width))
    assert isinstance(record, Record)
    assert (record.caller, record.callee, record.duration, record.billsec,
            record.disposition, record.answered, record.hint) == \
        ("201", "0891234567", 1835, 1830, "ANSWERED", True, "outbound")
    # 08:59 in Berlin (CEST, UTC+2) is 06:59 UTC.
    assert record.start == datetime(2026, 10, 2, 6, 59, tzinfo=UTC)
    assert len(ASTERISK_VARIANTS[width]) == width


@pytest.mark.parametrize(("width", "key"), [
    (21, "asterisk:1790924340.17:42"),  # linkedid:sequence
    (19, "asterisk:1790924340.17:42"),
])
def test_asterisk_keys_use_linkedid_and_sequence_where_present(width, key):
    assert parse("asterisk", asterisk_row(width))[0].key == key


def test_the_asterisk_uniqueid_keys_a_cdr_and_tells_apart_cdrs_of_one_channel():
    one = parse("asterisk", asterisk_row(18))[0].key
    assert one.startswith("asterisk:1790924340.17:")
    transferred = parse("asterisk", asterisk_row(18, start="2026-10-02 09:30:00"))[0].key
    assert transferred != one and transferred.startswith("asterisk:1790924340.17:")


def test_without_a_unique_id_the_natural_key_is_stable_and_distinguishes_calls():
    a = parse("asterisk", asterisk_row(16))[0].key
    assert a.startswith("asterisk:nk:") and a == parse("asterisk", asterisk_row(16))[0].key
    assert a != parse("asterisk", asterisk_row(16, billsec="61"))[0].key


@pytest.mark.parametrize(("context", "hint"), [
    ("from-internal", "outbound"), ("from-trunk", "inbound"), ("from-pstn", "inbound"),
    ("ext-did-0001", "inbound"), ("macro-dialout-trunk", "outbound"), ("default", None)])
def test_the_asterisk_dialplan_context_hints_at_the_direction(context, hint):
    assert parse("asterisk", asterisk_row(context=context))[0].hint == hint


def test_an_unanswered_asterisk_call_keeps_its_disposition():
    [record] = parse("asterisk", asterisk_row(disposition="NO ANSWER", billsec="0", answer=""))
    assert (record.disposition, record.answered, record.billsec) == ("NO ANSWER", False, 0)


def test_malformed_asterisk_rows_are_reported_with_line_number_and_reason():
    text = (asterisk_row() + asterisk_row(start="yesterday") + "\n" + '"a","b","c"\n'
            + asterisk_row(billsec="-5") + asterisk_row(duration="x"))
    items = parse("asterisk", text)
    assert [type(i).__name__ for i in items] == ["Record", "RowError", "RowError", "RowError",
                                                 "RowError"]
    errors = [(e.line, e.reason) for e in items if isinstance(e, RowError)]
    assert errors[0] == (2, "start: 'yesterday' is not a date and time (YYYY-MM-DD HH:MM:SS)")
    assert errors[1][0] == 4 and errors[1][1].startswith("3 columns, expected 16, 18, 19 or 21")
    assert errors[2] == (5, "billsec: -5 is negative")
    assert errors[3] == (6, "duration: 'x' is not a whole number of seconds")


def test_a_quoted_field_spanning_lines_keeps_the_line_numbers_right():
    text = asterisk_row().replace('"DAHDI/1-1"', '"DAHDI/1-1\nsecond line"') + \
        asterisk_row(start="bad")
    items = parse("asterisk", text)
    assert isinstance(items[0], Record)
    assert items[1].line == 3


FS_EXAMPLE = ('"Erika","+49891234567","0891110000","public","2026-10-02 08:59:00",'
              '"2026-10-02 08:59:05","2026-10-02 09:29:35","1835","1830","NORMAL_CLEARING",'
              '"a1b2c3d4-0000-4000-8000-000000000001","","","PCMA","PCMA"\n')
FS_DEFAULT = ('"Erika","201","0891234567","default","2026-10-02 08:59:00","",'
              '"2026-10-02 08:59:30",30,0,"NO_USER_RESPONSE",'
              '"a1b2c3d4-0000-4000-8000-000000000002","",""\n')
FS_SQL = ('INSERT INTO cdr VALUES ("Erika","201","0891234567","default",'
          '"2026-10-02 10:00:00","2026-10-02 10:00:04","2026-10-02 10:01:05","65","61",'
          '"NORMAL_CLEARING","a1b2c3d4-0000-4000-8000-000000000003","", "");\n')


@pytest.mark.parametrize(("text", "expected"), [
    (FS_EXAMPLE, ("+49891234567", "0891110000", 1835, 1830, "NORMAL_CLEARING", True,
                  "inbound", "freeswitch:a1b2c3d4-0000-4000-8000-000000000001")),
    (FS_DEFAULT, ("201", "0891234567", 30, 0, "NO_USER_RESPONSE", False, "outbound",
                  "freeswitch:a1b2c3d4-0000-4000-8000-000000000002")),
    (FS_SQL, ("201", "0891234567", 65, 61, "NORMAL_CLEARING", True, "outbound",
              "freeswitch:a1b2c3d4-0000-4000-8000-000000000003")),
])
def test_freeswitch_example_default_and_sql_templates(text, expected):
    [record] = parse("freeswitch", text)
    assert (record.caller, record.callee, record.duration, record.billsec, record.disposition,
            record.answered, record.hint, record.key) == expected
    assert sorted(FREESWITCH_VARIANTS) == [13, 15]


def test_a_freeswitch_row_of_the_wrong_width_names_the_templates():
    [error] = parse("freeswitch", '"a","b","c"\n')
    assert error.line == 1 and "13 or 15 columns" in error.reason


GENERIC = ("Date;From;To;Seconds;Result;Way;Id\n"
           "2026-10-02 08:59:00;+49 89 998877;089 1234567;1830;answered;out;A-1\n"
           "2026-10-02T07:00:00+00:00;0049891234567;201;20;busy;in;A-2\n")
MAPPING = "start=Date,caller=From,callee=To,billsec=Seconds,disposition=Result,direction=Way," \
          "unique_id=Id"


def test_a_generic_csv_is_read_through_its_column_mapping():
    first, second = parse("csv", GENERIC, mapping=MAPPING)
    assert (first.key, first.caller, first.callee, first.billsec, first.duration,
            first.answered, first.direction) == \
        ("csv:A-1", "+49 89 998877", "089 1234567", 1830, 1830, True, "outbound")
    assert first.start == datetime(2026, 10, 2, 6, 59, tzinfo=UTC)
    assert (second.answered, second.direction, second.disposition) == (False, "inbound", "busy")
    assert second.start == datetime(2026, 10, 2, 7, 0, tzinfo=UTC)  # its own offset wins


def test_a_generic_csv_whose_header_uses_our_field_names_needs_no_mapping():
    [record] = parse("csv", "start,caller,callee,billsec\n2026-10-02 08:59:00,a,b,0\n")
    assert record.key.startswith("csv:nk:") and (record.answered, record.disposition) == \
        (False, "NO ANSWER")


def test_a_mapping_to_a_missing_column_rejects_the_file_at_line_1():
    with pytest.raises(FormatError, match="line 1: column 'Datum' \\(for start\\)"):
        parse("csv", GENERIC, mapping="start=Datum")
    with pytest.raises(FormatError, match="no column for billsec"):
        parse("csv", "start,caller,callee\n")


@pytest.mark.parametrize(("text", "message"), [
    ("start=", "field 'start' names no column"),
    ("begin=Date", "unknown field 'begin'"),
    ("start", "'start' is not field=column"),
])
def test_a_bad_mapping_is_named(text, message):
    with pytest.raises(ValueError, match=message):
        parse_mapping(text)


def test_bad_generic_rows_name_line_and_field():
    text = "start,caller,callee,billsec,direction\n" \
           "2026-10-02 08:59:00,a,b,12,sideways\n" \
           "2026-10-02 08:59:00,a,b\n"
    errors = parse("csv", text)
    assert [(e.line, e.reason) for e in errors] == [
        (2, "direction: 'sideways' is not inbound or outbound"),
        (3, "3 columns, the header has 5")]


@pytest.mark.parametrize(("zone", "wall", "utc"), [
    ("Europe/Berlin", "2026-10-02 08:59:00", datetime(2026, 10, 2, 6, 59, tzinfo=UTC)),
    ("Europe/Berlin", "2026-12-02 08:59:00", datetime(2026, 12, 2, 7, 59, tzinfo=UTC)),
    ("UTC", "2026-10-02 08:59:00", datetime(2026, 10, 2, 8, 59, tzinfo=UTC)),
    ("America/New_York", "2026-10-02 08:59:00", datetime(2026, 10, 2, 12, 59, tzinfo=UTC)),
    # The repeated hour when DST ends is read as its first occurrence (still CEST).
    ("Europe/Berlin", "2026-10-25 02:30:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
])
def test_timestamps_are_read_in_the_telephone_systems_timezone(zone, wall, utc):
    [record] = parse("asterisk", asterisk_row(start=wall), ZoneInfo(zone))
    assert record.start == utc
