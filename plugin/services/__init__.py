"""Use cases: load, call the billing core, persist. They flush; the caller commits."""
