"""The audit trail: an append-only, hash-chained log of mutations, saved-query runs and unmasked
reads of personal information, with signed checkpoints auditors keep outside the database."""
