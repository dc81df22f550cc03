"""The PostgreSQL log (psycopg 3): one database shared by every machine that logs to it.
Nothing outside store/ imports this package; `store.open()` does for a `postgresql://` URL."""
