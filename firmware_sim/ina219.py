"""An INA219 as the I2C bus sees it: a register file behind a fake bus, for the real ``adafruit_ina219``.

The rig talks to its power meter only through ``adafruit_ina219`` and an I2C bus object. On the simulator that
bus is :class:`FakeI2CBus` and the chip is :class:`Ina219Emulator`, so the driver's own byte traffic (probe,
pointer writes, read-modify-write of the config register, the calibration re-write before every current read)
runs unchanged, and the quantisation the rig has to live with is the chip's:

* shunt voltage register: signed, 10 µV per bit, saturating at the PGA range (±40/80/160/320 mV); a clipped
  shunt reading sets OVF, so the rig can tell a clipped reading from a real one;
* bus voltage register: bits 15..3, 4 mV per bit, 0 to the BRNG range (16 or 32 V); bit 1 CNVR, bit 0 OVF;
* current = shunt × calibration / 4096 (signed 16 bit) and power = |current| × bus / 5000 (unsigned 16 bit),
  truncated as the chip's integer arithmetic does; a result that does not fit also sets OVF.

Conversions (the emulator has no clock, so it uses the chip's own handshake): a conversion samples the world
through ``measure()`` at the first read of a result register (shunt, bus, power, current) after power-on,
after a config write, or, in continuous mode, after the power register was read (which is what clears CNVR on
the chip). Every register a reader fetches for one sample therefore comes from one conversion, provided it
reads the power register last, as ``rig.hardware.power_meter`` does; the next sample converts again, at the
time the simulated world has reached by then. Power-down and ADC-off modes do not convert; triggered modes
convert once per config write. The ADC averaging modes divide the noise by √N; lower ADC resolutions are not
modelled.
"""

from __future__ import annotations

import errno
import math
import os
import random
import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

REG_CONFIG = 0x00
REG_SHUNT_VOLTAGE = 0x01
REG_BUS_VOLTAGE = 0x02
REG_POWER = 0x03
REG_CURRENT = 0x04
REG_CALIBRATION = 0x05
RESULT_REGISTERS = (REG_SHUNT_VOLTAGE, REG_BUS_VOLTAGE, REG_POWER, REG_CURRENT)

CONFIG_POWER_ON = 0x399F  # 32 V range, PGA /8, 12-bit, shunt and bus continuous
CONFIG_RESET_BIT = 0x8000
SHUNT_LSB_V = 10e-6
BUS_LSB_V = 4e-3
BUS_CNVR_BIT = 0x0002
BUS_OVF_BIT = 0x0001
SHUNT_FULL_SCALE_V_BY_GAIN = (0.04, 0.08, 0.16, 0.32)  # PG bits 12..11 of the config register
BUS_FULL_SCALE_V_BY_RANGE = (16.0, 32.0)  # BRNG bit 13

Measure = Callable[[], tuple[float, float]]
"""The world at the moment of a conversion: (bus voltage V- to GND in V, current through the shunt in A)."""


@runtime_checkable
class I2CTarget(Protocol):
    """What :class:`FakeI2CBus` needs from a device: its address and its side of a write and of a read."""

    address: int

    def i2c_write(self, data: bytes) -> None: ...

    def i2c_read(self, count: int) -> bytes: ...


def _to_u16(value: int) -> int:
    return value & 0xFFFF


def _to_s16(value: int) -> int:
    return value - 0x10000 if value & 0x8000 else value


def _averaged_samples(adc_code: int) -> int:
    """Samples the chip averages for a BADC/SADC field: 1xxx = 2^xxx samples at 12 bit, 0xxx = one sample."""
    return 1 << (adc_code & 0x7) if adc_code & 0x8 else 1


class Ina219Emulator:
    """One INA219's register file and its conversion arithmetic, answering on ``address``.

    ``measure`` is read once per conversion; ``bus_noise_v`` and ``shunt_noise_v`` are the standard deviations
    of Gaussian noise added before quantisation (drawn from ``rng``, seeded 0 when not given, so runs repeat).
    """

    def __init__(
        self,
        address: int = 0x40,
        shunt_ohm: float = 0.1,
        measure: Measure = lambda: (0.0, 0.0),
        bus_noise_v: float = 0.0,
        shunt_noise_v: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        if not 0x03 <= address <= 0x77:
            raise ValueError(f"I2C address 0x{address:02x} is outside the 7-bit range 0x03-0x77")
        if shunt_ohm <= 0:
            raise ValueError("shunt_ohm must be positive")
        self.address = address
        self.shunt_ohm = shunt_ohm
        self.measure = measure
        self.bus_noise_v = bus_noise_v
        self.shunt_noise_v = shunt_noise_v
        self.rng = rng if rng is not None else random.Random(0)
        self.conversions = 0
        self._lock = threading.RLock()
        self._registers: dict[int, int] = {}
        self._pointer = REG_CONFIG
        self._convert_pending = True
        self.reset()

    # --- inspection for tests and the simulator (no side effects: never converts) ---

    def register(self, reg: int) -> int:
        """The raw 16-bit value of register ``reg`` as it stands (0 for an unimplemented address)."""
        with self._lock:
            return self._registers.get(reg, 0)

    @property
    def registers(self) -> dict[int, int]:
        """A copy of the whole register file, by register address."""
        with self._lock:
            return dict(self._registers)

    @property
    def gain_full_scale_v(self) -> float:
        """The shunt range the PGA bits select: beyond it the shunt reading clips and OVF is set."""
        return SHUNT_FULL_SCALE_V_BY_GAIN[(self.register(REG_CONFIG) >> 11) & 0x3]

    @property
    def bus_full_scale_v(self) -> float:
        return BUS_FULL_SCALE_V_BY_RANGE[(self.register(REG_CONFIG) >> 13) & 0x1]

    @property
    def overflow(self) -> bool:
        return bool(self.register(REG_BUS_VOLTAGE) & BUS_OVF_BIT)

    def reset(self) -> None:
        """Power-on state (also what setting the config RST bit does): defaults, calibration 0, no results."""
        with self._lock:
            self._registers = {
                REG_CONFIG: CONFIG_POWER_ON,
                REG_SHUNT_VOLTAGE: 0,
                REG_BUS_VOLTAGE: 0,
                REG_POWER: 0,
                REG_CURRENT: 0,
                REG_CALIBRATION: 0,
            }
            self._pointer = REG_CONFIG
            self._convert_pending = True

    # --- the chip's side of the bus ---

    def i2c_write(self, data: bytes) -> None:
        """A write transaction: empty (a probe), a register pointer, or a pointer and a big-endian word."""
        with self._lock:
            if not data:
                return
            self._pointer = data[0]
            if len(data) >= 3:
                self._write_register(data[0], (data[1] << 8) | data[2])

    def i2c_read(self, count: int) -> bytes:
        """A read transaction: the register at the pointer, MSB first (the chip repeats it if read on)."""
        with self._lock:
            if self._pointer in RESULT_REGISTERS:
                self._convert_if_due()
            value = self._registers.get(self._pointer, 0)
            if self._pointer == REG_POWER:
                self._registers[REG_BUS_VOLTAGE] &= ~BUS_CNVR_BIT
                self._convert_pending = self._continuous
            word = bytes(((value >> 8) & 0xFF, value & 0xFF))
            return (word * (count // 2 + 1))[:count]

    # --- internals ---

    @property
    def _mode(self) -> int:
        return self._registers[REG_CONFIG] & 0x7

    @property
    def _continuous(self) -> bool:
        return bool(self._mode & 0x4)

    def _write_register(self, reg: int, value: int) -> None:
        if reg == REG_CONFIG:
            if value & CONFIG_RESET_BIT:
                self.reset()
                return
            self._registers[REG_CONFIG] = value
            self._registers[REG_BUS_VOLTAGE] &= ~BUS_CNVR_BIT
            self._convert_pending = True
        elif reg == REG_CALIBRATION:
            # Bit 0 is not implemented on the chip and always reads 0.
            self._registers[REG_CALIBRATION] = value & 0xFFFE
            self._update_current_and_power()
        # Writes to the result registers are ignored, as on the chip.

    def _convert_if_due(self) -> None:
        if self._convert_pending and self._mode & 0x3:
            self._convert()
        self._convert_pending = False

    def _convert(self) -> None:
        """Sample the world once and fill shunt, bus, current and power as the chip would."""
        config = self._registers[REG_CONFIG]
        mode = config & 0x7
        bus_v, current_a = self.measure()
        self.conversions += 1
        overflow = False
        if mode & 0x1:
            shunt_v = current_a * self.shunt_ohm
            shunt_v += self._noise(self.shunt_noise_v, _averaged_samples((config >> 3) & 0xF))
            full_scale_counts = round(self.gain_full_scale_v / SHUNT_LSB_V)
            counts = round(shunt_v / SHUNT_LSB_V)
            if abs(counts) > full_scale_counts:
                overflow = True
                counts = int(math.copysign(full_scale_counts, counts))
            self._registers[REG_SHUNT_VOLTAGE] = _to_u16(counts)
        bus_register = self._registers[REG_BUS_VOLTAGE]
        if mode & 0x2:
            bus_v += self._noise(self.bus_noise_v, _averaged_samples((config >> 7) & 0xF))
            counts = min(max(round(bus_v / BUS_LSB_V), 0), round(self.bus_full_scale_v / BUS_LSB_V))
            bus_register = counts << 3
        flags = BUS_CNVR_BIT | (BUS_OVF_BIT if overflow else 0)
        self._registers[REG_BUS_VOLTAGE] = (bus_register & ~0x7) | flags
        self._update_current_and_power()

    def _update_current_and_power(self) -> None:
        """The chip's integer arithmetic on the latest results with the present calibration."""
        shunt_counts = _to_s16(self._registers[REG_SHUNT_VOLTAGE])
        bus_counts = self._registers[REG_BUS_VOLTAGE] >> 3
        calibration = self._registers[REG_CALIBRATION]
        current = int(shunt_counts * calibration / 4096)  # truncates toward zero
        overflow = not -0x8000 <= current <= 0x7FFF
        current = max(min(current, 0x7FFF), -0x8000)
        power = abs(current) * bus_counts // 5000
        overflow = overflow or power > 0xFFFF
        self._registers[REG_CURRENT] = _to_u16(current)
        self._registers[REG_POWER] = min(power, 0xFFFF)
        if overflow:
            self._registers[REG_BUS_VOLTAGE] |= BUS_OVF_BIT

    def _noise(self, sigma_v: float, samples: int) -> float:
        if sigma_v <= 0:
            return 0.0
        return self.rng.gauss(0.0, sigma_v / math.sqrt(samples))


class FakeI2CBus:
    """A stand-in for ``busio.I2C`` as ``adafruit_bus_device`` uses it, with devices attached by address.

    An address with no device NACKs: every transaction to it raises ``OSError(121, "Remote I/O error")``,
    which is what Linux i2c-dev (and so Blinka on a Pi) raises. Transactions are serialised by a lock, so
    several threads may share the bus; ``try_lock`` is the bus-ownership flag the driver spins on.
    """

    def __init__(self, *devices: I2CTarget) -> None:
        self._devices: dict[int, I2CTarget] = {}
        self._ownership = threading.Lock()
        self._transaction_lock = threading.RLock()
        self._failures_left = 0
        self._failure_errno = errno.EREMOTEIO
        self.transactions = 0
        for device in devices:
            self.attach(device)

    # --- bus management (the simulator's and the tests' side) ---

    def attach(self, device: I2CTarget) -> None:
        with self._transaction_lock:
            if device.address in self._devices:
                raise ValueError(f"I2C address 0x{device.address:02x} is already taken on this bus")
            self._devices[device.address] = device

    def detach(self, address: int) -> None:
        """Remove the device at ``address`` (a chip unplugged); nothing happens if none is there."""
        with self._transaction_lock:
            self._devices.pop(address, None)

    def fail_next(self, count: int, errno_: int = errno.EREMOTEIO) -> None:
        """Make the next ``count`` transactions fail with ``OSError(errno_)``: an intermittent bus."""
        if count < 0:
            raise ValueError("count must not be negative")
        with self._transaction_lock:
            self._failures_left = count
            self._failure_errno = errno_

    # --- the busio.I2C interface ---

    def try_lock(self) -> bool:
        return self._ownership.acquire(blocking=False)

    def unlock(self) -> None:
        if self._ownership.locked():
            self._ownership.release()

    def deinit(self) -> None:
        """Nothing to release; present because ``busio.I2C`` has it."""

    def __enter__(self) -> FakeI2CBus:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.deinit()

    def scan(self) -> list[int]:
        with self._transaction_lock:
            return sorted(self._devices)

    def writeto(self, address: int, buffer, *, start: int = 0, end: int | None = None,
                stop: bool = True) -> None:
        with self._transaction_lock:
            device = self._begin(address)
            device.i2c_write(bytes(buffer[start:end]))

    def readfrom_into(self, address: int, buffer, *, start: int = 0, end: int | None = None,
                      stop: bool = True) -> None:
        with self._transaction_lock:
            device = self._begin(address)
            end = len(buffer) if end is None else end
            buffer[start:end] = device.i2c_read(end - start)

    def writeto_then_readfrom(
        self,
        address: int,
        buffer_out,
        buffer_in,
        *,
        out_start: int = 0,
        out_end: int | None = None,
        in_start: int = 0,
        in_end: int | None = None,
        stop: bool = False,
    ) -> None:
        with self._transaction_lock:
            device = self._begin(address)
            # The driver passes one buffer as both: take the bytes to send before writing the reply.
            out = bytes(buffer_out[out_start:out_end])
            in_end = len(buffer_in) if in_end is None else in_end
            device.i2c_write(out)
            buffer_in[in_start:in_end] = device.i2c_read(in_end - in_start)

    def _begin(self, address: int) -> I2CTarget:
        """Count the transaction, inject a pending failure, or NACK an absent address."""
        self.transactions += 1
        if self._failures_left > 0:
            self._failures_left -= 1
            raise OSError(self._failure_errno, os.strerror(self._failure_errno))
        device = self._devices.get(address)
        if device is None:
            raise OSError(errno.EREMOTEIO, os.strerror(errno.EREMOTEIO))
        return device
