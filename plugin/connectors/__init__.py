"""Outside services we talk to: the accounting endpoint."""
