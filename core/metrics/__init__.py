"""Metric definitions and observations, aggregated by the database over subtrees and periods."""
