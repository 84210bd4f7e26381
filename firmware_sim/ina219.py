"""An INA219 as the I2C bus sees it: a register file behind a fake bus, for the real ``adafruit_ina219``.

The rig talks to its power meter only through ``adafruit_ina219`` and an I2C bus object. On the simulator that
bus is :class:`FakeI2CBus` and the chip is :class:`Ina219Emulator`, so the driver's own byte traffic (probe,
pointer writes, read-modify-write of the config register, the calibration re-write before every current read)
runs unchanged, and the quantisation and timing the rig has to live with are the chip's (TI SBOS448):

* shunt voltage register: signed, 10 µV per bit, saturating at the PGA range (±40/80/160/320 mV). A clipped
  shunt reading does NOT set OVF: the datasheet's "Math Overflow Flag" is set only when the current or power
  arithmetic overflows, which with calibration 4096 (every driver calibration) never happens. A reader must
  spot clipping from the shunt counts themselves;
* bus voltage register: bits 15..3, 4 mV per bit, 0 to the BRNG range (16 or 32 V); bit 1 CNVR, bit 0 OVF;
* current = shunt × calibration / 4096 (signed 16 bit) and power = |current| × bus / 5000 (unsigned 16 bit),
  truncated as the chip's integer arithmetic does; a result that does not fit sets OVF.

Conversions run on the clock, as the chip's do: in a continuous mode the chip converts again and again, one
cycle lasting the shunt conversion plus the bus conversion at the configured resolution/averaging (the
datasheet's ADC settings table, 84 µs at 9 bit to 68.1 ms at 128 samples); each completed cycle samples the
world through ``measure()`` and sets CNVR; reading the power register (or writing the config) clears CNVR.
Triggered modes convert once per config write; power-down and ADC-off modes do not convert. The register file
is brought up to date lazily, whenever it is accessed or when the world calls :meth:`Ina219Emulator.catch_up`
just before it changes what the chip measures (a relay switching), so a cycle completed before the change sees
the old state. Within one averaging window the world is sampled once (a change in mid-window is not blended),
and lower ADC resolutions convert faster but are quantised as 12 bit.

:class:`FakeI2CBus` spends bus time on the clock: each transaction lasts its bits at the configured SCL
frequency (9 bits per byte with ACK, plus start, repeated start and stop) plus a fixed per-transaction software
overhead, so a register read by ``adafruit_register`` (pointer write, repeated start, two data bytes) takes
about 0.58 ms at the Pi's default 100 kHz.
"""

from __future__ import annotations

import errno
import math
import os
import random
import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from firmware_sim.clock import VirtualClock

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
# ASSUMED: how far a real chip's readings wander, about half an LSB (SBOS448 gives offsets and gain errors, no
# noise density). It is what lets averaging resolve a battery's sag below the 4 mV bus step.
BENCH_BUS_NOISE_V = 2e-3
BENCH_SHUNT_NOISE_V = 5e-6
SHUNT_FULL_SCALE_V_BY_GAIN = (0.04, 0.08, 0.16, 0.32)  # PG bits 12..11 of the config register
BUS_FULL_SCALE_V_BY_RANGE = (16.0, 32.0)  # BRNG bit 13

Measure = Callable[[], tuple[float, float]]
"""The world at the moment of a conversion: (bus voltage V- to GND in V, current through the shunt in A)."""


class TimeSource(Protocol):
    def now(self) -> float: ...


class BusClock(TimeSource, Protocol):
    """What the bus needs from a clock: the time, and a way to let bus time pass (virtual on the simulator)."""

    def sleep(self, seconds: float) -> None: ...


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


# SBOS448, "ADC Settings" table: conversion time by resolution (BADC/SADC = 0x00..0x03, 9 to 12 bit) and by
# 12-bit averaging (1xxx: 2^xxx samples).
CONVERSION_TIME_BY_RESOLUTION_S = (84e-6, 148e-6, 276e-6, 532e-6)
CONVERSION_TIME_BY_AVERAGING_S = (532e-6, 1.06e-3, 2.13e-3, 4.26e-3, 8.51e-3, 17.02e-3, 34.05e-3, 68.10e-3)


def conversion_time_s(adc_code: int) -> float:
    """One shunt or bus conversion at a BADC/SADC setting, from the datasheet's table."""
    if adc_code & 0x8:
        return CONVERSION_TIME_BY_AVERAGING_S[adc_code & 0x7]
    return CONVERSION_TIME_BY_RESOLUTION_S[adc_code & 0x3]


def _averaged_samples(adc_code: int) -> int:
    """Samples the chip averages for a BADC/SADC field: 1xxx = 2^xxx samples at 12 bit, 0xxx = one sample."""
    return 1 << (adc_code & 0x7) if adc_code & 0x8 else 1


class Ina219Emulator:
    """One INA219's register file and its conversion arithmetic, answering on ``address``.

    ``measure`` is read once per completed conversion cycle; ``clock`` (anything with ``now()``) times the
    cycles; a :class:`FakeI2CBus` it is attached to lends it the bus clock when none is given.
    ``bus_noise_v`` and ``shunt_noise_v`` are the standard deviations of Gaussian noise added before
    quantisation (drawn from ``rng``, seeded 0 when not given, so runs repeat).
    """

    def __init__(
        self,
        address: int = 0x40,
        shunt_ohm: float = 0.1,
        measure: Measure = lambda: (0.0, 0.0),
        bus_noise_v: float = 0.0,
        shunt_noise_v: float = 0.0,
        rng: random.Random | None = None,
        clock: TimeSource | None = None,
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
        self.clock = clock
        self.conversions = 0
        self._lock = threading.RLock()
        self._registers: dict[int, int] = {}
        self._pointer = REG_CONFIG
        self._cycle_start_s = 0.0
        self._cycles_done = 0
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
        """The shunt range the PGA bits select: beyond it the shunt reading clips (OVF stays clear)."""
        return SHUNT_FULL_SCALE_V_BY_GAIN[(self.register(REG_CONFIG) >> 11) & 0x3]

    @property
    def bus_full_scale_v(self) -> float:
        return BUS_FULL_SCALE_V_BY_RANGE[(self.register(REG_CONFIG) >> 13) & 0x1]

    @property
    def overflow(self) -> bool:
        return bool(self.register(REG_BUS_VOLTAGE) & BUS_OVF_BIT)

    @property
    def cycle_s(self) -> float:
        """How long one conversion cycle takes in the configured mode (shunt then bus when both convert)."""
        config = self.register(REG_CONFIG)
        mode = config & 0x7
        shunt_s = conversion_time_s((config >> 3) & 0xF) if mode & 0x1 else 0.0
        bus_s = conversion_time_s((config >> 7) & 0xF) if mode & 0x2 else 0.0
        return shunt_s + bus_s

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
            self._restart_cycles()

    def catch_up(self) -> None:
        """Complete the conversions due by now, with the world as it stands: the world calls this just
        before it changes what the chip measures."""
        with self._lock:
            mode = self._mode
            cycle_s = self.cycle_s
            if not mode & 0x3 or cycle_s <= 0:
                return
            due = math.floor((self._now() - self._cycle_start_s) / cycle_s + 1e-9)
            if not self._continuous:
                due = min(due, 1)
            if due > self._cycles_done:
                self._cycles_done = due
                self._convert()

    # --- the chip's side of the bus ---

    def i2c_write(self, data: bytes) -> None:
        """A write transaction: empty (a probe), a register pointer, or a pointer and a big-endian word."""
        with self._lock:
            self.catch_up()
            if not data:
                return
            self._pointer = data[0]
            if len(data) >= 3:
                self._write_register(data[0], (data[1] << 8) | data[2])

    def i2c_read(self, count: int) -> bytes:
        """A read transaction: the register at the pointer, MSB first (the chip repeats it if read on)."""
        with self._lock:
            self.catch_up()
            value = self._registers.get(self._pointer, 0)
            if self._pointer == REG_POWER:
                self._registers[REG_BUS_VOLTAGE] &= ~BUS_CNVR_BIT
            word = bytes(((value >> 8) & 0xFF, value & 0xFF))
            return (word * (count // 2 + 1))[:count]

    # --- internals ---

    @property
    def _mode(self) -> int:
        return self._registers[REG_CONFIG] & 0x7

    @property
    def _continuous(self) -> bool:
        return bool(self._mode & 0x4)

    def _now(self) -> float:
        if self.clock is None:
            raise RuntimeError("Ina219Emulator has no clock: pass clock= or attach it to a FakeI2CBus")
        return self.clock.now()

    def _restart_cycles(self) -> None:
        """A config write (or reset) starts the conversion sequence afresh and clears CNVR."""
        self._cycle_start_s = self._now() if self.clock is not None else 0.0
        self._cycles_done = 0
        self._registers[REG_BUS_VOLTAGE] &= ~BUS_CNVR_BIT

    def _write_register(self, reg: int, value: int) -> None:
        if reg == REG_CONFIG:
            if value & CONFIG_RESET_BIT:
                self.reset()
                return
            self._registers[REG_CONFIG] = value
            self._restart_cycles()
        elif reg == REG_CALIBRATION:
            # Bit 0 is not implemented on the chip and always reads 0.
            self._registers[REG_CALIBRATION] = value & 0xFFFE
            self._update_current_and_power()
        # Writes to the result registers are ignored, as on the chip.

    def _convert(self) -> None:
        """Sample the world once and fill shunt, bus, current and power as the chip would."""
        config = self._registers[REG_CONFIG]
        mode = config & 0x7
        bus_v, current_a = self.measure()
        self.conversions += 1
        if mode & 0x1:
            shunt_v = current_a * self.shunt_ohm
            shunt_v += self._noise(self.shunt_noise_v, _averaged_samples((config >> 3) & 0xF))
            full_scale_counts = round(self.gain_full_scale_v / SHUNT_LSB_V)
            counts = max(min(round(shunt_v / SHUNT_LSB_V), full_scale_counts), -full_scale_counts)
            self._registers[REG_SHUNT_VOLTAGE] = _to_u16(counts)
        bus_register = self._registers[REG_BUS_VOLTAGE]
        if mode & 0x2:
            bus_v += self._noise(self.bus_noise_v, _averaged_samples((config >> 7) & 0xF))
            counts = min(max(round(bus_v / BUS_LSB_V), 0), round(self.bus_full_scale_v / BUS_LSB_V))
            bus_register = counts << 3
        self._registers[REG_BUS_VOLTAGE] = (bus_register & ~0x7) | BUS_CNVR_BIT
        self._update_current_and_power()

    def _update_current_and_power(self) -> None:
        """The chip's integer arithmetic on the latest results with the present calibration; OVF says
        whether it overflowed (the only thing that sets it)."""
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
        else:
            self._registers[REG_BUS_VOLTAGE] &= ~BUS_OVF_BIT

    def _noise(self, sigma_v: float, samples: int) -> float:
        if sigma_v <= 0:
            return 0.0
        return self.rng.gauss(0.0, sigma_v / math.sqrt(samples))


DEFAULT_SCL_HZ = 100_000.0  # the Pi's i2c_arm default (dtparam=i2c_arm_baudrate)
TRANSACTION_OVERHEAD_S = 100e-6  # ASSUMED: ioctl and driver time around each transaction on a Pi


def _frame_bits(data_bytes: int) -> int:
    """Bit times of one transaction: start, address byte and data bytes (9 bits each, ACK included), stop."""
    return 1 + 9 * (1 + data_bytes) + 1


class FakeI2CBus:
    """A stand-in for ``busio.I2C`` as ``adafruit_bus_device`` uses it, with devices attached by address.

    An address with no device NACKs: every transaction to it raises ``OSError(121, "Remote I/O error")``,
    which is what Linux i2c-dev (and so Blinka on a Pi) raises. Transactions are serialised by a lock, so
    several threads may share the bus; ``try_lock`` is the bus-ownership flag the driver spins on.

    Every transaction lets its duration pass on ``clock`` (a fresh :class:`VirtualClock` when none is given)
    before the device answers: its bits at ``scl_hz`` plus ``overhead_s`` of kernel and driver time.
    """

    def __init__(
        self,
        *devices: I2CTarget,
        clock: BusClock | None = None,
        scl_hz: float = DEFAULT_SCL_HZ,
        overhead_s: float = TRANSACTION_OVERHEAD_S,
    ) -> None:
        if scl_hz <= 0 or overhead_s < 0:
            raise ValueError("scl_hz must be positive and overhead_s not negative")
        self.clock: BusClock = clock if clock is not None else VirtualClock()
        self.scl_hz = scl_hz
        self.overhead_s = overhead_s
        self.busy_s = 0.0
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
            if getattr(device, "clock", False) is None:
                device.clock = self.clock  # type: ignore[attr-defined]
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
            data = bytes(buffer[start:end])
            device = self._begin(address, _frame_bits(len(data)))
            device.i2c_write(data)

    def readfrom_into(self, address: int, buffer, *, start: int = 0, end: int | None = None,
                      stop: bool = True) -> None:
        with self._transaction_lock:
            end = len(buffer) if end is None else end
            device = self._begin(address, _frame_bits(end - start))
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
            # The driver passes one buffer as both: take the bytes to send before writing the reply.
            out = bytes(buffer_out[out_start:out_end])
            in_end = len(buffer_in) if in_end is None else in_end
            # One transaction with a repeated start: two address frames, one extra start condition.
            device = self._begin(address, _frame_bits(len(out)) + _frame_bits(in_end - in_start) - 1)
            device.i2c_write(out)
            buffer_in[in_start:in_end] = device.i2c_read(in_end - in_start)

    def transaction_s(self, bits: int) -> float:
        """How long a transaction of ``bits`` bit times takes, software overhead included."""
        return bits / self.scl_hz + self.overhead_s

    def _begin(self, address: int, bits: int) -> I2CTarget:
        """Let the transaction's time pass, count it, inject a pending failure, or NACK an absent address."""
        duration_s = self.transaction_s(bits)
        self.busy_s += duration_s
        self.clock.sleep(duration_s)
        self.transactions += 1
        if self._failures_left > 0:
            self._failures_left -= 1
            raise OSError(self._failure_errno, os.strerror(self._failure_errno))
        device = self._devices.get(address)
        if device is None:
            raise OSError(errno.EREMOTEIO, os.strerror(errno.EREMOTEIO))
        return device
