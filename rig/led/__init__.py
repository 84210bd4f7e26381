"""The camera's status LED: edge traces (CSV, VCD), pulse extraction and the streaming pattern classifier.

Data flows one way: photodiode edges -> :mod:`rig.led.pulses` (sensor noise removed) ->
:mod:`rig.led.grammar` (which pattern the pulses can still be) -> :mod:`rig.led.classifier` (commits).
"""
