"""The same import and tariffs on every interface: JSON API (multipart), CLI, screens."""

import io

import pytest
from sqlalchemy import func, select

from plugin.db import session
from plugin.models import Call, Tariff

from .conftest import master_row

FILE = master_row(uniqueid="1.1") + master_row(start="2026-10-20 16:04:00", billsec=61,
                                               uniqueid="1.2")


def upload(client, auth, url, text, **form):
    return client.post(url, data={"file": (io.BytesIO(text.encode()), "Master.csv"), **form},
                       headers={"X-CSRFToken": auth.csrf}, content_type="multipart/form-data")


def test_the_api_imports_a_multipart_upload_and_reports_the_summary(app, client, admin, world):
    r = upload(client, admin, "/api/v1/calls/imports", FILE, format="asterisk")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["status"], body["imported"], body["duplicates"], body["errors"]) == \
        ("done", 2, 0, [])
    again = upload(client, admin, "/api/v1/calls/imports", FILE, format="asterisk").get_json()
    assert (again["imported"], again["duplicates"]) == (0, 2)
    calls = client.get(f"/api/v1/calls?customer_id={world.muller}")
    assert calls.headers["X-Total-Count"] == "2"
    assert sorted(c["cost"] for c in calls.get_json()) == ["0.04", "0.62"]
    assert client.get(f"/api/v1/calls/imports/{body['id']}").get_json()["imported"] == 2


def test_the_api_reports_a_rejected_file_with_its_lines(client, admin, world):
    r = upload(client, admin, "/api/v1/calls/imports", FILE + "bad\n", format="asterisk")
    body = r.get_json()
    assert (r.status_code, body["status"], body["imported"]) == (201, "rejected", 0)
    assert body["errors"][0]["line"] == 3
    quarantined = upload(client, admin, "/api/v1/calls/imports", FILE + "bad\n",
                         format="asterisk", mode="quarantine").get_json()
    assert (quarantined["imported"], quarantined["rejected"]) == (2, 1)


@pytest.mark.parametrize(("form", "field"), [
    ({"format": "cisco"}, "format"), ({}, "format"),
    ({"format": "asterisk", "mode": "sometimes"}, "mode"),
    ({"format": "csv", "mapping": "when=Date"}, "mapping")])
def test_the_api_names_the_field_at_fault(client, admin, world, form, field):
    r = upload(client, admin, "/api/v1/calls/imports", FILE, **form)
    assert r.status_code == 422 and r.get_json()["error"]["field"] == field
    r = client.post("/api/v1/calls/imports", data={"format": "asterisk"},
                    headers={"X-CSRFToken": admin.csrf})
    assert r.get_json()["error"]["field"] == "file"


def test_the_api_lists_unmatched_and_unrated_calls_and_rates_them_after_a_new_tariff(
        client, admin, world):
    upload(client, admin, "/api/v1/calls/imports", master_row(dst="00431234567"),
           format="asterisk")
    unrated = client.get("/api/v1/calls?review=unrated").get_json()
    assert [c["callee"] for c in unrated] == ["+431234567"]
    assert client.get("/api/v1/calls?review=unmatched").headers["X-Total-Count"] == "1"
    assert client.get("/api/v1/calls?review=odd").status_code == 422
    headers = {"X-CSRFToken": admin.csrf}
    r = client.post("/api/v1/tariffs", json={"name": "AT", "prefix": "+43",
                                              "valid_from": "2026-01-01",
                                              "price_per_minute": "0.10"}, headers=headers)
    assert r.status_code == 201 and r.get_json()["price_per_minute"] == "0.1000"
    assert client.post("/api/v1/calls/rate", json={}, headers=headers).get_json()["rated"] == 1
    assert client.get("/api/v1/calls?review=unrated").get_json() == []
    assert client.post("/api/v1/calls/rate", json={"period": "10/2026"},
                       headers=headers).get_json()["error"]["field"] == "period"


def test_the_tariff_api_creates_changes_lists_and_imports(client, admin, world):
    headers = {"X-CSRFToken": admin.csrf}
    bad = client.post("/api/v1/tariffs", json={"name": "x", "prefix": "089",
                                                "valid_from": "2026-01-01",
                                                "price_per_minute": "1"}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "prefix"
    changed = client.patch(f"/api/v1/tariffs/{world.landline}",
                           json={"markup_percent": "10"}, headers=headers)
    assert changed.get_json()["markup_percent"] == "10.00"
    r = upload(client, admin, "/api/v1/tariffs/import",
               "name,prefix,valid_from,price_per_minute\nDE 2027,+49,2027-01-01,0.03\n")
    assert r.get_json() == {"created": 1, "updated": 0}
    listed = client.get("/api/v1/tariffs?on=2027-06-01").get_json()
    assert [t["name"] for t in listed] == ["DE 2027"]
    assert client.delete(f"/api/v1/tariffs/{world.landline}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/tariffs/{world.landline}").status_code == 404


def test_billing_may_read_calls_and_tariffs_but_not_import_or_change(client, make_user, world):
    from tests.conftest import Auth

    make_user("berta", "billing")
    auth = Auth(client)
    auth.login("berta")
    assert client.get("/api/v1/calls").status_code == 200
    assert client.get("/api/v1/tariffs").status_code == 200
    assert client.get("/calls").status_code == 200
    assert upload(client, auth, "/api/v1/calls/imports", FILE,
                  format="asterisk").status_code == 403
    assert client.post("/api/v1/tariffs", json={}, headers={"X-CSRFToken": auth.csrf}
                       ).status_code == 403
    assert client.get("/calls/import").status_code == 403


def test_engineers_do_not_see_telephony(client, make_user):
    from tests.conftest import Auth

    make_user("erika", "engineer")
    Auth(client).login("erika")
    assert client.get("/calls").status_code == 403
    assert client.get("/tariffs").status_code == 403
    assert "/calls" not in client.get("/account").get_data(as_text=True)


def test_the_cli_imports_with_a_progress_bar_and_reports(app, runner, world, tmp_path):
    path = tmp_path / "Master.csv"
    path.write_text(FILE * 1 + "".join(master_row(start=f"2026-10-03 10:{m:02d}:00")
                                       for m in range(30)))
    result = runner.invoke(args=["quarterhour", "import-calls", str(path),
                                 "--format", "asterisk"])
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output  # the bar itself is drawn only on a terminal
    assert "done: 32 read, 32 imported, 0 duplicates" in result.output
    again = runner.invoke(args=["quarterhour", "import-calls", str(path),
                                "--format", "asterisk"])
    assert "0 imported, 32 duplicates" in again.output
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Call)) == 32


def test_the_cli_rejects_a_bad_file_naming_the_line_and_exits_non_zero(runner, world,
                                                                        tmp_path):
    path = tmp_path / "Master.csv"
    path.write_text(FILE + '"x"\n')
    result = runner.invoke(args=["quarterhour", "import-calls", str(path),
                                 "--format", "asterisk"])
    assert result.exit_code == 1
    assert "line 3: 1 columns" in result.output and "nothing imported" in result.output
    quarantined = runner.invoke(args=["quarterhour", "import-calls", str(path), "--format",
                                      "asterisk", "--on-error", "quarantine"])
    assert quarantined.exit_code == 0 and "2 imported" in quarantined.output
    csv = tmp_path / "calls.csv"
    csv.write_text("Datum,Von,An,Sek\n2026-10-02 08:59:00,201,0891234567,61\n")
    mapped = runner.invoke(args=["quarterhour", "import-calls", str(csv), "--format", "csv",
                                 "--mapping", "start=Datum,caller=Von,callee=An,billsec=Sek"])
    assert mapped.exit_code == 0 and "1 imported" in mapped.output, mapped.output


def test_the_cli_imports_a_price_list(app, runner, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("name,prefix,valid_from,price_per_minute\nDE,+49,2026-01-01,0.02\n")
    result = runner.invoke(args=["quarterhour", "import-tariffs", str(path)])
    assert result.exit_code == 0 and "1 new" in result.output
    with app.app_context():
        assert session.scalar(select(Tariff.prefix)) == "+49"


def test_the_screens_upload_show_the_summary_and_escape_what_the_file_says(
        app, client, admin, world):
    page = client.get("/calls/import")
    assert page.status_code == 200 and 'data-qh-upload' in page.get_data(as_text=True)
    assert client.get("/static/quarterhour/upload.js").status_code == 200
    evil = master_row(src="<script>alert(1)</script>", dst="0301234567") + '"<b>bad</b>"\n'
    r = client.post("/calls/import", data={
        "csrf_token": admin.csrf, "format": "asterisk", "mode": "quarantine",
        "file": (io.BytesIO(evil.encode()), "<i>Master</i>.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "1 calls imported" in html
    assert "<i>Master</i>" not in html and "&lt;i&gt;Master&lt;/i&gt;" in html
    assert "<b>bad</b>" not in html and "&lt;b&gt;bad&lt;/b&gt;" in html
    calls = client.get("/calls?review=unmatched").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in calls and "&lt;script&gt;" in calls
    assert client.get("/calls/imports").status_code == 200
    assert client.get("/calls/imports/999").status_code == 404


def test_the_upload_form_names_a_missing_file_and_a_bad_mapping(client, admin, world):
    r = client.post("/calls/import", data={"csrf_token": admin.csrf, "format": "asterisk",
                                           "mode": "reject"})
    assert r.status_code == 400 and "Choose a file." in r.get_data(as_text=True)
    r = client.post("/calls/import", data={
        "csrf_token": admin.csrf, "format": "csv", "mode": "reject", "mapping": "when=Date",
        "file": (io.BytesIO(b"a,b\n"), "x.csv")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "unknown field" in r.get_data(as_text=True)


def test_the_tariff_screens_create_edit_and_import(client, admin, world):
    page = client.get("/tariffs").get_data(as_text=True)
    assert "DE landline" in page and "60/60" in page
    r = client.post("/tariffs/new", data={
        "csrf_token": admin.csrf, "name": "<b>Mobile</b>", "prefix": "089",
        "valid_from": "2026-01-01", "price_per_minute": "0.09"})
    assert r.status_code == 400 and "not an international (E.164) prefix" in \
        r.get_data(as_text=True)
    r = client.post("/tariffs/new", data={
        "csrf_token": admin.csrf, "name": "<b>Mobile</b>", "prefix": "+4915",
        "valid_from": "2026-01-01", "price_per_minute": "0.09", "first_increment": "30",
        "next_increment": "6", "connect_fee": "0", "markup_percent": "0",
        "minimum_charge": "0"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "&lt;b&gt;Mobile&lt;/b&gt;" in html and "30/6" in html
    assert client.get(f"/tariffs/{world.landline}/edit").status_code == 200
    r = client.post("/tariffs/import", data={
        "csrf_token": admin.csrf,
        "file": (io.BytesIO(b"name,prefix,valid_from,price_per_minute\nX,+1,2026-01-01,x\n"),
                 "p.csv")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "line 2, price_per_minute" in r.get_data(as_text=True)
