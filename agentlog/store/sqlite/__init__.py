"""The SQLite log: one database file (WAL) per log. Nothing outside store/ imports this
package; `store.open()` does."""
