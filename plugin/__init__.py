"""Quarterhour: remote-support time, service contracts and telephony costs turned into invoices."""

# The billing core (plugin.billing) must import without Flask, so the extension loads lazily.


def __getattr__(name):
    if name == "QuarterHour":
        from plugin.extension import QuarterHour

        return QuarterHour
    if name == "__version__":
        from plugin.manifest import MANIFEST

        return MANIFEST.version
    raise AttributeError(name)
