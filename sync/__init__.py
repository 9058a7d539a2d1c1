"""The sync engine: apply pushed mutations, merge fields, serve the change feed.

Plain Python over SQLAlchemy: it takes a session and plain values, never a Flask request.
"""
