"""Built-in power-cycle sequences, run by name: ``rig cycle --list``."""
