"""The core's mutations: one module per domain, each payload carrying the object or typed errors."""
