"""A camera model that does not exist: a wired doorbell, USB powered, straight to the WiFi, slow to boot.

The whole model is this module; registering it is its last line.
"""

from rig.core.models import CameraModel, PowerSource, SimTimings, register_model

DOORBELL = CameraModel(
    name="doorbell",
    label="Doorbell",
    description="a wired doorbell camera: USB powered, no Sync Module, sees motion in the image",
    power=PowerSource.USB,
    via_sync_module=False,
    motion_actuator="motion_light",
    sim=SimTimings(boot_s=(6.0, 8.0), connect_s=(3.0, 5.0)),
)

register_model(DOORBELL)
