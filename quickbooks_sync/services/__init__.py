"""Writes of the QuickBooks integration: connection.py (OAuth, tokens), sync.py, send.py."""
