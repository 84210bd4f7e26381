"""PowerMeter through the real adafruit_ina219 driver, against the register-level INA219 emulator."""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import threading
import types

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.ina219 import REG_CALIBRATION, REG_CONFIG, FakeI2CBus, Ina219Emulator
from rig.core.config import load_config, parse_config
from rig.hardware.power_meter import (
    CONVERSION_CYCLE_S,
    PowerMeter,
    PowerMeterError,
    PowerReading,
    open_i2c_bus,
)

BUS_LSB_V = 0.004
SHUNT_LSB_V = 10e-6


class World:
    """The truth the emulated chip converts: settable, and it logs the virtual time of every conversion."""

    def __init__(self, clock: VirtualClock, bus_v: float = 3.3, current_a: float = 0.0) -> None:
        self.clock = clock
        self.bus_v = bus_v
        self.current_a = current_a
        self.times: list[float] = []

    def __call__(self) -> tuple[float, float]:
        self.times.append(self.clock.now())
        return self.bus_v, self.current_a


class Bench:
    """One emulated INA219 on a fake bus, a virtual clock, and a world to set."""

    def __init__(self, address: int = 0x40, shunt_ohm: float = 0.1, **noise) -> None:
        self.clock = VirtualClock()
        self.world = World(self.clock)
        self.chip = Ina219Emulator(address=address, shunt_ohm=shunt_ohm, measure=self.world, **noise)
        self.bus = FakeI2CBus(self.chip, clock=self.clock)

    def meter(self, **kwargs) -> PowerMeter:
        kwargs.setdefault("shunt_ohm", self.chip.shunt_ohm)
        return PowerMeter(self.bus, clock=self.clock, **kwargs)

    def set(self, bus_v: float | None = None, current_a: float | None = None) -> None:
        """Change the truth and let one conversion cycle see it (the chip converts on its own time)."""
        if bus_v is not None:
            self.world.bus_v = bus_v
        if current_a is not None:
            self.world.current_a = current_a
        self.clock.sleep(CONVERSION_CYCLE_S)


def assert_within_one_lsb(reading: PowerReading, bus_v: float, current_a: float, shunt_ohm: float) -> None:
    shunt_v = current_a * shunt_ohm
    current_lsb_a = SHUNT_LSB_V / shunt_ohm
    assert abs(reading.bus_voltage_v - bus_v) <= BUS_LSB_V
    assert abs(reading.shunt_voltage_v - shunt_v) <= SHUNT_LSB_V
    assert abs(reading.current_a - current_a) <= current_lsb_a
    assert abs(reading.load_voltage_v - (bus_v + shunt_v)) <= BUS_LSB_V + SHUNT_LSB_V


# --- construction, calibration, absent chip ---


@pytest.mark.parametrize(
    ("max_current_a", "name", "config"),
    [
        (0.3, "16V_400mA", 0x019F),
        (0.4, "16V_400mA", 0x019F),
        (0.6, "16V_80mA", 0x099F),  # PGA /2 (80 mV): the driver's name assumes a 1 ohm shunt; we rescale
        (1.0, "32V_1A", 0x319F),
        (2.0, "32V_2A", 0x399F),
        (3.2, "32V_2A", 0x399F),
    ],
)
def test_calibration_is_chosen_for_the_expected_current_and_written_to_the_chip(max_current_a, name, config):
    bench = Bench()
    meter = bench.meter(max_expected_current_a=max_current_a)
    assert meter.calibration.name == name
    assert bench.chip.register(REG_CONFIG) == config
    assert bench.chip.register(REG_CALIBRATION) == 4096
    assert meter.max_current_a >= max_current_a - 1e-9


def test_absent_chip_is_a_one_line_error_naming_address_bus_and_pins():
    bench = Bench(address=0x40)
    with pytest.raises(PowerMeterError) as info:
        bench.meter(address=0x41)
    assert str(info.value) == "INA219 not found at 0x41 on I2C bus 1: check SDA=GPIO2, SCL=GPIO3, VCC, GND"


def test_absent_chip_on_other_buses_names_their_pins():
    bench = Bench(address=0x44)
    with pytest.raises(PowerMeterError, match=r"^INA219 not found at 0x40 on I2C bus 0: check SDA=GPIO0, SCL=GPIO1"):
        bench.meter(bus_number=0)
    with pytest.raises(PowerMeterError) as info:
        bench.meter(bus_number=5)
    assert str(info.value) == "INA219 not found at 0x40 on I2C bus 5: check SDA and SCL wiring, VCC, GND"


def test_shunt_too_large_for_the_expected_current_is_refused_with_what_to_do():
    bench = Bench(shunt_ohm=0.25)
    with pytest.raises(PowerMeterError) as info:
        bench.meter(max_expected_current_a=2.0)
    message = str(info.value)
    assert "500 mV" in message and "320 mV" in message and "0.16 ohm" in message
    assert "\n" not in message


def test_i2c_error_during_setup_is_a_power_meter_error():
    class FailsAfterProbe(FakeI2CBus):
        def writeto(self, address, buffer, **kw):
            super().writeto(address, buffer, **kw)
            if len(buffer) == 0:  # the probe passed: the next transaction (configuring) fails
                self.fail_next(1)

    chip = Ina219Emulator()
    with pytest.raises(PowerMeterError) as info:
        PowerMeter(FailsAfterProbe(chip), clock=VirtualClock())
    assert str(info.value) == (
        "INA219 at 0x40 on I2C bus 1: I2C error during setup: [Errno 121] Remote I/O error: "
        "check the I2C cable (SDA=GPIO2, SCL=GPIO3), VCC and GND"
    )
    assert info.value.errno == 121


def test_bad_arguments_are_programming_errors():
    bench = Bench()
    with pytest.raises(ValueError, match="samples"):
        bench.meter(samples=0)
    meter = bench.meter()
    with pytest.raises(ValueError, match="samples"):
        meter.read(samples=0)


# --- readings against the emulated truth ---


@pytest.mark.parametrize("bus_v", [2.5, 3.1337, 3.6])
@pytest.mark.parametrize(
    ("max_current_a", "current_a"),
    [
        (2.0, 0.005),
        (2.0, 0.3),
        (2.0, 1.0),
        (2.0, 2.5),
        (2.0, -0.3),
        (0.4, 0.005),
        (0.4, 0.3),
        (0.4, 0.3999),
        (0.4, -0.2),
    ],
)
def test_readings_within_one_lsb_of_truth(bus_v, max_current_a, current_a):
    bench = Bench()
    meter = bench.meter(max_expected_current_a=max_current_a)
    bench.set(bus_v, current_a)
    once = meter.read_once()
    assert_within_one_lsb(once, bus_v, current_a, 0.1)
    assert not once.clipped and once.samples == 1
    averaged = meter.read(samples=8)
    assert averaged.samples == 8
    assert abs(averaged.current_a - current_a) <= SHUNT_LSB_V / 0.1
    assert abs(averaged.load_voltage_v - (bus_v + current_a * 0.1)) <= BUS_LSB_V + SHUNT_LSB_V


def test_bus_voltage_moves_in_4_mv_steps():
    bench = Bench()
    meter = bench.meter()
    seen = {}
    for bus_v in (3.3001, 3.3012, 3.3019, 3.3021, 3.3049, 3.3061):
        bench.set(bus_v)
        seen[bus_v] = meter.read_once().bus_voltage_v
    assert seen[3.3001] == seen[3.3012] == seen[3.3019] == pytest.approx(3.300)
    assert seen[3.3021] == seen[3.3049] == pytest.approx(3.304)
    assert seen[3.3061] == pytest.approx(3.308)
    for value in seen.values():
        assert value / BUS_LSB_V == pytest.approx(round(value / BUS_LSB_V), abs=1e-9)


def test_negative_current_reads_negative():
    bench = Bench()
    meter = bench.meter()
    bench.set(3.6, -0.3)
    reading = meter.read()
    assert reading.current_a == pytest.approx(-0.3, abs=1e-4)
    assert reading.shunt_voltage_v == pytest.approx(-0.03, abs=1e-5)
    assert reading.load_voltage_v == pytest.approx(reading.bus_voltage_v - 0.03, abs=1e-5)


@pytest.mark.parametrize(
    ("shunt_ohm", "max_current_a", "current_a", "name"),
    [
        (0.05, 0.8, 0.75, "16V_400mA"),  # 37.5 mV at the most
        (0.01, 3.0, 2.5, "16V_400mA"),
        (0.5, 0.15, -0.12, "16V_80mA"),  # the driver assumes 1 ohm here
        (0.1, 0.6, 0.55, "16V_80mA"),
        (0.02, 5.0, 4.2, "32V_1A"),
        (0.068, 3.0, 2.9, "32V_2A"),
    ],
)
def test_currents_are_scaled_for_the_fitted_shunt(shunt_ohm, max_current_a, current_a, name):
    bench = Bench(shunt_ohm=shunt_ohm)
    meter = bench.meter(max_expected_current_a=max_current_a)
    assert meter.calibration.name == name
    bench.set(3.2, current_a)
    assert_within_one_lsb(meter.read_once(), 3.2, current_a, shunt_ohm)


def test_a_shunt_the_meter_was_not_told_about_reads_wrong():
    # The scaling is real: the same chip with a 0.05 ohm shunt, configured as 0.1 ohm, reads half the current.
    bench = Bench(shunt_ohm=0.05)
    bench.set(current_a=1.0)
    assert bench.meter(shunt_ohm=0.1).read_once().current_a == pytest.approx(0.5, abs=1e-4)
    assert bench.meter(shunt_ohm=0.05).read_once().current_a == pytest.approx(1.0, abs=2e-4)


# --- clipping ---


def test_current_beyond_the_gain_range_is_seen_as_clipped_from_the_shunt_counts():
    bench = Bench()
    meter = bench.meter(max_expected_current_a=0.3)  # 16V_400mA: +-40 mV, 0.4 A with 0.1 ohm
    bench.set(3.3, 0.6)
    reading = meter.read()
    assert bench.chip.overflow is False  # the chip's OVF says nothing here (calibration 4096)...
    assert reading.clipped is True  # ...the counts at the PGA range do
    assert reading.current_a == pytest.approx(0.4)
    assert reading.shunt_voltage_v == pytest.approx(0.04)
    bench.set(current_a=-0.6)
    assert meter.read().clipped is True  # the negative end too
    bench.set(current_a=0.35)
    assert meter.read().clipped is False


def test_32v_2a_clips_above_3_2_a():
    bench = Bench()
    meter = bench.meter(max_expected_current_a=2.0)
    bench.set(current_a=3.5)
    reading = meter.read_once()
    assert reading.clipped and reading.current_a == pytest.approx(3.2)
    bench.set(current_a=3.19)
    assert not meter.read_once().clipped


def test_one_clipped_conversion_marks_the_averaged_reading():
    bench = Bench()
    meter = bench.meter(max_expected_current_a=0.4)
    currents = iter([0.3] * 5 + [0.5] + [0.3] * 100)

    def spiky() -> tuple[float, float]:
        return 3.3, next(currents)

    bench.chip.measure = spiky
    bench.clock.sleep(CONVERSION_CYCLE_S)
    reading = meter.read(samples=8)
    assert reading.clipped is True
    assert reading.current_a == pytest.approx((7 * 0.3 + 0.4) / 8, abs=1e-4)
    assert meter.read(samples=8).clipped is False


# --- averaging and timing ---


def test_averaging_reduces_noise():
    bench = Bench(bus_noise_v=0.008, shunt_noise_v=100e-6, rng=random.Random(1234))
    meter = bench.meter()
    bench.set(3.3, 0.5)
    single = [meter.read(samples=1) for _ in range(200)]
    averaged = [meter.read(samples=16) for _ in range(200)]
    for field in ("bus_voltage_v", "current_a", "load_voltage_v"):
        spread_1 = statistics.pstdev(getattr(r, field) for r in single)
        spread_16 = statistics.pstdev(getattr(r, field) for r in averaged)
        assert spread_1 > 0
        assert spread_16 < 0.4 * spread_1, field  # about 1/sqrt(16) = 0.25
    assert statistics.fmean(r.current_a for r in averaged) == pytest.approx(0.5, abs=2e-4)


def test_noise_dithers_averaging_below_one_bus_lsb():
    truth_v = 3.3017  # between the 3.300 and 3.304 steps
    quiet = Bench()
    quiet.world.bus_v = truth_v
    assert quiet.meter().read(samples=256).bus_voltage_v == pytest.approx(3.300)  # stuck 1.7 mV off
    noisy = Bench(bus_noise_v=0.004, rng=random.Random(99))
    noisy.world.bus_v = truth_v
    assert noisy.meter().read(samples=256).bus_voltage_v == pytest.approx(truth_v, abs=0.0006)


def test_a_sample_reads_two_registers_in_i2c_time_on_the_injected_clock():
    """Shunt and bus only: two ~0.58 ms register reads at 100 kHz, so 16 samples take ~18.6 ms, not 3-5 ms each."""
    bench = Bench()
    meter = bench.meter(samples=16)
    bench.clock.sleep(1.0)
    before, start = bench.bus.transactions, bench.clock.now()
    reading = meter.read()
    assert reading.samples == 16
    assert bench.bus.transactions - before == 32
    per_read_s = bench.bus.transaction_s(48)
    assert bench.clock.now() - start == pytest.approx(32 * per_read_s)
    assert len(set(bench.world.times)) >= 16  # every sample saw a conversion of its own


def test_on_a_fast_bus_samples_wait_one_conversion_cycle_apart():
    clock = VirtualClock()
    world = World(clock)
    chip = Ina219Emulator(measure=world)
    bus = FakeI2CBus(chip, clock=clock, scl_hz=3.4e6, overhead_s=0.0)
    meter = PowerMeter(bus, clock=clock)
    clock.sleep(1.0)
    meter.read_once()
    start = clock.now()
    meter.read_once()
    assert clock.now() - start == pytest.approx(CONVERSION_CYCLE_S)
    clock.sleep(0.5)
    start = clock.now()
    meter.read_once()
    assert clock.now() - start == pytest.approx(2 * bus.transaction_s(48))  # a late sample does not wait


@pytest.mark.parametrize("samples", [4, 16, 1000])
def test_a_reading_with_a_deadline_ends_by_it_however_many_samples_were_asked(samples):
    bench = Bench()
    meter = bench.meter()
    bench.clock.sleep(1.0)
    deadline_s = bench.clock.now() + 0.02
    reading = meter.read(samples=samples, deadline_s=deadline_s)
    if samples == 1000:
        assert deadline_s - 2 * bench.bus.transaction_s(48) <= bench.clock.now() <= deadline_s
        assert reading.samples == 17  # 20 ms / 1.16 ms
    else:
        assert reading.samples == samples
        assert bench.clock.now() < deadline_s


def test_a_reading_follows_the_world_as_it_changes_during_the_average():
    bench = Bench()
    meter = bench.meter()

    calls = itertools.count()

    def sagging() -> tuple[float, float]:  # the load comes on halfway through
        return (3.0, 1.0) if next(calls) >= 4 else (3.6, 0.0)

    bench.chip.measure = sagging
    bench.clock.sleep(CONVERSION_CYCLE_S)
    reading = meter.read(samples=8)
    # Each sample is whichever conversion was latest when its register was read: part before, part after.
    assert 0.2 < reading.current_a < 0.8
    assert 3.12 < reading.bus_voltage_v < 3.48


# --- I2C errors during reads ---


def test_intermittent_i2c_error_surfaces_once_without_retry():
    bench = Bench()
    meter = bench.meter()
    bench.set(current_a=0.25)
    before = bench.bus.transactions
    bench.bus.fail_next(1)
    with pytest.raises(PowerMeterError) as info:
        meter.read()
    assert str(info.value) == (
        "INA219 at 0x40 on I2C bus 1: I2C error during read: [Errno 121] Remote I/O error: "
        "check the I2C cable (SDA=GPIO2, SCL=GPIO3), VCC and GND"
    )
    assert info.value.errno == 121
    assert bench.bus.transactions == before + 1  # gave up at the first failed transaction: no retry inside
    assert meter.read().current_a == pytest.approx(0.25, abs=1e-4)  # the next read works


def test_chip_unplugged_after_setup_reports_the_i2c_error():
    bench = Bench()
    meter = bench.meter()
    bench.bus.detach(0x40)
    with pytest.raises(PowerMeterError, match=r"0x40 on I2C bus 1: I2C error during read: \[Errno 121\]"):
        meter.read_once()


def test_other_errno_text_is_passed_through():
    bench = Bench()
    meter = bench.meter()
    bench.bus.fail_next(1, 110)
    with pytest.raises(PowerMeterError, match=r"\[Errno 110\] Connection timed out: check the I2C cable") as info:
        meter.read_once()
    assert info.value.errno == 110


# --- threads ---


def test_two_meters_in_two_threads_keep_their_own_readings():
    clock = VirtualClock()
    chips = {
        0x40: Ina219Emulator(address=0x40, measure=lambda: (3.0, 0.1)),
        0x41: Ina219Emulator(address=0x41, measure=lambda: (5.0, -0.2)),
    }
    bus = FakeI2CBus(*chips.values(), clock=clock)
    meters = {address: PowerMeter(bus, address=address, clock=clock) for address in chips}
    expected = {0x40: (3.0, 0.1), 0x41: (5.0, -0.2)}
    wrong: list[tuple[int, PowerReading]] = []

    def hammer(address: int) -> None:
        for _ in range(300):
            reading = meters[address].read_once()
            bus_v, current_a = expected[address]
            if abs(reading.bus_voltage_v - bus_v) > BUS_LSB_V or abs(reading.current_a - current_a) > 1e-4:
                wrong.append((address, reading))

    switch_interval_s = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=hammer, args=(address,)) for address in chips]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch_interval_s)
    assert wrong == []


# --- configuration and the real bus ---


def test_from_config_uses_the_reference_fixture():
    bench = Bench()
    meter = PowerMeter.from_config(load_config().power_meter, bench.bus, bench.clock)
    assert (meter.address, meter.bus_number, meter.samples) == (0x40, 1, 16)
    assert meter.calibration.name == "32V_2A"
    bench.set(current_a=0.8)
    reading = meter.read()
    assert reading.samples == 16
    assert reading.current_a == pytest.approx(0.8, abs=1e-4)


def test_from_config_takes_every_field():
    cfg = parse_config(
        "[power_meter]\ni2c_bus = 3\naddress = 0x45\nshunt_ohm = 0.05\nmax_expected_current_a = 0.5\nsamples = 4\n"
    ).power_meter
    bench = Bench(address=0x45, shunt_ohm=0.05)
    meter = PowerMeter.from_config(cfg, bench.bus, bench.clock)
    assert meter.where == "0x45 on I2C bus 3"
    assert meter.calibration.name == "16V_400mA"  # 25 mV
    bench.set(current_a=0.5)
    reading = meter.read()
    assert reading.samples == 4
    assert reading.current_a == pytest.approx(0.5, abs=2e-4)
    with pytest.raises(PowerMeterError, match="not found at 0x45 on I2C bus 3"):
        PowerMeter.from_config(cfg, FakeI2CBus(), bench.clock)


def test_open_i2c_bus_without_blinka_board_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "board", None)  # import board -> ImportError
    with pytest.raises(PowerMeterError) as info:
        open_i2c_bus(1)
    message = str(info.value)
    assert message.startswith("cannot open I2C bus 1 (")
    assert "raspi-config" in message and "--sim" in message and "\n" not in message


def test_open_i2c_bus_keeps_only_the_first_line_of_blinkas_error(monkeypatch):
    def no_i2c():
        raise ValueError("No Hardware I2C on (scl,sda)=(3, 2)\nValid I2C ports: ().\nMake sure I2C is enabled.")

    monkeypatch.setitem(sys.modules, "board", types.SimpleNamespace(I2C=no_i2c))
    with pytest.raises(PowerMeterError) as info:
        open_i2c_bus(1)
    assert "No Hardware I2C on (scl,sda)=(3, 2)" in str(info.value)
    assert "\n" not in str(info.value)


def test_open_i2c_bus_on_a_pi_returns_blinkas_bus(monkeypatch):
    bus = object()
    monkeypatch.setitem(sys.modules, "board", types.SimpleNamespace(I2C=lambda: bus))
    assert open_i2c_bus(1) is bus
    extended = types.SimpleNamespace(ExtendedI2C=lambda number: ("extended", number))
    monkeypatch.setitem(sys.modules, "adafruit_extended_bus", extended)
    assert open_i2c_bus(3) == ("extended", 3)


def test_open_i2c_bus_other_than_1_needs_the_extended_bus_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "adafruit_extended_bus", None)
    with pytest.raises(PowerMeterError, match=r"cannot open I2C bus 3: .*adafruit-extended-bus"):
        open_i2c_bus(3)
