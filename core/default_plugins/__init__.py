"""The core's own plugins: the core registers its tables and metrics through the public hooks."""
