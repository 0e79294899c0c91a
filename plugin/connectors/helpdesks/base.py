"""What every helpdesk client shares: tickets as plain data, errors that say what failed, HTTP."""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

OPEN, CLOSED = "open", "closed"  # our ticket statuses (qh_tickets.status)

# What a caller may name an idempotency reference: it travels into the helpdesk (an RT comment's
# subject) and back into a search, so nothing there may need quoting or act as a LIKE wildcard.
REFERENCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:-]{0,79}")
MAX_MINUTES = 24 * 60 * 31  # a month of minutes: anything larger is a bug, not a session


@dataclass(frozen=True)
class Ticket:
    """One helpdesk ticket as we import it; `hints` are what may tell us its customer."""

    external_id: str
    subject: str
    status: str  # ours: OPEN or CLOSED
    helpdesk_status: str  # as the helpdesk names it ("stalled", "pending reminder", …)
    updated_at: datetime | None  # UTC
    # e.g. {"queue": ("Support",), "requestor": ("anna@example.com",), "cf:Installation": (…)}
    hints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    time_worked: Decimal | None = None  # minutes, when the listing carries it


@dataclass(frozen=True)
class Identity:
    """Who the token acts as, and which helpdesk answered: what "check connection" shows."""

    user: str
    version: str | None


class ConnectorError(Exception):
    """A helpdesk request failed; `code` names the kind (for a translated message), the text
    says what and where, `retryable` whether trying the same request again later can help."""

    code = "error"
    retryable = False

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class BadSettings(ConnectorError):
    code = "bad_settings"


class Unauthorized(ConnectorError):
    code = "unauthorized"


class Forbidden(Unauthorized):
    code = "forbidden"


class NotAHelpdesk(ConnectorError):
    code = "not_helpdesk"


class NotFound(ConnectorError):
    code = "not_found"


class Refused(ConnectorError):
    code = "refused"


class Unreachable(ConnectorError):
    code = "unreachable"
    retryable = True


class TimedOut(Unreachable):
    code = "timeout"


class ServerError(ConnectorError):
    code = "server_error"
    retryable = True


class OutcomeUnknown(ConnectorError):
    """A write was sent but no answer came back: it may or may not have been applied. Retry
    only after looking for it (`find_push`), or the helpdesk gets the minutes twice."""

    code = "outcome_unknown"
    retryable = True


def utc(text: str | None) -> datetime | None:
    """An ISO 8601 time as RT and Zammad write it ('2026-12-01T22:47:55Z', '….315Z')."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def minutes_text(value: Any) -> Decimal | None:
    """Minutes as the helpdesk sends them: a string ("45", "15.0"), sometimes a number."""
    try:
        return Decimal(str(value)) if value is not None and str(value).strip() else None
    except ArithmeticError:
        return None


def check_since(since: datetime | None) -> None:
    if since is not None and since.tzinfo is None:
        raise ValueError("since: give an aware datetime (UTC)")


def check_reference(idempotency_ref: str) -> None:
    if not isinstance(idempotency_ref, str) or not REFERENCE_RE.fullmatch(idempotency_ref):
        raise ValueError(f"idempotency_ref: {idempotency_ref!r} is not 1-80 letters, digits, "
                         "'.', ':' or '-'")


def check_push(minutes: int, idempotency_ref: str) -> None:
    """Refuse what no helpdesk should receive (RT stores TimeTaken "abc" verbatim)."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
        raise ValueError(f"minutes: {minutes!r} is not a whole number from 1 to {MAX_MINUTES}")
    check_reference(idempotency_ref)


def _cause(error: requests.ConnectionError):
    """What urllib3 gave up on (requests wraps it in a MaxRetryError once retries ran out)."""
    inner = error.args[0] if error.args else None
    return getattr(inner, "reason", None) or inner


def _sent(error: requests.ConnectionError) -> bool:
    """Whether a failed request may have reached the server (no connection means it did not)."""
    return not isinstance(_cause(error), NewConnectionError)


class Helpdesk:
    """Base of the clients: one requests Session, explicit timeouts, retries only where safe.

    GETs are retried with backoff on connection errors, read timeouts, 429 and 502-504; a write
    is retried only when no connection was made (it cannot have arrived). Anything else a
    write meets is reported to the caller, who retries with its idempotency record.
    """

    source = ""  # the registry key, our qh_tickets.external_source
    name = ""  # as an admin knows the product
    finds_pushes = False  # can find_push() tell whether a push with a reference arrived?

    def __init__(self, url: str, token: str, *, timeout: float = 10.0,
                 session: requests.Session | None = None, retries: int = 3,
                 backoff: float = 0.5):
        parts = urlsplit((url or "").strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadSettings(f"{self.name} URL {url!r} is not an http:// or https:// address")
        if not token:
            raise BadSettings(f"no {self.name} token given")
        self.url = parts.geturl().rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()
        retry = Retry(total=retries, connect=retries, read=retries, status=retries,
                      backoff_factor=backoff, status_forcelist=(429, 502, 503, 504),
                      allowed_methods=frozenset({"GET"}), raise_on_status=False,
                      # a Retry-After of an hour must not stall a sync job: it runs again later
                      respect_retry_after_header=False)
        self.session.mount(self.url + "/", HTTPAdapter(max_retries=retry))

    # what subclasses provide
    def headers(self) -> dict[str, str]:
        raise NotImplementedError

    def error_detail(self, answer: requests.Response) -> str:
        return answer.text[:200]

    def check(self) -> Identity:
        raise NotImplementedError

    def tickets(self, query: str, since: datetime | None = None) -> Iterator[Ticket]:
        raise NotImplementedError

    def ticket(self, external_id: str) -> Ticket:
        raise NotImplementedError

    def push_time(self, external_id: str, minutes: int, note: str, idempotency_ref: str) -> str:
        raise NotImplementedError

    def find_push(self, external_id: str, idempotency_ref: str) -> str | None:
        raise NotImplementedError(f"{self.name} cannot look up a push by its reference")

    def time_worked(self, external_id: str) -> Decimal:
        raise NotImplementedError

    # HTTP
    def request(self, method: str, path: str, *, params=None, json=None,
                expect: tuple[int, ...] = (200,)) -> requests.Response:
        """Send one request; map every failure to a ConnectorError that says what went wrong."""
        url = self.url + path
        write = method != "GET"
        try:
            answer = self.session.request(
                method, url, params=params, json=json, timeout=self.timeout,
                headers={"Accept": "application/json", "User-Agent": "Quarterhour",
                         **self.headers()},
                allow_redirects=not write)  # a redirected POST would arrive as a GET
        except requests.ConnectTimeout:
            raise TimedOut(f"{self.name} at {self.url} did not accept a connection within "
                           f"{self.timeout:g} s") from None
        except requests.ReadTimeout:
            if write:
                raise OutcomeUnknown(f"{self.name} at {self.url} did not answer {method} {path} "
                                     f"within {self.timeout:g} s; it may have been applied"
                                     ) from None
            raise TimedOut(f"{self.name} at {self.url} did not answer within "
                           f"{self.timeout:g} s") from None
        except requests.ConnectionError as e:
            if write and _sent(e):
                raise OutcomeUnknown(f"the connection to {self.name} at {self.url} broke during "
                                     f"{method} {path}; it may have been applied") from None
            if isinstance(_cause(e), ReadTimeoutError):  # a GET whose retries all timed out
                raise TimedOut(f"{self.name} at {self.url} did not answer within "
                               f"{self.timeout:g} s") from None
            raise Unreachable(f"cannot connect to {self.name} at {self.url}: "
                              f"{_reason(e)}") from None
        except requests.RequestException as e:
            raise ConnectorError(f"{self.name} request to {url} failed: {e}") from None
        if answer.status_code in expect:
            return answer
        raise self.failure(answer, method, path)

    def failure(self, answer: requests.Response, method: str, path: str) -> ConnectorError:
        status, detail = answer.status_code, self.error_detail(answer)
        said = f" ({detail})" if detail else ""
        if status == 401:
            return Unauthorized(f"{self.name} refused the token (HTTP 401){said}: check the "
                                "token and that its user is enabled", status)
        if status == 403:
            return Forbidden(f"{self.name} accepted the token but refused {method} {path} "
                             f"(HTTP 403){said}: the token's user lacks the right", status)
        if status >= 500 and method != "GET":
            return OutcomeUnknown(f"{self.name} failed on {method} {path} (HTTP {status}){said};"
                                  " it may have been applied", status)
        if status >= 500 or status == 429:
            return ServerError(f"{self.name} answered HTTP {status} to {method} {path}{said}; "
                               "try again later", status)
        if 300 <= status < 400:  # only writes get here: reads follow redirects
            return BadSettings(f"{self.name} redirects {method} {path} to "
                               f"{answer.headers.get('Location') or '?'}: give the address it "
                               "redirects to as the URL", status)
        if status == 404:
            return NotFound(f"{self.name} has no {path} (HTTP 404){said}", status)
        return Refused(f"{self.name} refused {method} {path} (HTTP {status}){said}", status)

    def get_json(self, path: str, params=None) -> Any:
        return self.json_of(self.request("GET", path, params=params), path)

    def json_of(self, answer: requests.Response, path: str) -> Any:
        try:
            return answer.json()
        except ValueError:
            raise NotAHelpdesk(
                f"{self.url}{path} answered with {answer.headers.get('Content-Type') or 'text'}, "
                f"not JSON: is {self.url} the {self.name} address?", answer.status_code) from None


def _reason(error: requests.ConnectionError) -> str:
    text = str(_cause(error) or error)
    # urllib3 prefixes "HTTPConnection(host='…', port=…): " (or "<… object at 0x…>: ")
    return re.sub(r"^(\w+\(host=.*?\)|<[^>]*>): ", "", text)
