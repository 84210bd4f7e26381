"""Typed records, configuration, clock, events: what every layer shares; imports no hardware."""
