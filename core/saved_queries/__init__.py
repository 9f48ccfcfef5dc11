"""Saved queries: named, versioned GraphQL documents that auditors run again and again."""
