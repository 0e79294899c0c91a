"""PRODUCT.md §5 around the core: contract terms, the checks, tasks, offers, budget alerts."""
