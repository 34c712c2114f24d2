"""Signals cases sends to the apps built on it: cases imports none of them, they listen."""

from django.dispatch import Signal

# Sent by `gridgov cases_tick` after each deadline sweep: apps
# that keep figures derived from cases (the indicators rollup) bring them up to date. A receiver
# returns a line for the command's output (or None).
swept = Signal()
