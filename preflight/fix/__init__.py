"""Fixing: the text edits a rule offers (edits), applied round after round until none is left (rounds),
and written to the files they fix, or shown as a diff (files)."""
