"""The rig's configuration: one TOML file describing the fixture, validated before any pin is touched.

The built-in default (``rig/defaults/fixture.toml``) is the reference fixture drawn in ``wiring/``; a user file
is deep-merged over it, so a bench that differs in one pin says only that pin. Validation is pydantic's; this
module adds the cross-field rules (a pin used twice, the I2C pins taken, a relay channel used twice) and turns
every failure into one line naming the file, the key and the problem.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rig.core.textfile import parse_toml, printable, read_text_file

OUTLET_NAMES = ("router", "sync_module", "camera")
ACTUATOR_NAMES = ("reset_button", "motion_stimulus", "motion_light", "load_switch", "battery_changeover")
I2C1_PINS = (2, 3)  # SDA, SCL of I2C bus 1 on the 40-pin header
# A CH340 board as udev names it by id (ls -l /dev/serial/by-id): stable across reboots, unlike /dev/ttyUSB0.
DEFAULT_SERIAL_PORT = "/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0"

BcmPin = Annotated[int, Field(ge=0, le=27, description="BCM GPIO number on the 40-pin header")]
Seconds = Annotated[float, Field(ge=0)]
LONGEST_CLIP_S = 60.0   # DESIGN: a recording lasts 5-60 s; a light lit longer is "solid"
UNITS = {"_s": "seconds", "_v": "volts", "_a": "amperes", "_ohm": "ohms"}


class ConfigError(ValueError):
    """A configuration problem, already phrased as the one line a technician should read."""


class _Strict(BaseModel):
    """Strict types (``true`` is not GPIO1, ``"65"`` is not 65 s, ``"yes"`` is not a boolean) and finite
    numbers only: an ``inf`` timeout would wait for ever."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class PhotodiodeConfig(_Strict):
    pin: BcmPin
    active_high: bool = True
    pull_up: bool | None = None


class PowerMeterConfig(_Strict):
    i2c_bus: int = Field(1, ge=0, le=31)
    i2c_bus_hz: int = Field(
        100_000, ge=10_000, le=1_000_000,
        description="the bus clock (dtparam=i2c_arm_baudrate on a Pi): the simulator's I2C runs at it",
    )
    address: int = Field(0x40, ge=0x40, le=0x4F)
    shunt_ohm: float = Field(0.1, ge=0.001, le=10.0, description="a current shunt: milliohms to a few ohms")
    max_expected_current_a: float = Field(2.0, gt=0, le=3.2)
    samples: int = Field(16, ge=1, le=1024)


class RelaysConfig(_Strict):
    """The shorthand for outlets whose table names no ``backend``, and the LCUS board's port and speed."""

    backend: Literal["gpio", "serial"] = "gpio"
    serial_port: str = DEFAULT_SERIAL_PORT
    baud: int = Field(9600, gt=0)


# ``relays.backend`` names the outlet backend of every table without its own ``backend`` key.
LEGACY_BACKENDS = {"gpio": "gpio", "serial": "lcus"}
# Keys such a table may carry for both relay backends (the default fixture gives each outlet a pin and a
# channel); the one the chosen backend does not use is dropped.
LEGACY_RELAY_KEYS = ("pin", "channel", "active_low")


class OutletConfig(_Strict):
    """One outlet: its backend's name, that backend's validated keys, and the fail-safe acknowledgement."""

    backend: str
    settings: Any   # the backend's BackendSettings (rig/hardware/power)
    not_fail_safe_ok: bool = False
    # A table without ``backend`` may carry the other relay backend's keys (the reference fixture documents
    # both wirings, and wiring/ checks both): kept here, unused by the outlet.
    relay_keys: dict[str, Any] = {}

    def _relay_key(self, key: str) -> Any:
        return getattr(self.settings, key, self.relay_keys.get(key))

    @property
    def pin(self) -> int | None:
        return self._relay_key("pin")

    @property
    def channel(self) -> int | None:
        return self._relay_key("channel")

    @property
    def active_low(self) -> bool | None:
        return self._relay_key("active_low")

    @property
    def normally_on(self) -> bool | None:
        return self._relay_key("normally_on")


class ActuatorConfig(_Strict):
    pin: BcmPin | None = None
    expander: int | None = Field(None, ge=0x20, le=0x27, description="an MCP23017's address, instead of a pin")
    line: int | None = Field(None, ge=0, le=15, description="the expander line: GPA0-7 are 0-7, GPB0-7 8-15")
    active_high: bool = True

    @model_validator(mode="after")
    def _one_place(self) -> ActuatorConfig:
        if (self.pin is None) == (self.expander is None):
            raise ValueError("pin: give either pin (a GPIO) or expander and line (an MCP23017 line)")
        if (self.expander is None) != (self.line is None):
            raise ValueError("line: expander and line go together")
        return self

    def expander_line(self, i2c_bus: int) -> tuple[str, int, int, int] | None:
        if self.expander is None or self.line is None:
            return None
        return ("mcp23017", i2c_bus, self.expander, self.line)


class NetworkConfig(_Strict):
    router_host: str = Field(min_length=1, max_length=253, pattern=r"^\S+$")
    router_port: int = Field(80, ge=1, le=65535)
    internet_host: str = Field(min_length=1, max_length=253, pattern=r"^\S+$")
    internet_port: int = Field(53, ge=1, le=65535)
    timeout_s: float = Field(2.0, gt=0, le=60.0)


class BatteryConfig(_Strict):
    background_load_a: float = Field(0.005, ge=0, le=0.5)
    pulse_load_ohm: float = Field(3.3, ge=0.5, le=1000.0)
    pulse_s: float = Field(0.1, gt=0, le=2.0)
    settle_s: float = Field(0.02, ge=0, le=2.0)
    # 2 x AA lithium: about 3.6 V fresh; a threshold above 4 V fails every pack
    min_open_circuit_v: float = Field(3.0, gt=0, le=4.0)
    min_loaded_v: float = Field(2.6, gt=0, le=4.0)
    max_internal_resistance_ohm: float = Field(1.0, gt=0, le=20.0)
    camera_brownout_v: float = Field(
        2.0, gt=0, le=5.0, description="ASSUMED: below this a camera on the pack under test resets"
    )
    calibration_file: str | None = Field(
        None, min_length=1, max_length=1024,
        description="where `rig calibrate` stores the fixture's series resistance",
    )

    @model_validator(mode="after")
    def _ordered(self) -> BatteryConfig:
        if self.min_loaded_v >= self.min_open_circuit_v:
            raise ValueError(f"battery.min_loaded_v: {self.min_loaded_v:g} volts must be below "
                             f"min_open_circuit_v ({self.min_open_circuit_v:g} volts): a pack sags under load")
        if self.settle_s >= self.pulse_s:
            raise ValueError(f"battery.settle_s: {self.settle_s:g} seconds must be shorter than the load pulse "
                             f"it waits in (pulse_s = {self.pulse_s:g} seconds)")
        return self


class LedConfig(_Strict):
    observe_timeout_s: float = Field(20.0, gt=0, le=600.0)
    motion_timeout_s: float = Field(10.0, gt=0, le=120.0)
    recording_timeout_s: float = Field(
        75.0, gt=LONGEST_CLIP_S, le=600.0, description="above the longest clip, or a clip looks solid"
    )


class TimingsConfig(_Strict):
    router_off_s: float = Field(35.0, ge=30.0, le=600.0, description="the article: at least 30 s")
    camera_off_s: float = Field(65.0, ge=60.0, le=120.0, description="the article: 1 to 2 minutes")
    reconnect_timeout_s: float = Field(150.0, gt=0, le=1800.0)
    reconnect_spread_s: float = Field(
        60.0, gt=0, le=600.0, description="cameras behind one bench path come back within this of one another"
    )
    boot_grace_s: float = Field(10.0, ge=0, le=300.0)
    reset_hold_s: float = Field(12.0, gt=0, le=60.0)
    readd_wait_s: float = Field(180.0, ge=180.0, le=300.0, description="the article: 3 to 5 minutes")
    operator_timeout_s: float = Field(600.0, gt=0, le=3600.0)
    poll_s: float = Field(0.5, ge=0.01, le=10.0)

    @model_validator(mode="after")
    def _timeouts_above_their_waits(self) -> TimingsConfig:
        if self.reconnect_timeout_s <= self.boot_grace_s:
            raise ValueError(f"timings.reconnect_timeout_s: {self.reconnect_timeout_s:g} seconds must be longer "
                             f"than the boot grace it includes (boot_grace_s = {self.boot_grace_s:g} seconds)")
        if self.poll_s >= self.reconnect_timeout_s:
            raise ValueError(f"timings.poll_s: {self.poll_s:g} seconds must be shorter than the waits it polls "
                             f"(reconnect_timeout_s = {self.reconnect_timeout_s:g} seconds)")
        return self


MAX_SLOTS = 8
SLOT_TABLES = ("photodiode", "power_meter", "actuators")   # and outlets.camera: what each slot has of its own
SHARED_KEYS = ("outlets.router", "outlets.sync_module", "sync_module_led")   # the bench's, one for every slot


class BenchConfig(_Strict):
    lock_file: str = Field("/run/lock/blink-rig.lock", min_length=1, max_length=1024)
    slots: int | None = Field(None, ge=1, le=MAX_SLOTS, description="camera slots on the fixture (docs/DESIGN.md)")


class RigConfig(_Strict):
    bench: BenchConfig = BenchConfig()
    photodiode: PhotodiodeConfig
    sync_module_led: PhotodiodeConfig   # a second light sensor, on the Sync Module's green LED (the bench's)
    power_meter: PowerMeterConfig
    relays: RelaysConfig
    outlets: dict[Literal["router", "sync_module", "camera"], OutletConfig]
    actuators: dict[
        Literal["reset_button", "motion_stimulus", "motion_light", "load_switch", "battery_changeover"],
        ActuatorConfig,
    ]
    network: NetworkConfig
    battery: BatteryConfig
    led: LedConfig
    timings: TimingsConfig
    slots: dict[int, RigConfig] = Field(default_factory=dict, description="slots 2..N, each as a whole config")

    @classmethod
    def _resolve_slots(cls, data: Any) -> Any:
        """Each ``[slots.N]`` table to a whole config: this one with the slot's own photodiode, power meter,
        camera outlet and actuators (the shared bench's router and Sync Module outlets stay the same)."""
        if not isinstance(data, dict) or "slots" not in data:
            return data
        tables = data["slots"]
        if not isinstance(tables, dict):
            raise ValueError("slots: must be a table of [slots.N] tables")
        shared = {k: v for k, v in data.items() if k != "slots"}
        resolved: dict[int, Any] = {}
        for key, table in tables.items():
            number = int(key) if str(key).isdigit() else None
            if number is None or not 2 <= number <= MAX_SLOTS:
                raise ValueError(f"slots.{printable(str(key))}: a slot number from 2 to {MAX_SLOTS} (slot 1 is the "
                                 "top-level tables)")
            if isinstance(table, RigConfig):
                resolved[number] = table
                continue
            if not isinstance(table, dict):
                raise ValueError(f"slots.{number}: must be a table")
            resolved[number] = _slot_config(number, table, shared)
        return {**data, "slots": resolved}

    @model_validator(mode="after")
    def _check_slots(self) -> RigConfig:
        declared = self.bench.slots
        numbers = sorted(self.slots)
        if declared is not None and numbers != list(range(2, declared + 1)):
            missing = [n for n in range(2, declared + 1) if n not in self.slots]
            raise ValueError(
                f"slots.{missing[0]}: missing (bench.slots = {declared})" if missing else
                f"slots.{numbers[-1]}: beyond bench.slots = {declared}"
            )
        if declared is None and numbers != list(range(2, len(numbers) + 2)):
            raise ValueError(f"slots.{len(numbers) + 1}: missing (slots are numbered from 2 without gaps)")
        check_slots_apart(self)
        return self

    @property
    def slot_count(self) -> int:
        return 1 + len(self.slots)

    def slot_config(self, slot: int) -> RigConfig:
        """Slot ``slot``'s whole config (slot 1: this one)."""
        return self if slot == 1 else self.slots[slot]

    @model_validator(mode="before")
    @classmethod
    def _resolve_outlets(cls, data: Any) -> Any:
        """Each ``[outlets.X]`` table to {backend, settings, not_fail_safe_ok}, validated by its backend (the
        slots first, from the same raw tables)."""
        data = cls._resolve_slots(data)
        if not isinstance(data, dict) or not isinstance(data.get("outlets"), dict):
            return data
        relays = data.get("relays")
        legacy = relays.get("backend", "gpio") if isinstance(relays, dict) else "gpio"
        if legacy not in LEGACY_BACKENDS:
            return data  # relays.backend's own error is the one to report
        outlets = {
            name: _resolve_outlet(str(name), dict(table), data, legacy) if isinstance(table, dict) else table
            for name, table in data["outlets"].items()
        }
        return {**data, "outlets": outlets}

    @model_validator(mode="after")
    def _check_fixture(self) -> RigConfig:
        for group, names, found in (
            ("outlets", OUTLET_NAMES, self.outlets),
            ("actuators", ACTUATOR_NAMES, self.actuators),
        ):
            missing = [n for n in names if n not in found]
            if missing:
                raise ValueError(f"{group}.{missing[0]}: missing (every fixture needs it)")
        longest_off_s = max(self.timings.router_off_s, self.timings.camera_off_s)
        for name, outlet in self.outlets.items():
            problem = outlet.settings.check_timings(longest_off_s)
            if problem:
                raise ValueError(f"outlets.{name}.{problem}")
            if not outlet.settings.fail_safe() and not outlet.not_fail_safe_ok:
                raise ValueError(
                    f"outlets.{name}: {outlet.settings.fail_safe_problem()} (not fail-safe): set "
                    f"outlets.{name}.not_fail_safe_ok = true to accept that"
                )
        owners: dict[int, str] = {}
        for key, pin in self.gpio_pins().items():
            if self.power_meter.i2c_bus == 1 and pin in I2C1_PINS:
                raise ValueError(f"{key}: GPIO{pin} is an I2C pin (SDA=GPIO2, SCL=GPIO3) used by the INA219")
            if pin in owners:
                raise ValueError(f"{key}: GPIO{pin} is already used by {owners[pin]}")
            owners[pin] = key
        claimed: dict[object, str] = {}
        for key, (resource, what) in self.claimed_resources().items():
            if resource in claimed:
                raise ValueError(f"{key}: {what} is already used by {claimed[resource]}")
            claimed[resource] = key
        return self

    def gpio_pins(self) -> dict[str, int]:
        """Every GPIO pin the fixture drives or reads, by the config key that claims it."""
        pins = {"photodiode.pin": self.photodiode.pin, "sync_module_led.pin": self.sync_module_led.pin}
        for name, outlet in self.outlets.items():
            for key, pin in outlet.settings.gpio_pins().items():
                pins[f"outlets.{name}.{key}"] = pin
        for name, actuator in self.actuators.items():
            if actuator.pin is not None:
                pins[f"actuators.{name}.pin"] = actuator.pin
        return pins

    def claimed_resources(self, own_only: bool = False) -> dict[str, tuple[object, str]]:
        """Relay channels, expander lines and the like, by config key: each may be used once."""
        claims: dict[str, tuple[object, str]] = {}
        for name, outlet in self.outlets.items():
            if own_only and name != "camera":
                continue
            for key, claim in outlet.settings.claims().items():
                claims[f"outlets.{name}.{key}"] = claim
        for name, actuator in self.actuators.items():
            line = actuator.expander_line(self.power_meter.i2c_bus)
            if line is not None:
                claims[f"actuators.{name}.line"] = (line, f"MCP23017 0x{line[2]:02x} line {line[3]}")
        return claims


def _resolve_outlet(name: str, table: dict[str, Any], data: dict[str, Any], legacy: str) -> dict[str, Any]:
    """Validate one outlet table against its backend's keys; every problem is one line naming the key."""
    from rig.hardware.power import backend_names, get_backend  # the backends import this module

    explicit = "backend" in table
    backend_name = table.pop("backend") if explicit else LEGACY_BACKENDS[legacy]
    if not isinstance(backend_name, str) or backend_name not in backend_names():
        raise ValueError(
            f"outlets.{name}.backend: unknown outlet backend {printable(repr(backend_name))} "
            f"(known: {', '.join(backend_names())})"
        )
    backend = get_backend(backend_name)
    acknowledged = table.pop("not_fail_safe_ok", False)
    if not isinstance(acknowledged, bool):
        raise ValueError(
            f"outlets.{name}.not_fail_safe_ok: must be true or false (got {printable(repr(acknowledged))})"
        )
    relay_keys: dict[str, Any] = {}
    if not explicit:
        for key in LEGACY_RELAY_KEYS:
            if key in table and key not in backend.settings.model_fields:
                relay_keys[key] = table.pop(key)
    for key, (section, field) in backend.settings.SECTION_DEFAULTS.items():
        if key in table:
            continue
        values = data.get(section)
        if isinstance(values, dict) and field in values:
            table[key] = values[field]
        else:
            table[key] = RigConfig.model_fields[section].annotation.model_fields[field].default  # type: ignore[union-attr]
    try:
        settings = backend.settings.model_validate(table)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(printable(str(part)) for part in first["loc"])
        if first["type"] == "missing":
            when = f"backend = '{backend_name}'" if explicit else f"relays.backend = '{legacy}'"
            raise ValueError(f"outlets.{name}.{key}: required when {when}") from None
        got = "" if isinstance(first.get("input"), dict) else f" (got {printable(repr(first.get('input')))})"
        raise ValueError(f"outlets.{name}.{key}: {printable(first['msg'])}{got}") from None
    return {"backend": backend_name, "settings": settings, "not_fail_safe_ok": acknowledged, "relay_keys": relay_keys}


def _slot_config(number: int, table: dict[str, Any], shared: dict[str, Any]) -> RigConfig:
    """A slot's tables over the shared bench's config, validated as a whole config; errors name the slot."""
    unknown = [k for k in table if k not in (*SLOT_TABLES, "outlets")]
    outlets = table.get("outlets", {})
    if not unknown and isinstance(outlets, dict):
        unknown = [f"outlets.{k}" for k in outlets if k != "camera"]
    if unknown:
        raise ValueError(f"slots.{number}.{printable(str(unknown[0]))}: not a slot's own table (a slot has "
                         "photodiode, power_meter, outlets.camera and actuators)")
    merged = dict(shared)
    bench = shared.get("bench")
    if isinstance(bench, dict):
        merged["bench"] = {k: v for k, v in bench.items() if k != "slots"}
    merged["photodiode"] = table.get("photodiode", shared.get("photodiode"))
    merged["power_meter"] = {**(shared.get("power_meter") or {}), **table.get("power_meter", {})}
    if "camera" in outlets:
        merged["outlets"] = {**(shared.get("outlets") or {}), "camera": outlets["camera"]}
    if "actuators" in table:
        merged["actuators"] = table["actuators"]
    try:
        return RigConfig.model_validate(_plain(merged))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(printable(str(part)) for part in first["loc"])
        message = printable(first["msg"]).removeprefix("Value error, ")
        message = message.replace("is already used by ", f"is already used by slots.{number}.")
        raise ValueError(f"slots.{number}.{loc}: {message}" if loc else f"slots.{number}.{message}") from None


def _plain(data: Any) -> Any:
    """Validated models back to plain tables, so a slot's config is validated from the same text as slot 1."""
    if isinstance(data, BaseModel):
        return data
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    return data


def check_slots_apart(config: RigConfig) -> None:
    """Across slots: GPIO pins, I2C addresses on a bus and relay channels each used once (one line each)."""
    if not config.slots:
        return
    pins: dict[int, str] = {}
    addresses: dict[tuple[int, int], str] = {}
    claimed: dict[object, str] = {}
    for slot in range(1, config.slot_count + 1):
        cfg = config.slot_config(slot)
        prefix = "" if slot == 1 else f"slots.{slot}."
        own = cfg.gpio_pins() if slot == 1 else {
            k: p for k, p in cfg.gpio_pins().items() if not k.startswith(SHARED_KEYS)
        }
        for key, pin in own.items():
            if pin in pins:
                raise ValueError(f"{prefix}{key}: GPIO{pin} is already used by {pins[pin]}")
            pins[pin] = prefix + key
        bus_address = (cfg.power_meter.i2c_bus, cfg.power_meter.address)
        if bus_address in addresses:
            raise ValueError(f"{prefix}power_meter.address: 0x{bus_address[1]:02x} on I2C bus {bus_address[0]} is "
                             f"already used by {addresses[bus_address]}")
        addresses[bus_address] = f"{prefix}power_meter.address"
        for key, (resource, what) in cfg.claimed_resources(own_only=slot > 1).items():
            if resource in claimed:
                raise ValueError(f"{prefix}{key}: {what} is already used by {claimed[resource]}")
            claimed[resource] = prefix + key


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def default_config_text() -> str:
    return resources.files("rig.defaults").joinpath("fixture.toml").read_text(encoding="utf-8")


_RANGE_ERRORS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")


def _format_error(source: str, error: ValidationError) -> str:
    first = error.errors()[0]
    loc = ".".join(printable(str(part)) for part in first["loc"])
    message = printable(first["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
        # Our own rule messages already start with the key they concern.
        text = f"{source}: {message}"
    else:
        text = f"{source}: {loc or '(top level)'}: {message}"
        unit = next((name for suffix, name in UNITS.items() if loc.endswith(suffix)), None)
        if unit and first["type"] in _RANGE_ERRORS:
            text += f" {unit}"
        if "input" in first and first["type"] not in ("missing",) and not isinstance(first["input"], dict):
            text += f" (got {printable(repr(first['input']))})"
    more = len(error.errors()) - 1
    return text + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


def parse_config(text: str, source: str = "<config>") -> RigConfig:
    """Validate a TOML text merged over the default fixture; raise :class:`ConfigError` in one line."""
    user = parse_toml(text, source, ConfigError)
    merged = _deep_merge(tomllib.loads(default_config_text()), user)
    # A user's outlet table that names its backend stands alone: the default's relay keys are not merged in.
    user_outlets = user.get("outlets")
    if isinstance(user_outlets, dict) and isinstance(merged.get("outlets"), dict):
        for name, table in user_outlets.items():
            if isinstance(table, dict) and "backend" in table:
                merged["outlets"][name] = table
    try:
        return RigConfig.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_format_error(source, exc)) from None


def load_config(path: str | Path | None = None) -> RigConfig:
    """The default fixture, or ``path`` merged over it."""
    if path is None:
        return parse_config("", "default fixture")
    return parse_config(read_text_file(path, "config", ConfigError), str(path))


# The simulator's extra slots (`--slots N` beyond the config's), on the reference fixture's free resources:
# slot 2 on native GPIOs (photodiode, camera outlet, five actuators in ACTUATOR_NAMES order); every further
# slot's photodiode on a native GPIO and its camera outlet and actuators on six lines of an MCP23017
# (lines +0..+5 of GPA or GPB, as in rig/defaults/fixture-4slot.toml); INA219s from 0x40 up.
GPIO_SLOT_PINS = (27, 4, 7, 8, 9, 10, 11)
PHOTODIODE_PINS = (27, 22, 23, 24, 25, 18, 19, 4)
EXPANDER_BLOCKS = tuple((address, base) for address in range(0x20, 0x28) for base in (0, 8))


def with_reference_slots(config: RigConfig, slots: int) -> RigConfig:
    """``config`` with slots up to ``slots``: the config's own, then reference slots on free pins, expander
    lines and INA219 addresses (slot 1's polarities). One line when the fixture has no room for more."""
    if slots <= config.slot_count:
        return config
    if slots > MAX_SLOTS:
        raise ConfigError(f"--slots: at most {MAX_SLOTS} slots (got {slots})")
    widened = config
    for slot in range(config.slot_count + 1, slots + 1):
        added = _reference_slot(widened, slot)
        if added is None:
            raise ConfigError(f"--slots {slots}: the fixture has no free pins or expander lines for slot {slot}: "
                              f"describe it in the config's [slots.{slot}] tables")
        widened = widened.model_copy(update={"slots": {**widened.slots, slot: added},
                                             "bench": widened.bench.model_copy(update={"slots": slot})})
    try:
        check_slots_apart(widened)
    except ValueError as exc:
        raise ConfigError(f"--slots {slots}: {exc}") from None
    return widened


def _reference_slot(config: RigConfig, slot: int) -> RigConfig | None:
    used_pins: set[int] = set()
    used: set[object] = set()
    addresses: set[int] = set()
    for n in range(1, config.slot_count + 1):
        cfg = config.slot_config(n)
        used_pins |= set(cfg.gpio_pins().values())
        used |= {resource for resource, _ in cfg.claimed_resources().values()}
        addresses.add(cfg.power_meter.address)
    address = next((a for a in range(0x40, 0x50) if a not in addresses), None)
    camera = config.outlets["camera"]
    active_low = bool(getattr(camera.settings, "active_low", True))
    base = {"bench": config.bench.model_copy(update={"slots": None}), "slots": {},
            "power_meter": config.power_meter.model_copy(update={"address": address})}
    if address is None:
        return None
    if camera.backend == "gpio" and not used_pins & set(GPIO_SLOT_PINS):
        photodiode_pin, outlet_pin, *actuator_pins = GPIO_SLOT_PINS
        return config.model_copy(update={
            **base,
            "photodiode": config.photodiode.model_copy(update={"pin": photodiode_pin}),
            "outlets": {**config.outlets, "camera": camera.model_copy(
                update={"settings": camera.settings.model_copy(update={"pin": outlet_pin})})},
            "actuators": {name: config.actuators[name].model_copy(update={"pin": pin})
                          for name, pin in zip(ACTUATOR_NAMES, actuator_pins, strict=True)},
        })
    photodiode_pin = next((p for p in PHOTODIODE_PINS if p not in used_pins), None)
    bus = config.power_meter.i2c_bus
    block = next(((a, b) for a, b in EXPANDER_BLOCKS
                  if not any(("mcp23017", bus, a, b + k) in used for k in range(6))), None)
    if photodiode_pin is None or block is None:
        return None
    chip, first = block
    from rig.hardware.power import get_backend  # the backends import this module

    settings = get_backend("mcp23017").settings(address=chip, line=first, active_low=active_low, normally_on=True,
                                                i2c_bus=bus)
    return config.model_copy(update={
        **base,
        "photodiode": config.photodiode.model_copy(update={"pin": photodiode_pin}),
        "outlets": {**config.outlets, "camera": OutletConfig(backend="mcp23017", settings=settings)},
        "actuators": {name: ActuatorConfig(expander=chip, line=first + 1 + k,
                                           active_high=config.actuators[name].active_high)
                      for k, name in enumerate(("battery_changeover", "motion_light", "reset_button",
                                                "motion_stimulus", "load_switch"))},
    })
