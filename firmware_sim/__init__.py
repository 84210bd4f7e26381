"""The simulated bench: hardware emulators at the lowest level the libraries expose, and the world behind them.

Nothing in here is imported by ``rig`` except ``rig.sim``, the one place that builds a simulated rig.
"""
