"""The work bench: where each member of staff's day starts, with what is due in their view."""
