"""Question sets, metrics and the `veille eval` runner."""
