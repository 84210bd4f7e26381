"""The INA219 power meter: battery voltage and current for the load test, through the real Adafruit driver.

The meter sits on an injected I2C bus object (``board.I2C()`` on a Pi, an emulated bus on the simulator), so
the same code runs on both. What the rig needs from the chip and the driver, and why this module looks as
it does:

* The driver's ``set_calibration_*`` methods (adafruit-circuitpython-ina219 3.5.2) all write calibration 4096,
  so the current register equals the shunt register (10 µV per bit); what really differs between them is
  the PGA range (how much shunt voltage fits before the reading clips), the bus range, and the shunt
  resistance the driver *assumes* when it turns counts into milliamps. We pick the narrowest PGA range that
  holds ``max_expected_current_a × shunt_ohm`` and turn the shunt counts into amps with the shunt actually
  fitted, so any shunt reads right.
* Load voltage is bus + shunt: the bus register is measured on the load side of the shunt.
* The chip quantises the bus to 4 mV, a large step against a battery's sag under load, so a reading averages N
  conversions, one conversion cycle apart on the injected clock (the chip converts continuously, shunt then bus,
  532 µs each at 12 bit: 1.064 ms a cycle), and stops early at a deadline so a load pulse ends on time.
* Only the two registers a reading needs are read (shunt, then bus): at the Pi's 100 kHz I2C each read costs
  about 0.5 ms, so the driver's ``current`` (a calibration re-write plus a read) and ``power`` would triple the
  time a sample takes. With calibration 4096 the current register is the shunt register anyway.
* Clipping is spotted from the shunt counts against the PGA range. The chip's OVF bit is only its arithmetic
  overflow flag, which calibration 4096 never sets (SBOS448), so it cannot say a reading clipped.
* ``adafruit_register`` keeps one module-global buffer for every register access of every driver instance, so
  every driver call here holds one module-wide lock: two meters in two threads would otherwise swap replies.
* Every failure is a :class:`PowerMeterError` with one line a technician can act on. I2C errors during a
  read are not retried here: the caller owns the retry policy (and its backoff on the clock).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import adafruit_ina219

from rig.core.clock import Clock, MonotonicClock

if TYPE_CHECKING:
    from rig.core.config import PowerMeterConfig

CONVERSION_TIME_S = 532e-6  # one 12-bit conversion, the resolution every driver calibration selects
CONVERSION_CYCLE_S = 2 * CONVERSION_TIME_S  # shunt then bus, continuously (mode 7, every driver calibration)
SHUNT_LSB_V = 10e-6
BUS_LSB_V = 4e-3

# The driver's lock-free register access shares adafruit_register's module-global buffer: serialise all of it.
_DRIVER_LOCK = threading.RLock()

# I2C pins of the Pi's header buses, for the fix hint.
_I2C_PINS_BY_BUS = {1: "SDA=GPIO2, SCL=GPIO3", 0: "SDA=GPIO0, SCL=GPIO1"}


@dataclass(frozen=True)
class Calibration:
    """One of the driver's ``set_calibration_*`` methods and what it really configures (3.5.2)."""

    name: str  # the method is ``set_calibration_<name>``
    shunt_full_scale_v: float  # PGA range: beyond it the shunt reading clips (OVF stays clear)
    bus_full_scale_v: float
    assumed_shunt_ohm: float  # what the driver divides by to report milliamps


# Narrowest shunt range first; one calibration per PGA setting. (16V_5A repeats the 160 mV range with a
# 0.02 ohm assumption, 16V_4mA the 40 mV range with 10 ohm: the scaling makes them equivalent, so not listed.)
CALIBRATIONS = (
    Calibration("16V_400mA", 0.04, 16.0, 0.1),
    Calibration("16V_80mA", 0.08, 16.0, 1.0),
    Calibration("32V_1A", 0.16, 32.0, 0.1),
    Calibration("32V_2A", 0.32, 32.0, 0.1),
)


class PowerMeterError(RuntimeError):
    """A power-meter failure phrased as one line for the technician; ``errno`` is set for an I2C error."""

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


@dataclass(frozen=True)
class PowerReading:
    """One reading, averaged over ``samples`` conversions. ``clipped``: some conversion's shunt reading sat at
    the end of the PGA range, so the current (and the load voltage) read low."""

    load_voltage_v: float  # bus + shunt: the battery side of the shunt
    bus_voltage_v: float  # load side of the shunt, to ground
    shunt_voltage_v: float
    current_a: float  # positive into the load
    clipped: bool
    samples: int


def choose_calibration(max_expected_current_a: float, shunt_ohm: float) -> Calibration:
    """The narrowest PGA range holding the expected shunt voltage, or a PowerMeterError saying what to do."""
    shunt_v = max_expected_current_a * shunt_ohm
    for calibration in CALIBRATIONS:
        if shunt_v <= calibration.shunt_full_scale_v + 1e-12:
            return calibration
    widest = CALIBRATIONS[-1].shunt_full_scale_v
    raise PowerMeterError(
        f"power meter: {max_expected_current_a:g} A through a {shunt_ohm:g} ohm shunt is "
        f"{shunt_v * 1000:.0f} mV, "
        f"beyond the INA219's {widest * 1000:.0f} mV range: fit a shunt of at most "
        f"{widest / max_expected_current_a:.3g} ohm or lower power_meter.max_expected_current_a"
    )


def _errno_text(exc: OSError) -> str:
    return f"[Errno {exc.errno}] {exc.strerror}" if exc.errno is not None else str(exc) or type(exc).__name__


class PowerMeter:
    """An INA219 on ``i2c_bus`` at ``address``, calibrated for ``max_expected_current_a`` in ``shunt_ohm``."""

    def __init__(
        self,
        i2c_bus,
        address: int = 0x40,
        shunt_ohm: float = 0.1,
        max_expected_current_a: float = 2.0,
        samples: int = 16,
        clock: Clock | None = None,
        bus_number: int = 1,
    ) -> None:
        if shunt_ohm <= 0:
            raise ValueError("shunt_ohm must be positive")
        if max_expected_current_a <= 0:
            raise ValueError("max_expected_current_a must be positive")
        if samples < 1:
            raise ValueError("samples must be at least 1")
        self.address = address
        self.bus_number = bus_number
        self.shunt_ohm = shunt_ohm
        self.samples = samples
        self.clock: Clock = clock if clock is not None else MonotonicClock()
        self._last_sample_s: float | None = None
        self.calibration = choose_calibration(max_expected_current_a, shunt_ohm)
        self._full_scale_counts = round(self.calibration.shunt_full_scale_v / SHUNT_LSB_V)
        with _DRIVER_LOCK:
            try:
                self._ina = adafruit_ina219.INA219(i2c_bus, addr=address)
            except ValueError:  # the probe found nothing at the address
                raise PowerMeterError(self.not_found_message()) from None
            except OSError as exc:
                raise self._i2c_error("setup", exc) from None
            self._setup()

    @property
    def where(self) -> str:
        """"0x40 on I2C bus 1": how messages name this chip."""
        return f"0x{self.address:02x} on I2C bus {self.bus_number}"

    @property
    def max_current_a(self) -> float:
        """The largest current readable before the shunt reading clips, with this shunt and calibration."""
        return self.calibration.shunt_full_scale_v / self.shunt_ohm

    def not_found_message(self) -> str:
        pins = _I2C_PINS_BY_BUS.get(self.bus_number, "SDA and SCL wiring")
        return f"INA219 not found at {self.where}: check {pins}, VCC, GND"

    def _setup(self) -> None:
        try:
            getattr(self._ina, f"set_calibration_{self.calibration.name}")()
        except OSError as exc:
            raise self._i2c_error("setup", exc) from None

    def _i2c_error(self, during: str, exc: OSError) -> PowerMeterError:
        sda, scl = (0, 1) if self.bus_number == 0 else (2, 3)
        return PowerMeterError(
            f"INA219 at {self.where}: I2C error during {during}: {_errno_text(exc)}: "
            f"check the I2C cable (SDA=GPIO{sda}, SCL=GPIO{scl}), VCC and GND",
            errno=exc.errno,
        )

    def _wait_for_conversion(self) -> None:
        """Let one conversion cycle pass since the previous sample, so no sample re-reads an old conversion."""
        if self._last_sample_s is not None:
            remaining_s = self._last_sample_s + CONVERSION_CYCLE_S - self.clock.now()
            if remaining_s > 0:
                self.clock.sleep(remaining_s)
        self._last_sample_s = self.clock.now()

    def read_once(self) -> PowerReading:
        """One conversion's shunt and bus registers: two register reads, nothing else."""
        self._wait_for_conversion()
        with _DRIVER_LOCK:
            try:
                shunt_counts = self._ina.raw_shunt_voltage
                bus_counts = self._ina.raw_bus_voltage
            except OSError as exc:
                raise self._i2c_error("read", exc) from None
        shunt_v = shunt_counts * SHUNT_LSB_V
        bus_v = bus_counts * BUS_LSB_V
        return PowerReading(
            load_voltage_v=bus_v + shunt_v,
            bus_voltage_v=bus_v,
            shunt_voltage_v=shunt_v,
            current_a=shunt_v / self.shunt_ohm,
            clipped=abs(shunt_counts) >= self._full_scale_counts,
            samples=1,
        )

    def read(self, samples: int | None = None, deadline_s: float | None = None) -> PowerReading:
        """The average of ``samples`` conversions (default: the configured count), a conversion cycle apart;
        with ``deadline_s`` (on the meter's clock) it stops at the first sample ending after it (one at least)."""
        count = self.samples if samples is None else samples
        if count < 1:
            raise ValueError("samples must be at least 1")
        readings = [self.read_once()]
        while len(readings) < count and (deadline_s is None or self._next_sample_ends_s() <= deadline_s):
            readings.append(self.read_once())
        taken = len(readings)

        def mean(field: str) -> float:
            return sum(getattr(r, field) for r in readings) / taken

        return PowerReading(
            load_voltage_v=mean("load_voltage_v"),
            bus_voltage_v=mean("bus_voltage_v"),
            shunt_voltage_v=mean("shunt_voltage_v"),
            current_a=mean("current_a"),
            clipped=any(r.clipped for r in readings),
            samples=taken,
        )

    def _next_sample_ends_s(self) -> float:
        """When the next sample would be done, judged by how long the last one took (I2C time included)."""
        assert self._last_sample_s is not None
        now = self.clock.now()
        took_s = max(now - self._last_sample_s, CONVERSION_CYCLE_S)
        return now + took_s

    @classmethod
    def from_config(cls, cfg: PowerMeterConfig, i2c_bus, clock: Clock) -> PowerMeter:
        return cls(
            i2c_bus,
            address=cfg.address,
            shunt_ohm=cfg.shunt_ohm,
            max_expected_current_a=cfg.max_expected_current_a,
            samples=cfg.samples,
            clock=clock,
            bus_number=cfg.i2c_bus,
        )


def open_i2c_bus(bus_number: int):
    """The Pi's hardware I2C bus ``bus_number`` through Blinka, imported only here (it needs a Pi).

    Bus 1 (the header's GPIO2/GPIO3) comes from ``board.I2C()``; any other bus needs the
    ``adafruit-extended-bus`` package. Anywhere else this raises a one-line :class:`PowerMeterError`.
    """
    try:
        if bus_number == 1:
            import board

            return board.I2C()
        try:
            from adafruit_extended_bus import ExtendedI2C
        except ImportError:
            raise PowerMeterError(
                f"cannot open I2C bus {bus_number}: only bus 1 works without the adafruit-extended-bus "
                "package (pip install adafruit-extended-bus)"
            ) from None
        return ExtendedI2C(bus_number)
    except PowerMeterError:
        raise
    except Exception as exc:  # Blinka raises many kinds here: no board, no I2C, no permission
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PowerMeterError(
            f"cannot open I2C bus {bus_number} ({detail}): on a Raspberry Pi enable I2C "
            f"(sudo raspi-config nonint do_i2c 0); elsewhere run with --sim"
        ) from None
