"""Tariffs: create, change, delete and import price lists by destination prefix (E.164).

A price list takes effect from a date (valid_from): a new list is new rows with a later date;
the longest prefix wins, and of its versions the newest in effect on the call's local date.
Functions flush; the caller commits. Errors name the field (and the line, for CSV imports).
"""

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from plugin import billing
from plugin.db import session
from plugin.models import Call, Tariff
from plugin.services import core_rows
from plugin.services.errors import N_, FieldError
from plugin.services.fields import Collected, day, decimal_text

FIELDS = ("name", "prefix", "valid_from", "price_per_minute", "connect_fee", "first_increment",
          "next_increment", "markup_percent", "minimum_charge")
REQUIRED = ("name", "prefix", "valid_from", "price_per_minute")
# Decimal places each amount may carry (the columns' scale): the core rounds, never the DB.
PLACES = {"price_per_minute": 4, "connect_fee": 4, "markup_percent": 2, "minimum_charge": 4}
DEFAULTS = {"connect_fee": Decimal("0"), "first_increment": 60, "next_increment": 60,
            "markup_percent": Decimal("0"), "minimum_charge": Decimal("0")}
MAX_INCREMENT = 3600
MAX_AMOUNT = Decimal("1000000")
_PREFIX = re.compile(r"\+[1-9]\d{0,14}")


def clean(data: Mapping, partial: bool = False) -> dict:
    """Checked, typed tariff fields from a form, JSON body or CSV row; FieldError names the
    field. `partial`: only the fields given (for a change)."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise FieldError(name, "unknown field; the fields are %(choices)s",
                         choices=', '.join(FIELDS))
    out = {}
    check = Collected()  # every field in one pass
    for name in FIELDS:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name in REQUIRED and not partial:
                check.add(name, "is required")
            if name in DEFAULTS and not partial:
                out[name] = DEFAULTS[name]
            continue
        out[name] = check(_CHECKS[name], name, value)
    check.done()
    return out


def _name(field, value) -> str:
    value = str(value).strip()
    if len(value) > 100:
        raise FieldError(field, "at most 100 characters")
    return value


def _prefix(field, value) -> str:
    text = re.sub(r"[\s\-/()]", "", str(value))
    if text.startswith("00"):
        text = "+" + text[2:]
    if not _PREFIX.fullmatch(text):
        raise FieldError(field, "%(value)r is not an international (E.164) prefix: write it as "
                         "+49, +4989 or 0049 (up to 15 digits)", value=value)
    return text


def _date(field, value) -> date:
    return day(value, field)


def _amount(field, value) -> Decimal:
    return decimal_text(value, field, places=PLACES[field], maximum=MAX_AMOUNT, noun=N_("a number"))


def _increment(field, value) -> int:
    if isinstance(value, bool):
        raise FieldError(field, "must be a whole number of seconds")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise FieldError(field, "%(value)r is not a whole number of seconds", value=value) from None
    if not 1 <= number <= MAX_INCREMENT:
        raise FieldError(field, "must be 1 to %(limit)s seconds (e.g. 60, 30, 6, 1)",
                         limit=MAX_INCREMENT)
    return number


_CHECKS = {"name": _name, "prefix": _prefix, "valid_from": _date,
           "price_per_minute": _amount, "connect_fee": _amount, "markup_percent": _amount,
           "minimum_charge": _amount, "first_increment": _increment,
           "next_increment": _increment}


def list_tariffs(on: date | None = None) -> list[Tariff]:
    """All tariff versions by prefix and date; `on`: only those in effect that day (per
    prefix, the newest valid_from not after it)."""
    tariffs = session.scalars(select(Tariff).order_by(Tariff.prefix, Tariff.valid_from)).all()
    if on is None:
        return list(tariffs)
    by_id = {tariff.id: tariff for tariff in tariffs}
    return [by_id[core.id] for core in billing.in_effect(map(core_rows.core_tariff, tariffs), on)]


def get_tariff(tariff_id: int) -> Tariff:
    tariff = session.get(Tariff, tariff_id)
    if tariff is None:
        raise FieldError("id", "no tariff with id %(tariff_id)s", tariff_id=tariff_id)
    return tariff


def _refuse_duplicate(prefix: str, valid_from: date, own_id: int | None = None) -> None:
    other = session.scalar(select(Tariff.id).where(Tariff.prefix == prefix,
                                                   Tariff.valid_from == valid_from))
    if other is not None and other != own_id:
        raise FieldError("valid_from", "tariff %(other)s is the price for %(prefix)s from "
                         "%(valid_from)s already; change that one", other=other, prefix=prefix,
                         valid_from=valid_from)


def create_tariff(data: Mapping) -> Tariff:
    fields = clean(data)
    if not fields["name"]:
        raise FieldError("name", "is required")
    _refuse_duplicate(fields["prefix"], fields["valid_from"])
    tariff = Tariff(**fields)
    session.add(tariff)
    session.flush()
    return tariff


def update_tariff(tariff_id: int, data: Mapping) -> Tariff:
    """Change a tariff version. Calls already rated keep their cost until rated again."""
    tariff = get_tariff(tariff_id)
    fields = clean(data, partial=True)
    _refuse_duplicate(fields.get("prefix", tariff.prefix),
                      fields.get("valid_from", tariff.valid_from), tariff.id)
    for name, value in fields.items():
        setattr(tariff, name, value)
    session.flush()
    return tariff


def delete_tariff(tariff_id: int) -> None:
    tariff = get_tariff(tariff_id)
    used = session.scalar(select(func.count()).select_from(Call)
                          .where(Call.tariff_id == tariff.id))
    if used:
        raise FieldError("id", "%(used)s calls are rated with tariff %(id)s; add a new version "
                         "with a later valid_from instead", used=used, id=tariff.id)
    session.delete(tariff)
    session.flush()


@dataclass(frozen=True)
class TariffImport:
    created: int
    updated: int


def import_tariffs(lines: Iterable[str]) -> TariffImport:
    """A price list as CSV with a header (the FIELDS; comma or semicolon separated). All or
    nothing: any bad line raises FieldError("file", "line N, field: reason …"). A row with the
    prefix and valid_from of an existing tariff changes it; other rows are new versions."""
    lines = iter(lines)
    header_line = next(lines, "")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([header_line], delimiter=delimiter),
                                               [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise FieldError("file", "line 1: the header needs the columns %(choices)s; missing: "
                         "%(known)s", choices=', '.join(REQUIRED), known=', '.join(missing))
    unknown = [name for name in header if name not in FIELDS]
    if unknown:
        raise FieldError("file", "line 1: unknown columns %(choices)s; the columns are %(known)s",
                         choices=', '.join(unknown), known=', '.join(FIELDS))
    problems: list[str] = []
    seen: dict[tuple[str, date], int] = {}
    created = updated = 0
    reader = csv.reader(lines, delimiter=delimiter)
    for row in reader:
        line = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"line {line}: {len(row)} columns, the header has {len(header)}")
            continue
        try:
            fields = clean(dict(zip(header, row, strict=True)))
        except FieldError as e:
            problems.append(f"line {line}, {e.field}: {e.message}")
            continue
        key = (fields["prefix"], fields["valid_from"])
        if key in seen:
            problems.append(f"line {line}: {key[0]} from {key[1]} is on line {seen[key]} too")
            continue
        seen[key] = line
        if problems:
            continue  # nothing is stored anyway; keep reading to report every bad line
        existing = session.scalar(select(Tariff).where(Tariff.prefix == key[0],
                                                       Tariff.valid_from == key[1]))
        if existing is None:
            session.add(Tariff(**fields))
            created += 1
        else:
            for name, value in fields.items():
                setattr(existing, name, value)
            updated += 1
    if problems:
        shown = "; ".join(problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise FieldError("file", "nothing imported: %(shown)s%(more)s", shown=shown, more=more)
    session.flush()
    return TariffImport(created, updated)
