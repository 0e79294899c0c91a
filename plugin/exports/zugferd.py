"""ZUGFeRD / Factur-X: the EN 16931 CII XML embedded in the PDF/A-3 invoice by factur-x."""

from facturx import generate_from_binary

from plugin.exports import cii, pdf


def render(invoice, settings) -> bytes:
    xml = cii.build(invoice, xrechnung=False)
    document = pdf.render(invoice, settings, variant="pdf/a-3b")
    return generate_from_binary(document, xml, flavor="factur-x", level="en16931",
                                check_xsd=True, lang="de")
