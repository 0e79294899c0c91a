"""Helpdesk connectors as use cases: connections, mappings, the sync, pushes of time, webhooks.

Like every service they flush and never commit; the clients they use come from
plugin.connectors.helpdesks, the settings and secret keys are passed in.
"""
