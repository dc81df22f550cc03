"""SQLite storage: opening and migrating the database, writing executions, querying them.

Knows nothing of typer, rich or litellm. Every piece of SQL of the project lives here.
"""
