"""What the database remembers about plugins: where they are active, their settings, failures."""
