"""The INA219 emulator and fake I2C bus, at register level and under the real adafruit_ina219 driver."""

from __future__ import annotations

import errno
import random
import statistics
import sys
import threading

import adafruit_ina219
import pytest

from firmware_sim.ina219 import (
    BUS_CNVR_BIT,
    BUS_OVF_BIT,
    REG_BUS_VOLTAGE,
    REG_CALIBRATION,
    REG_CONFIG,
    REG_CURRENT,
    REG_POWER,
    REG_SHUNT_VOLTAGE,
    TRANSACTION_OVERHEAD_S,
    FakeI2CBus,
    Ina219Emulator,
    conversion_time_s,
)


class Truth:
    """A settable world: what the next conversion will see, and how many conversions asked."""

    def __init__(self, bus_v: float = 0.0, current_a: float = 0.0) -> None:
        self.bus_v = bus_v
        self.current_a = current_a
        self.calls = 0

    def __call__(self) -> tuple[float, float]:
        self.calls += 1
        return self.bus_v, self.current_a


class RecordingBus(FakeI2CBus):
    """A FakeI2CBus that logs every transaction as the bytes that crossed the wire."""

    def __init__(self, *devices: Ina219Emulator) -> None:
        super().__init__(*devices)
        self.log: list[tuple[str, int, bytes]] = []

    def writeto(self, address, buffer, *, start=0, end=None, stop=True):
        self.log.append(("write", address, bytes(buffer[start:end])))
        super().writeto(address, buffer, start=start, end=end, stop=stop)

    def readfrom_into(self, address, buffer, *, start=0, end=None, stop=True):
        self.log.append(("read", address, b""))
        super().readfrom_into(address, buffer, start=start, end=end, stop=stop)

    def writeto_then_readfrom(self, address, buffer_out, buffer_in, **kw):
        sent = bytes(buffer_out[kw.get("out_start", 0) : kw.get("out_end")])
        self.log.append(("write_read", address, sent))
        super().writeto_then_readfrom(address, buffer_out, buffer_in, **kw)


def read_word(bus: FakeI2CBus, address: int, reg: int) -> int:
    """Read one register the way adafruit_register does: one shared buffer for pointer and reply."""
    buf = bytearray(3)
    buf[0] = reg
    bus.writeto_then_readfrom(address, buf, buf, out_end=1, in_start=1, in_end=3)
    return (buf[1] << 8) | buf[2]


def write_word(bus: FakeI2CBus, address: int, reg: int, value: int) -> None:
    bus.writeto(address, bytes((reg, value >> 8, value & 0xFF)))


def s16(value: int) -> int:
    return value - 0x10000 if value & 0x8000 else value


def settle(bus: FakeI2CBus, chip: Ina219Emulator, cycles: float = 1.0) -> None:
    """Let ``cycles`` conversion cycles of the chip pass on the bus clock."""
    bus.clock.sleep(chip.cycle_s * cycles)


def chip_and_driver(truth, **kw) -> tuple[Ina219Emulator, FakeI2CBus, adafruit_ina219.INA219]:
    """A chip under the real driver, with one conversion cycle completed after the driver set it up."""
    chip = Ina219Emulator(measure=truth, **kw)
    bus = FakeI2CBus(chip)
    ina = adafruit_ina219.INA219(bus)
    settle(bus, chip)
    return chip, bus, ina


# --- power-on state and the probe ---


def test_power_on_registers_are_the_datasheet_defaults():
    chip = Ina219Emulator()
    assert chip.registers == {
        REG_CONFIG: 0x399F,
        REG_SHUNT_VOLTAGE: 0,
        REG_BUS_VOLTAGE: 0,
        REG_POWER: 0,
        REG_CURRENT: 0,
        REG_CALIBRATION: 0,
    }


def test_driver_probe_handshake_is_a_zero_length_write_and_construction_calibrates():
    truth = Truth(3.3, 0.1)
    chip = Ina219Emulator(measure=truth)
    bus = RecordingBus(chip)
    adafruit_ina219.INA219(bus, addr=0x40)
    assert bus.log[0] == ("write", 0x40, b"")
    # The constructor calls set_calibration_32V_2A: calibration 4096 ends up in register 5.
    assert ("write", 0x40, bytes((REG_CALIBRATION, 0x10, 0x00))) in bus.log
    assert chip.register(REG_CALIBRATION) == 4096
    assert chip.register(REG_CONFIG) == 0x399F
    assert not bus._ownership.locked()  # the driver released the bus


def test_absent_address_raises_oserror_121_on_every_kind_of_transaction():
    bus = FakeI2CBus(Ina219Emulator(address=0x40))
    calls = (
        lambda: bus.writeto(0x41, b""),
        lambda: bus.readfrom_into(0x41, bytearray(1)),
        lambda: bus.writeto_then_readfrom(0x41, bytearray(3), bytearray(3), out_end=1, in_start=1),
    )
    for call in calls:
        with pytest.raises(OSError) as info:
            call()
        assert info.value.errno == errno.EREMOTEIO == 121
        assert info.value.strerror == "Remote I/O error"


def test_driver_on_an_absent_address_reports_no_device():
    bus = RecordingBus(Ina219Emulator(address=0x40))
    with pytest.raises(ValueError, match="No I2C device at address: 0x41"):
        adafruit_ina219.INA219(bus, addr=0x41)
    # It tried the empty write, then the one-byte read fallback, as on a real bus.
    assert [entry[0] for entry in bus.log] == ["write", "read"]
    assert bus.try_lock()  # and left the bus unlocked


def test_probe_falls_back_to_a_read_when_the_empty_write_fails():
    chip = Ina219Emulator()
    bus = FakeI2CBus(chip)
    bus.fail_next(1)
    ina = adafruit_ina219.INA219(bus)  # the read fallback succeeds
    assert ina.calibration == 4096


def test_detach_and_attach():
    chip = Ina219Emulator(address=0x44)
    bus = FakeI2CBus()
    assert bus.scan() == []
    bus.attach(chip)
    assert bus.scan() == [0x44]
    with pytest.raises(ValueError, match="0x44 is already taken"):
        bus.attach(Ina219Emulator(address=0x44))
    bus.detach(0x44)
    bus.detach(0x44)  # unplugging twice is harmless
    with pytest.raises(OSError):
        bus.writeto(0x44, b"")


def test_bad_address_is_refused():
    with pytest.raises(ValueError, match="0x80"):
        Ina219Emulator(address=0x80)


# --- the register protocol ---


def test_shared_buffer_read_returns_the_register_not_the_pointer():
    bus = FakeI2CBus(Ina219Emulator())
    buf = bytearray(3)
    buf[0] = REG_CONFIG
    bus.writeto_then_readfrom(0x40, buf, buf, out_end=1, in_start=1, in_end=3)
    assert buf == bytearray((REG_CONFIG, 0x39, 0x9F))


def test_pointer_write_then_plain_read_and_repeat_on_long_read():
    bus = FakeI2CBus(Ina219Emulator())
    bus.writeto(0x40, bytes((REG_CONFIG,)))
    buf = bytearray(5)
    bus.readfrom_into(0x40, buf, start=1)
    assert buf == bytearray((0, 0x39, 0x9F, 0x39, 0x9F))


def test_result_registers_ignore_writes_and_calibration_bit0_reads_zero():
    chip = Ina219Emulator(measure=lambda: (3.0, 0.1))
    bus = FakeI2CBus(chip)
    write_word(bus, 0x40, REG_SHUNT_VOLTAGE, 0x1234)
    assert chip.register(REG_SHUNT_VOLTAGE) == 0
    write_word(bus, 0x40, REG_CALIBRATION, 0x1001)
    assert read_word(bus, 0x40, REG_CALIBRATION) == 0x1000


def test_config_reset_bit_restores_power_on_state():
    chip = Ina219Emulator(measure=lambda: (3.0, 0.1))
    bus = FakeI2CBus(chip)
    write_word(bus, 0x40, REG_CONFIG, 0x019F)
    write_word(bus, 0x40, REG_CALIBRATION, 4096)
    read_word(bus, 0x40, REG_SHUNT_VOLTAGE)
    write_word(bus, 0x40, REG_CONFIG, 0x8000)
    assert chip.register(REG_CONFIG) == 0x399F
    assert chip.register(REG_CALIBRATION) == 0
    assert chip.register(REG_SHUNT_VOLTAGE) == 0


@pytest.mark.parametrize(
    ("method", "config"),
    [
        ("set_calibration_32V_2A", 0x399F),
        ("set_calibration_32V_1A", 0x319F),
        ("set_calibration_16V_400mA", 0x019F),
        ("set_calibration_16V_80mA", 0x099F),
        ("set_calibration_16V_5A", 0x119F),
    ],
)
def test_config_register_holds_what_the_driver_writes(method, config):
    chip = Ina219Emulator()
    ina = adafruit_ina219.INA219(FakeI2CBus(chip))
    getattr(ina, method)()
    assert chip.register(REG_CONFIG) == config
    assert chip.register(REG_CALIBRATION) == 4096
    # And the driver reads back its own fields from the emulator.
    assert ina.mode == adafruit_ina219.Mode.SANDBVOLT_CONTINUOUS
    assert ina.bus_adc_resolution == adafruit_ina219.ADCResolution.ADCRES_12BIT_1S


# --- quantisation ---


def test_bus_register_is_4mv_steps_in_bits_15_to_3_with_cnvr():
    truth = Truth(3.3013, 0.0)
    chip = Ina219Emulator(measure=truth)
    bus = FakeI2CBus(chip)
    settle(bus, chip)
    raw = read_word(bus, 0x40, REG_BUS_VOLTAGE)
    assert raw == (825 << 3) | BUS_CNVR_BIT  # 3.3013 V -> 825 x 4 mV = 3.300 V
    truth.bus_v = 3.3031
    settle(bus, chip)
    assert read_word(bus, 0x40, REG_BUS_VOLTAGE) >> 3 == 826  # 3.304 V: the next 4 mV step


def test_shunt_register_is_signed_10uv_steps():
    truth = Truth(3.0, 0.25373)  # 25.373 mV across 0.1 ohm
    chip = Ina219Emulator(measure=truth)
    bus = FakeI2CBus(chip)
    settle(bus, chip)
    assert s16(read_word(bus, 0x40, REG_SHUNT_VOLTAGE)) == 2537
    truth.current_a = -0.1234
    settle(bus, chip)
    raw = read_word(bus, 0x40, REG_SHUNT_VOLTAGE)
    assert raw == 0x10000 - 1234  # two's complement


def test_driver_reads_within_one_lsb_of_truth():
    truth = Truth(3.1416, 0.7071)
    _chip, _bus, ina = chip_and_driver(truth)
    assert abs(ina.shunt_voltage - 0.07071) <= 10e-6
    assert abs(ina.bus_voltage - 3.1416) <= 4e-3
    assert abs(ina.current - 707.1) <= 0.1  # mA, 0.1 mA LSB


def test_current_and_power_follow_the_chip_arithmetic_with_any_calibration():
    truth = Truth(5.0, 0.5)  # 50 mV shunt -> 5000 counts, bus 1250 counts
    chip = Ina219Emulator(measure=truth)
    bus = FakeI2CBus(chip)
    settle(bus, chip)
    write_word(bus, 0x40, REG_CALIBRATION, 8192)
    assert s16(read_word(bus, 0x40, REG_CURRENT)) == 10000  # 5000 x 8192 / 4096
    assert read_word(bus, 0x40, REG_POWER) == 2500  # 10000 x 1250 / 5000
    write_word(bus, 0x40, REG_CALIBRATION, 3000)  # recalculated on the spot from the last conversion
    assert s16(read_word(bus, 0x40, REG_CURRENT)) == 3662  # 5000 x 3000 / 4096 = 3662.1, truncated


def test_negative_current_gives_negative_current_register_and_positive_power():
    truth = Truth(3.6, -0.3)
    _chip, _bus, ina = chip_and_driver(truth)
    assert ina.current == pytest.approx(-300.0, abs=0.1)
    assert ina.power == pytest.approx(0.3 * 3.6, abs=0.002 + 0.3 * 0.004)
    assert ina.power > 0


def test_uncalibrated_chip_reads_zero_current():
    chip = Ina219Emulator(measure=lambda: (3.0, 1.0))
    bus = FakeI2CBus(chip)
    settle(bus, chip)
    assert s16(read_word(bus, 0x40, REG_SHUNT_VOLTAGE)) == 10000
    assert read_word(bus, 0x40, REG_CURRENT) == 0


# --- clipping and OVF ---


@pytest.mark.parametrize(
    ("method", "current_a", "clipped_counts"),
    [
        ("set_calibration_16V_400mA", 0.5, 4000),
        ("set_calibration_16V_400mA", -0.45, -4000),
        ("set_calibration_32V_1A", 1.7, 16000),
        ("set_calibration_32V_2A", 3.5, 32000),
    ],
)
def test_shunt_beyond_the_gain_range_clips_without_ovf(method, current_a, clipped_counts):
    """SBOS448: OVF is the Math Overflow Flag. A clipped shunt reading with calibration 4096 (every driver
    calibration) leaves it clear: clipping shows only in the counts, at the PGA range."""
    truth = Truth(3.3, current_a)
    chip, bus, ina = chip_and_driver(truth)
    getattr(ina, method)()
    settle(bus, chip)
    assert ina.raw_shunt_voltage == clipped_counts
    assert ina.overflow is False
    assert chip.register(REG_BUS_VOLTAGE) & BUS_OVF_BIT == 0
    assert ina.raw_current == clipped_counts  # 4096: current register = shunt register, no overflow


def test_ovf_follows_the_arithmetic_of_each_conversion():
    truth = Truth(3.0, 2.0)  # 20000 shunt counts
    chip, bus, ina = chip_and_driver(truth)
    write_word(bus, 0x40, REG_CALIBRATION, 8192)  # 40000: overflows
    assert ina.overflow
    truth.current_a = 0.5
    settle(bus, chip)
    assert not ina.overflow  # 10000 fits


def test_just_inside_the_range_is_not_an_overflow():
    chip = Ina219Emulator(measure=lambda: (3.3, 0.4))
    ina = adafruit_ina219.INA219(FakeI2CBus(chip))
    ina.set_calibration_16V_400mA()
    assert ina.raw_shunt_voltage == 4000
    assert not ina.overflow


def test_current_math_overflow_sets_ovf():
    chip = Ina219Emulator(measure=lambda: (3.0, 2.0))  # 20000 shunt counts
    bus = FakeI2CBus(chip)
    settle(bus, chip)
    write_word(bus, 0x40, REG_CALIBRATION, 8192)  # 40000: does not fit a signed 16-bit register
    assert s16(read_word(bus, 0x40, REG_CURRENT)) == 32767
    assert read_word(bus, 0x40, REG_BUS_VOLTAGE) & BUS_OVF_BIT


def test_bus_voltage_is_clipped_to_the_range_and_never_negative():
    truth = Truth(20.0, 0.0)
    chip, bus, ina = chip_and_driver(truth)
    assert ina.bus_voltage == pytest.approx(20.0)  # 32 V range
    ina.set_calibration_16V_400mA()
    settle(bus, chip)
    assert ina.bus_voltage == pytest.approx(16.0)
    truth.bus_v = -0.5
    settle(bus, chip)
    assert ina.bus_voltage == 0.0


# --- conversions ---


def test_conversions_run_continuously_at_the_configured_adc_time():
    """12 bit: 532 us shunt + 532 us bus per cycle; 16 samples: 8.51 ms each (SBOS448 ADC settings table)."""
    truth = Truth(3.3, 0.1)
    chip = Ina219Emulator(measure=truth)
    bus = FakeI2CBus(chip)
    assert chip.cycle_s == pytest.approx(1.064e-3)
    bus.clock.sleep(0.1064 - 1e-6)
    chip.catch_up()
    assert chip.conversions == 1  # lazily: one conversion with the world as it stands, for the latest cycle
    before = truth.calls
    bus.clock.sleep(1e-6)
    read_word(bus, 0x40, REG_CONFIG)  # any access brings the register file up to date
    assert truth.calls == before + 1
    write_word(bus, 0x40, REG_CONFIG, 0x399F & ~(0xF << 3) | (0xC << 3))  # shunt: 16 samples
    assert chip.cycle_s == pytest.approx(8.51e-3 + 532e-6)


@pytest.mark.parametrize(("code", "seconds"), [(0x0, 84e-6), (0x3, 532e-6), (0x9, 1.06e-3), (0xF, 68.10e-3)])
def test_conversion_times_are_the_datasheet_table(code, seconds):
    assert conversion_time_s(code) == pytest.approx(seconds)


SLOW = adafruit_ina219.ADCResolution.ADCRES_12BIT_128S  # 68.1 ms per conversion: many reads fit in a cycle


def test_a_result_read_between_cycles_repeats_the_last_conversion():
    truth = Truth(3.3, 0.1)
    chip, bus, ina = chip_and_driver(truth)
    ina.bus_adc_resolution = SLOW
    settle(bus, chip)
    first = ina.bus_voltage
    truth.bus_v = 3.0
    assert ina.bus_voltage == first  # the next cycle has not completed yet
    settle(bus, chip)
    assert ina.bus_voltage == pytest.approx(3.0)


def test_cnvr_is_set_by_a_conversion_and_cleared_by_the_power_read():
    chip, bus, ina = chip_and_driver(lambda: (3.3, 0.1))
    ina.bus_adc_resolution = SLOW
    settle(bus, chip)
    assert ina.conversion_ready
    _ = ina.raw_power
    assert not ina.conversion_ready
    assert not ina.conversion_ready  # reading the bus register does not set it: only a conversion does
    settle(bus, chip)
    assert ina.conversion_ready


def test_a_config_write_clears_cnvr_and_restarts_the_cycle():
    _chip, _bus, ina = chip_and_driver(lambda: (3.3, 0.1))
    assert ina.conversion_ready
    ina.mode = adafruit_ina219.Mode.SANDBVOLT_CONTINUOUS
    assert not ina.conversion_ready


def test_power_down_mode_does_not_convert():
    truth = Truth(3.3, 0.1)
    ina = adafruit_ina219.INA219(FakeI2CBus(Ina219Emulator(measure=truth)))
    ina.mode = adafruit_ina219.Mode.POWERDOWN
    calls = truth.calls
    ina.i2c_device.i2c.clock.sleep(1.0)
    _ = ina.bus_voltage, ina.power, ina.bus_voltage
    assert truth.calls == calls


def test_triggered_mode_converts_once_per_trigger():
    truth = Truth(3.3, 0.1)
    chip = Ina219Emulator(measure=truth)
    bus = FakeI2CBus(chip)
    ina = adafruit_ina219.INA219(bus)
    ina.mode = adafruit_ina219.Mode.SANDBVOLT_TRIGGERED
    settle(bus, chip)
    assert ina.bus_voltage == pytest.approx(3.3)
    truth.bus_v = 3.0
    settle(bus, chip, 5)
    assert ina.bus_voltage == pytest.approx(3.3)  # no new trigger: old result
    ina.mode = adafruit_ina219.Mode.SANDBVOLT_TRIGGERED
    settle(bus, chip)
    assert ina.bus_voltage == pytest.approx(3.0)


def test_bus_only_mode_leaves_the_shunt_register_alone():
    truth = Truth(3.3, 0.1)
    chip = Ina219Emulator(measure=truth)
    bus = FakeI2CBus(chip)
    ina = adafruit_ina219.INA219(bus)
    settle(bus, chip)
    assert ina.raw_shunt_voltage == 1000
    ina.mode = adafruit_ina219.Mode.BVOLT_CONTINUOUS
    assert chip.cycle_s == pytest.approx(532e-6)
    truth.bus_v, truth.current_a = 3.0, 0.2
    settle(bus, chip)
    assert ina.bus_voltage == pytest.approx(3.0)
    assert ina.raw_shunt_voltage == 1000  # the shunt is no longer converted


def test_a_register_read_takes_its_bit_times_at_the_bus_clock():
    """adafruit_register's read: start, address+W, pointer, repeated start, address+R, two bytes, stop = 48
    bit times; at 100 kHz plus the per-transaction overhead, 0.4-0.7 ms as on a Pi."""
    chip = Ina219Emulator()
    bus = FakeI2CBus(chip)
    read_word(bus, 0x40, REG_CONFIG)
    assert bus.clock.now() == pytest.approx(48 / 100_000 + TRANSACTION_OVERHEAD_S)
    assert 0.4e-3 <= bus.clock.now() <= 0.7e-3
    fast = FakeI2CBus(Ina219Emulator(), scl_hz=400_000)
    read_word(fast, 0x40, REG_CONFIG)
    assert fast.clock.now() == pytest.approx(48 / 400_000 + TRANSACTION_OVERHEAD_S)


def test_the_bus_lends_its_clock_to_a_chip_without_one():
    chip = Ina219Emulator()
    bus = FakeI2CBus(chip)
    assert chip.clock is bus.clock
    with pytest.raises(RuntimeError, match="no clock"):
        Ina219Emulator().catch_up()


def test_register_inspection_does_not_convert():
    truth = Truth(3.3, 0.1)
    chip = Ina219Emulator(measure=truth)
    chip.register(REG_BUS_VOLTAGE)
    _ = chip.registers
    assert truth.calls == 0 and chip.conversions == 0


# --- noise ---


def test_noise_is_seeded_and_has_the_configured_spread():
    def bus_readings(seed: int) -> list[float]:
        chip, bus, ina = chip_and_driver(lambda: (3.3, 0.0), bus_noise_v=0.02, rng=random.Random(seed))
        values = []
        for _ in range(400):
            values.append(ina.bus_voltage)
            settle(bus, chip)
        return values

    first = bus_readings(7)
    assert first == bus_readings(7)
    assert first != bus_readings(8)
    assert statistics.pstdev(first) == pytest.approx(0.02, rel=0.15)
    assert statistics.fmean(first) == pytest.approx(3.3, abs=0.004)


def test_chip_averaging_mode_divides_the_noise():
    def spread(adc: int) -> float:
        chip, bus, ina = chip_and_driver(lambda: (3.3, 0.1), shunt_noise_v=200e-6, rng=random.Random(3))
        ina.shunt_adc_resolution = adc
        values = []
        for _ in range(300):
            settle(bus, chip)
            values.append(ina.shunt_voltage)
        return statistics.pstdev(values)

    single = spread(adafruit_ina219.ADCResolution.ADCRES_12BIT_1S)
    sixteen = spread(adafruit_ina219.ADCResolution.ADCRES_12BIT_16S)
    assert single == pytest.approx(200e-6, rel=0.2)
    assert sixteen == pytest.approx(50e-6, rel=0.25)


# --- fault injection and threads ---


def test_fail_next_fails_exactly_that_many_transactions():
    chip = Ina219Emulator(measure=lambda: (3.3, 0.1))
    bus = FakeI2CBus(chip)
    bus.fail_next(2)
    for _ in range(2):
        with pytest.raises(OSError) as info:
            read_word(bus, 0x40, REG_CONFIG)
        assert (info.value.errno, info.value.strerror) == (121, "Remote I/O error")
    assert read_word(bus, 0x40, REG_CONFIG) == 0x399F


def test_fail_next_with_another_errno():
    bus = FakeI2CBus(Ina219Emulator())
    bus.fail_next(1, errno.ETIMEDOUT)
    with pytest.raises(TimeoutError) as info:  # OSError subclass chosen by errno, as the OS would
        bus.writeto(0x40, b"\x00")
    assert info.value.errno == errno.ETIMEDOUT


def test_driver_error_mid_read_leaves_the_bus_unlocked():
    chip = Ina219Emulator(measure=lambda: (3.3, 0.1))
    bus = FakeI2CBus(chip)
    ina = adafruit_ina219.INA219(bus)
    bus.fail_next(1)
    with pytest.raises(OSError):
        _ = ina.bus_voltage
    assert ina.bus_voltage == pytest.approx(3.3)


def test_try_lock_is_exclusive():
    bus = FakeI2CBus()
    assert bus.try_lock()
    assert not bus.try_lock()
    result = []
    worker = threading.Thread(target=lambda: result.append(bus.try_lock()))
    worker.start()
    worker.join()
    assert result == [False]
    bus.unlock()
    assert bus.try_lock()
    bus.unlock()
    bus.unlock()  # unlocking an unlocked bus is harmless, as in Blinka


def test_concurrent_transactions_on_one_chip_never_mix_pointer_and_reply():
    switch_interval_s = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to provoke interleaving
    chip = Ina219Emulator(measure=lambda: (3.0, 0.1))
    bus = FakeI2CBus(chip)
    settle(bus, chip)
    expected = {REG_BUS_VOLTAGE: (750 << 3) | BUS_CNVR_BIT, REG_CONFIG: 0x399F}
    wrong: list[tuple[int, int]] = []

    def hammer(reg: int) -> None:
        for _ in range(6000):
            value = read_word(bus, 0x40, reg)
            if value & ~BUS_CNVR_BIT != expected[reg] & ~BUS_CNVR_BIT:
                wrong.append((reg, value))

    threads = [threading.Thread(target=hammer, args=(reg,)) for reg in expected]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch_interval_s)
    assert wrong == []
    assert bus.transactions == 2 * 6000
