"""Application wiring: the ASGI app, the command line and the test kit import everything."""
