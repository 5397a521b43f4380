"""Accounts: registration, and each student's time zone carried in the session."""
