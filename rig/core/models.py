"""Camera models: one profile per model, the only place that knows how a model differs (docs/DESIGN.md).

The procedure, the fixes, the reports and the simulator ask a model's :class:`CameraModel` (how it is powered,
whether a Sync Module stands between it and the router, which actuator makes it see motion, which outlets
restart it) instead of comparing model names. A new model is one module that calls :func:`register_model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PowerSource(StrEnum):
    BATTERY = "battery"   # AA lithium pack: the rig load-tests it and can swap in the reference pack
    USB = "usb"           # a wall supply: no battery test, nothing for the power meter to see


@dataclass(frozen=True)
class SimTimings:
    """The simulated firmware's timing ranges for this model (each unit draws its own value once)."""

    boot_s: tuple[float, float] = (2.5, 4.5)
    connect_s: tuple[float, float] = (1.5, 3.0)
    retry_s: tuple[float, float] = (10.0, 20.0)
    heartbeat_s: tuple[float, float] = (30.0, 60.0)        # an online camera's periodic WiFi check-in...
    heartbeat_burst_s: tuple[float, float] = (0.3, 0.6)    # ...and how long its radio is on for it
    motion_latency_s: tuple[float, float] = (0.15, 0.5)    # stimulus to the motion flash (PIR settling)
    clip_s: tuple[float, float] = (8.0, 12.0)              # short clips keep bench runs short (5-60 s allowed)


@dataclass(frozen=True)
class CameraModel:
    """What the rig and the simulator need to know about one camera model."""

    name: str
    label: str                   # how sheets name it: "Outdoor", "Mini"
    description: str
    power: PowerSource
    via_sync_module: bool        # reaches the router through a Sync Module (restart both together)
    motion_actuator: str         # the actuator (config [actuators]) whose stimulus this model's sensor sees
    unplugged_while_deleted: bool = False   # the article: a Mini is unplugged while deleted from the app
    sim: SimTimings = field(default_factory=SimTimings)

    @property
    def has_battery(self) -> bool:
        """Battery powered: the rig load-tests the pack and can feed the camera from the reference pack."""
        return self.power is PowerSource.BATTERY

    @property
    def restart_outlets(self) -> tuple[str, ...]:
        """The outlets the article's restart switches off together (camera, and its Sync Module if any)."""
        return ("camera", "sync_module") if self.via_sync_module else ("camera",)


MODELS: dict[str, CameraModel] = {}
"""Every known model by name, in registration order (the first is the default)."""


def register_model(model: CameraModel) -> CameraModel:
    """Make ``model`` known everywhere (scanner, scenarios, the procedure, the simulator)."""
    if model.name in MODELS and MODELS[model.name] != model:
        raise ValueError(f"camera model {model.name!r} is already registered differently")
    MODELS[model.name] = model
    return model


def model_names() -> tuple[str, ...]:
    return tuple(MODELS)


def camera_model(name: str) -> CameraModel:
    """The profile of ``name``; one line naming the known models if there is none."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown camera model {name!r} (known: {', '.join(MODELS)})") from None


OUTDOOR = register_model(CameraModel(
    name="outdoor",
    label="Outdoor",
    description="Blink Outdoor: two AA lithium cells, through a Sync Module, PIR sees a warm-body stimulus",
    power=PowerSource.BATTERY,
    via_sync_module=True,
    motion_actuator="motion_stimulus",
))
MINI = register_model(CameraModel(
    name="mini",
    label="Mini",
    description="Blink Mini: USB powered, straight to the WiFi, motion seen in the image (a light)",
    power=PowerSource.USB,
    via_sync_module=False,
    motion_actuator="motion_light",
    unplugged_while_deleted=True,
))
