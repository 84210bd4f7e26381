"""The bench procedure: session, steps, fixes, ladder, controller, batch."""
