"""Backup and restore of the whole records store in one portable archive."""
