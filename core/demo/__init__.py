"""The demo data of ``yixian seed demo``: the units, people, schemes and figures of the reports."""
