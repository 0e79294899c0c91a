"""Blueprints: sign-in, pages and the JSON API; views stay thin."""
