"""Rasa extensions for keeping conversations (the tracker store named in endpoints.yml)."""

# The `tracker_store: type:` values whose conversations are in an SQL database, lower-cased:
# Rasa's own SQL store and this package's SQLite store (footdrop_rasa/stores/sqlite.py). The start-up check
# and the staff tools (report, purge) read these stores.
SQL_STORE_TYPES = frozenset({"sql", "rasa.core.tracker_store.sqltrackerstore", "footdrop_rasa.stores.sqlite.sqlitetrackerstore"})
