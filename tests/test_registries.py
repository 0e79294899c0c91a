"""The CDR formats and the export formats are listed once: every interface offers exactly those."""

from plugin import cdr, exports


def _choices(command, option: str) -> list[str]:
    [param] = [p for p in command.params if p.name == option]
    return list(param.type.choices)


def test_every_interface_offers_the_cdr_formats_and_modes_of_the_registry(client):
    from plugin.api.calls import IMPORT
    from plugin.cli.telephony import import_calls_command
    from plugin.models import CallImport
    from plugin.web.calls import FORMAT_CHOICES, MODE_CHOICES

    assert _choices(import_calls_command, "fmt") == list(cdr.FORMATS)
    assert _choices(import_calls_command, "mode") == list(cdr.MODES)
    assert [c.value for c in FORMAT_CHOICES] == list(cdr.FORMATS)
    assert [c.value for c in MODE_CHOICES] == list(cdr.MODES)
    assert IMPORT["properties"]["format"]["enum"] == list(cdr.FORMATS)
    checks = {c.name: str(c.sqltext) for c in CallImport.__table__.constraints
              if c.name and "known" in c.name}
    assert all(f"'{name}'" in checks["ck_qh_call_imports_format_known"] for name in cdr.FORMATS)
    assert all(f"'{name}'" in checks["ck_qh_call_imports_mode_known"] for name in cdr.MODES)


def test_every_interface_offers_the_export_formats_of_the_registry(client):
    from plugin.cli.billing import export_command

    assert _choices(export_command, "name") == [*exports.FORMATS, exports.ZIP]
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/invoices/{invoice_id}/export"]["get"]
    assert all(name in operation["summary"] for name in exports.FORMATS)
    [fmt] = [p for p in operation["parameters"] if p["name"] == "format"]
    assert fmt["required"] and fmt["schema"]["enum"] == sorted(exports.FORMATS)
