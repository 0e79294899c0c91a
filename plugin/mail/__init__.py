"""E-mail: SMTP settings, the outbox written in the business transaction, its delivery job.

Kept free of imports so that plugin.config can read plugin.mail.settings at start-up; the API is
in plugin.mail.outbox (queue, deliver_due, resend, delivery_log) and plugin.mail.attachments.
"""
