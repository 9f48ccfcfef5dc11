"""People (干部 and others) with their personal information."""
