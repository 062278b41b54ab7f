"""Notifications: who is told that a statement reached them, in the app and by email (sent by the worker)."""
