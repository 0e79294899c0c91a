"""Tests of the pure billing core: tables and properties, no app, no database."""
