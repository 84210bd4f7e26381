"""The camera's status LED: edge traces (CSV, VCD), pulse extraction and the streaming pattern classifier.

Data flows one way: photodiode edges (:class:`rig.led.edge.Edge`, the one edge type) -> :mod:`rig.led.pulses`
(sensor noise removed: PWM gaps bridged, glitches, flicker, chatter and dropouts dropped) ->
:mod:`rig.led.grammar` (which pattern the pulses can still be) -> :mod:`rig.led.classifier` (commits).
:mod:`rig.led.trace` reads and writes traces (CSV, VCD) as streams into the same classifier.
"""
