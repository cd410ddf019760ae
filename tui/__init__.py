"""Veille's front ends: the `veille` command line and the Textual chat."""
