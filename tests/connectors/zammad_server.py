"""A stand-in Zammad on 127.0.0.1 answering in Zammad's documented shapes (none can run here).

Sources, all in the Zammad documentation (github.com/zammad/zammad-documentation, api/…):
- intro.rst: `Authorization: Token token=…`; `?expand=true` adds relation names ("group",
  "organization", "state", "customer", …) beside the ids; pagination by `page` and `per_page`
  with no total ("cycle through the pages until Zammad no longer returns further objects");
  sorting by `sort_by` and `order_by` (asc/desc).
- ticket/index.rst "Search": GET /api/v1/tickets/search?query=… answers
  {"tickets": [ids], "tickets_count": n, "assets": {"Ticket": {…}}}; with expand=true a plain
  list of expanded tickets (Zammad app/controllers/tickets_controller.rb `search`, which also
  caps per_page at 200, default 50).
- user.rst "me - current user": GET /api/v1/users/me.
- organization.rst "List": GET /api/v1/organizations, a list of organisations.
- ticket/timeaccounting.rst: GET and POST /api/v1/tickets/{id}/time_accountings; POST
  {"time_unit": "60.0"} answers 201 with the record, "time_unit" a decimal string.
- Errors: {"error": …} (app/controllers/application_controller/handles_errors.rb); a token
  that matches no user is 401 "Can't find User for Token", no credentials at all 403
  "Authentication required" (application_controller/authenticates.rb).
- admin-docs manage/webhook/payload.rst: webhook headers (User-Agent, X-Zammad-Trigger,
  X-Zammad-Delivery, X-Hub-Signature) and the default payload {"ticket": {…}, "article": {…}},
  where organization, customer and group are nested objects; lib/user_agent.rb signs the body
  as "sha1=" + HMAC-SHA1 hex.

Only what the connector uses is served; the search understands `*`, `field:value` for state,
organization and title, and otherwise a word in the title (Zammad's search is Elasticsearch).
"""

import json
import re
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from plugin.connectors.signatures import zammad_signature

TOKEN = "zammad-stand-in-token"
WEBHOOK_TOKEN = "zammad-webhook-token"  # the webhook's "HMAC SHA1 Signature Token"
CLOCK_START = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)

# the agent of the documentation's examples (user.rst, intro.rst)
ME = {"id": 3, "organization_id": 2, "login": "chris@chrispresso.com", "firstname": "Christopher",
      "lastname": "Miller", "email": "chris@chrispresso.com", "active": True,
      "role_ids": [1, 2], "created_at": "2021-07-26T14:44:41.066Z",
      "updated_at": "2021-09-23T13:17:24.825Z"}
# organization.rst "List"
ORGANIZATIONS = [
    (1, "Zammad Foundation", "", [2]),
    (2, "Chrispresso Inc.", "Manufacturer of individual coffee products.", [5, 4, 3]),
    (3, "Awesome Customer Inc.", "Global distributor of communication and security products.",
     [8, 7, 6]),
    (4, "Good Customer Inc.", "", [9]),
    (5, "Test", "", []),
]
STATES = {1: "new", 2: "open", 3: "pending reminder", 4: "closed", 5: "merged"}


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ZammadStandIn:
    """The server and its data; start() serves on a free port, stop() ends it."""

    def __init__(self, token: str = TOKEN):
        self.token = token
        self.organizations = {
            oid: {"id": oid, "name": name, "shared": True, "domain": "",
                  "domain_assignment": False, "active": True, "note": note,
                  "updated_by_id": 1, "created_by_id": 1,
                  "created_at": "2021-11-03T11:57:15.817Z",
                  "updated_at": "2021-11-03T11:57:15.817Z", "member_ids": members}
            for oid, name, note, members in ORGANIZATIONS}
        self.customers = {6: "anna@example.com", 7: "samuel@example.com", 8: "emily@example.com",
                          9: "david@example.com"}
        self.tickets: dict[int, dict] = {}
        self.time_accountings: list[dict] = []
        self.requests: list[tuple[str, str, dict]] = []  # method, path, headers
        self.fail_with: list[int] = []  # statuses to answer first, one per request (then serve)
        self.delay = 0.0  # seconds to wait before answering (for timeouts)
        self._ticks = 0
        self._lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _handler(self))
        # a short poll interval: shutdown() waits up to one interval, at every test's end
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                        daemon=True, name="zammad-stand-in")

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "ZammadStandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def now(self) -> datetime:
        """A clock of its own: each call a second later than the last, from CLOCK_START."""
        with self._lock:
            self._ticks += 1
            return CLOCK_START + timedelta(seconds=self._ticks)

    def add_ticket(self, title: str, *, state_id: int = 2, organization_id: int | None = 3,
                   customer_id: int = 8, updated_at: datetime | None = None) -> int:
        """A ticket in the expanded shape of intro.rst ("Ticket payload", expand=true)."""
        ticket_id = len(self.tickets) + 1
        updated = updated_at or self.now()
        organization = self.organizations.get(organization_id) if organization_id else None
        self.tickets[ticket_id] = {
            "id": ticket_id, "group_id": 1, "priority_id": 2, "state_id": state_id,
            "organization_id": organization_id, "number": str(31000 + ticket_id),
            "title": title, "owner_id": 3, "customer_id": customer_id, "note": None,
            "first_response_at": None, "close_at": None, "last_contact_at": iso(updated),
            "create_article_type_id": 5, "create_article_sender_id": 2, "article_count": 1,
            "pending_time": None, "type": None, "time_unit": None, "preferences": {},
            "updated_by_id": 3, "created_by_id": customer_id,
            "created_at": iso(updated - timedelta(hours=1)), "updated_at": iso(updated),
            "article_ids": [], "ticket_time_accounting_ids": [], "group": "Service Desk",
            "organization": organization["name"] if organization else None,
            "ticket_time_accounting": [], "state": STATES[state_id], "priority": "2 normal",
            "owner": ME["login"], "customer": self.customers[customer_id],
            "created_by": self.customers[customer_id], "updated_by": ME["login"],
            "create_article_type": "phone", "create_article_sender": "Customer"}
        return ticket_id

    def webhook(self, ticket_id: int, trigger: str = "Quarterhour sync",
                token: str | None = WEBHOOK_TOKEN) -> tuple[bytes, dict[str, str]]:
        """Body and headers of the default webhook Zammad posts for a ticket (payload.rst)."""
        ticket = dict(self.tickets[ticket_id])
        organization = self.organizations.get(ticket["organization_id"])
        customer = self.customers[ticket["customer_id"]]
        ticket.update({
            "organization": organization, "group": {"id": 1, "name": ticket["group"]},
            "customer": {"id": ticket["customer_id"], "login": customer, "email": customer,
                         "organization_id": ticket["organization_id"]},
            "owner": {**ME}, "priority": {"id": 2, "name": "2 normal"}})
        body = json.dumps({"ticket": ticket, "article": {
            "id": 104, "ticket_id": ticket_id, "body": "Press line 3 stops after a minute.",
            "content_type": "text/html", "internal": False, "sender": "Customer",
            "type": "phone", "created_at": ticket["updated_at"], "accounted_time": 0}}).encode()
        headers = {"User-Agent": "Zammad User Agent", "Content-Type": "application/json",
                   "X-Zammad-Trigger": trigger, "X-Zammad-Delivery": str(uuid.uuid4())}
        if token:
            headers["X-Hub-Signature"] = zammad_signature(body, token)
        return body, headers

    # request handling
    def answer(self, method: str, path: str, query: dict, headers, body: bytes):
        self.requests.append((method, path, dict(headers)))
        if self.fail_with:
            return self.fail_with.pop(0), {"error": "stand-in: failing on purpose"}
        auth = headers.get("Authorization")
        if not auth:
            return 403, {"error": "Authentication required"}
        if auth != f"Token token={self.token}":
            return 401, {"error": "Can't find User for Token"}
        if method == "GET" and path == "/api/v1/users/me":
            return 200, ME
        if method == "GET" and path == "/api/v1/organizations":
            return 200, _page(list(self.organizations.values()), query)
        if method == "GET" and path == "/api/v1/tickets/search":
            return self.search(query)
        match = re.fullmatch(r"/api/v1/tickets/(\d+)(/time_accountings)?", path)
        if match and int(match.group(1)) in self.tickets:
            ticket = self.tickets[int(match.group(1))]
            if not match.group(2) and method == "GET":
                return 200, ticket if _flag(query, "expand") else _compact(ticket)
            if match.group(2) and method == "GET":
                return 200, [a for a in self.time_accountings if a["ticket_id"] == ticket["id"]]
            if match.group(2) and method == "POST":
                return self.account(ticket, body)
        if match:
            return 404, {"error": f"Couldn't find Ticket with 'id'={match.group(1)}"}
        return 404, {"error": f"No route matches [{method}] \"{path}\""}

    def search(self, query: dict):
        text = (query.get("query") or [""])[0].strip()
        found = [t for t in self.tickets.values() if _matches(t, text)]
        sort_by = (query.get("sort_by") or ["id"])[0]
        descending = (query.get("order_by") or ["asc"])[0] == "desc"
        found.sort(key=lambda t: (str(t.get(sort_by)), t["id"]), reverse=descending)
        page = _page(found, query, default=50)
        if _flag(query, "expand"):
            return 200, page
        return 200, {"tickets": [t["id"] for t in page], "tickets_count": len(page),
                     "assets": {"Ticket": {str(t["id"]): _compact(t) for t in page}}}

    def account(self, ticket: dict, body: bytes):
        try:
            unit = Decimal(str(json.loads(body or b"{}")["time_unit"]))
        except (ValueError, KeyError, TypeError, InvalidOperation):
            return 422, {"error": "time_unit: is not a number"}
        now = iso(self.now())
        with self._lock:
            record = {"id": len(self.time_accountings) + 1, "ticket_id": ticket["id"],
                      "ticket_article_id": None, "time_unit": f"{unit:.1f}", "type_id": None,
                      "created_by_id": ME["id"], "created_at": now, "updated_at": now}
            self.time_accountings.append(record)
        ticket["ticket_time_accounting_ids"].append(record["id"])
        total = sum(Decimal(a["time_unit"]) for a in self.time_accountings
                    if a["ticket_id"] == ticket["id"])
        ticket.update(time_unit=f"{total:.1f}", updated_at=now)
        return 201, record


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that gave up (a timeout test) is expected; anything else is a stand-in bug
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _flag(query: dict, name: str) -> bool:
    return (query.get(name) or ["false"])[0] == "true"


def _page(items: list, query: dict, default: int = 50) -> list:
    per_page = min(int((query.get("per_page") or [default])[0]), 200)
    page = max(int((query.get("page") or [1])[0]), 1)
    return items[(page - 1) * per_page: page * per_page]


def _compact(ticket: dict) -> dict:
    """The ticket without the names expand=true adds (intro.rst, "?expand=false")."""
    names = {"group", "organization", "ticket_time_accounting", "state", "priority", "owner",
             "customer", "created_by", "updated_by", "create_article_type",
             "create_article_sender"}
    return {k: v for k, v in ticket.items() if k not in names}


def _matches(ticket: dict, text: str) -> bool:
    if text in ("", "*"):
        return True
    field, _, value = text.partition(":")
    value = value.strip('"')
    if field in ("state", "state.name"):
        return ticket["state"] == value
    if field in ("organization", "organization.name"):
        return ticket["organization"] == value
    if field == "title":
        return value.lower() in ticket["title"].lower()
    return text.lower() in ticket["title"].lower()


def _handler(zammad: ZammadStandIn):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if zammad.delay:
                threading.Event().wait(zammad.delay)
            status, data = zammad.answer(self.command, parts.path, parse_qs(parts.query),
                                         self.headers, body)
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, *args):  # keep the test output clean
            pass

    return Handler
