"""Fixtures for the helpdesk connectors: a real Request Tracker 5 (once per session), a stand-in
Zammad (per test), and addresses where nothing answers or nothing listens.

`rt` runs ../shared/rt/start.sh, which installs Debian's request-tracker5 on first use. When
that cannot work here (no root, no apt-get, the install fails) the tests that need RT FAIL with
the reason: a skip would be counted as a pass. RT keeps its SQLite database between sessions,
so every test works on tickets it made itself (a fresh tag in their subjects), never on "all".
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .zammad_server import ZammadStandIn

REPOSITORY = Path(__file__).resolve().parents[2]
RT_KIT = REPOSITORY / ".." / "shared" / "rt"
RT_START = RT_KIT / "start.sh"
RT_PACKAGES = ("request-tracker5", "rt5-db-sqlite", "rt5-standalone")
RT_SETUP = "/usr/sbin/rt-setup-database-5"
CUSTOM_FIELDS = Path(__file__).with_name("rt_custom_fields.pl")
TOKEN_SCRIPT = Path(__file__).with_name("rt_token.pl")
INSTALL_LOG = "/tmp/rt-install.log"  # noqa: S108 (where start.sh writes them)
SERVER_LOG = "/tmp/rt-server.log"  # noqa: S108


@dataclass(frozen=True)
class RT:
    url: str
    token: str
    pid: int

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A REST2 call as an RT user makes it (for building data and reading it back)."""
        return requests.request(method, f"{self.url}/REST/2.0{path}", timeout=30,
                                headers={"Authorization": f"token {self.token}"}, **kwargs)


def _cannot(reason: str):
    pytest.fail(f"The real Request Tracker 5 these tests need cannot be started: {reason}",
                pytrace=False)


def _tail(path: str, lines: int = 15) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _installed() -> bool:
    if not shutil.which("dpkg"):
        return False
    return subprocess.run(["dpkg", "-s", *RT_PACKAGES], capture_output=True).returncode == 0


def _preflight(port: int) -> None:
    """Say exactly why RT cannot start before start.sh fails with a less clear message."""
    if not RT_START.is_file():
        _cannot(f"{RT_START.resolve()} is missing (the RT kit lives in ../shared/rt)")
    if os.geteuid() != 0:
        _cannot("start.sh must run as root: it installs Debian's request-tracker5 with apt-get "
                "and starts RT as www-data. Run the suite as root.")
    if not _installed() and not shutil.which("apt-get"):
        _cannot(f"Debian's {' '.join(RT_PACKAGES)} are not installed and apt-get is not "
                "available to install them (is this a Debian system?)")
    if _listening(port):
        _cannot(f"something already listens on 127.0.0.1:{port} (an RT started by hand?): "
                "stop it, or set RT_PORT to a free port")


def _load(rt: RT, datafile: Path) -> None:
    """Insert RT initialdata (queues, users, custom fields) as www-data, as the README says."""
    result = subprocess.run(["runuser", "-u", "www-data", "--", RT_SETUP, "--action", "insert",
                             "--datafile", str(datafile)], capture_output=True, text=True,
                            timeout=120)
    if result.returncode:
        _cannot(f"loading {datafile.name} failed: {result.stderr.strip()[-800:]}")


def _stop(pid: int) -> None:
    """End the RT server we started: its own process group (rt-server and its workers)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def rt():
    """(url, token) of a real RT 5 on 127.0.0.1, with queue Support and the custom field
    Installation; started once per session, stopped at its end."""
    port = int(os.environ.get("RT_PORT", "8080"))
    _preflight(port)
    was_installed = _installed()
    try:
        result = subprocess.run(["bash", str(RT_START), "--env"], capture_output=True,
                                text=True, timeout=900, env={**os.environ, "RT_PORT": str(port)})
    except subprocess.TimeoutExpired:
        _cannot(f"start.sh took longer than 15 minutes (see {INSTALL_LOG})")
    if result.returncode:
        reason = result.stderr.strip() or f"start.sh exited with {result.returncode}"
        if not was_installed and not _installed():
            _cannot(f"installing Debian's {' '.join(RT_PACKAGES)} failed (apt-get). "
                    f"{INSTALL_LOG} ends:\n{_tail(INSTALL_LOG)}")
        _cannot(f"{reason}\n{SERVER_LOG} ends:\n{_tail(SERVER_LOG)}")
    found = dict(re.findall(r"(RT_URL|RT_TOKEN|RT_PID)=(\S+)", result.stdout))
    if len(found) != 3:
        _cannot(f"start.sh printed no RT_URL, RT_TOKEN and RT_PID: {result.stdout!r}")
    server = RT(found["RT_URL"], found["RT_TOKEN"], int(found["RT_PID"]))
    try:
        queues = server.api("GET", "/queues/all", params={"fields": "Name"}).json()["items"]
        if "Support" not in {q.get("Name") for q in queues}:
            _load(server, RT_KIT / "fixtures.pl")
        fields = server.api("GET", "/customfields", params={
            "query": '[{"field": "Name", "value": "Installation"}]'}).json()
        if not fields.get("items"):
            _load(server, CUSTOM_FIELDS)
        yield server
    finally:
        _stop(server.pid)


@pytest.fixture(scope="session")
def rt_agent(rt) -> RT:
    """RT as agent1 (../shared/rt/fixtures.pl): a dedicated user with rights on queue Support
    only, as docs/connectors.md tells an admin to set one up."""
    result = subprocess.run(["runuser", "-u", "www-data", "--", "perl", str(TOKEN_SCRIPT),
                             "agent1"], capture_output=True, text=True, timeout=120)
    if result.returncode:
        pytest.fail(f"could not make an RT token for agent1: {result.stderr.strip()[-800:]}",
                    pytrace=False)
    return RT(rt.url, result.stdout.strip(), rt.pid)


@dataclass(frozen=True)
class RTTickets:
    tag: str  # in every subject: `Subject LIKE '<tag>'` finds exactly these
    ids: tuple[str, ...]

    @property
    def query(self) -> str:
        return f"Subject LIKE '{self.tag}'"


# subject, status, requestors, Installation custom field
RT_TICKETS = [
    ("Press line 3 stops after a minute", "new", ["anna@mueller.example"], "Press line 3"),
    ("Robot cell 7: VPN down", "open", ["anna@mueller.example", "it@mueller.example"],
     "Robot cell 7"),
    ("Modem does not answer", "stalled", ["hotline@huber.example"], None),
    ("Firmware update done", "resolved", ["anna@mueller.example"], "Press line 3"),
    ("Wrong queue, closed", "rejected", ["someone@example.com"], None),
]


@pytest.fixture(scope="session")
def rt_tickets(rt) -> RTTickets:
    """Five tickets in queue Support, made through REST2 (POST /ticket) for this session."""
    tag = f"qh-{uuid.uuid4().hex[:10]}"
    ids = []
    for subject, status, requestors, installation in RT_TICKETS:
        data = {"Queue": "Support", "Subject": f"{subject} {tag}", "Requestor": requestors,
                "Content": "Reported by phone.", "ContentType": "text/plain"}
        if installation:
            data["CustomFields"] = {"Installation": installation}
        answer = rt.api("POST", "/ticket", json=data)
        assert answer.status_code == 201, answer.text
        ids.append(str(answer.json()["id"]))
        if status != "new":  # RT's lifecycle lets a ticket be created "new" or "open" only
            changed = rt.api("PUT", f"/ticket/{ids[-1]}", json={"Status": status})
            assert changed.status_code == 200, changed.text
    return RTTickets(tag=tag, ids=tuple(ids))


@pytest.fixture
def rt_ticket(rt) -> str:
    """A fresh open ticket of its own, for a test that writes time to it."""
    answer = rt.api("POST", "/ticket", json={
        "Queue": "Support", "Subject": f"Remote session {uuid.uuid4().hex[:8]}",
        "Requestor": ["anna@mueller.example"], "Content": "x", "ContentType": "text/plain"})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


@pytest.fixture
def zammad():
    """A stand-in Zammad with the documentation's organisations and no tickets yet."""
    server = ZammadStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return free.getsockname()[1]


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]
