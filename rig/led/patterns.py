"""The names of the LED patterns (docs/DESIGN.md, "The LED timing model"): the words every part of the rig uses."""

from __future__ import annotations

from enum import StrEnum


class Pattern(StrEnum):
    """A blink pattern of the camera's status LED. The values are the contract's names (CSV, JSON)."""

    NONE = "none"                  # dark: a healthy, idle camera
    MOTION = "motion"              # one quick flash, maybe followed by the recording light
    NETWORK_LOST = "network_lost"  # a quick flash every 3 s while offline
    LOW_BATTERY = "low_battery"    # a burst of 5-6 quick flashes after the recording light goes out
    SOLID = "solid"                # lit longer than any clip: stuck LED or flooded photodiode
    UNKNOWN = "unknown"            # anything else
