"""Bench-test rig for returned Blink cameras: watch the LED, measure the battery, run the fixes, log the verdict."""

__version__ = "0.1.0"
