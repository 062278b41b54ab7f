"""The organisation: units, people and their sign-in tokens, spokespersons, and the units' sensitivity rules."""
