"""The MCP23017 16-bit I/O expander as its register file, behind the simulated I2C bus.

A fixture of several slots runs out of native GPIO pins (each slot needs a camera outlet and five actuators):
their drive lines go through MCP23017 expanders, driven by Adafruit's ``adafruit_mcp230xx``. This emulator
follows the datasheet (Microchip DS20001952, IOCON.BANK = 0 addressing): 22 registers, power-on IODIR = 0xFF
(all inputs), a register pointer set by the first byte of a write that increments after each byte and wraps
from 0x15 to 0x00 unless IOCON.SEQOP is set; writing GPIOx writes OLATx; reading GPIOx returns the pins (an
output pin reads its latch, an input pin the outside level, inverted where IPOLx says, pulled up where GPPUx
says and nothing drives it). Interrupt registers are stored but raise no interrupt line (the rig does not use
them).
"""

from __future__ import annotations

from collections.abc import Callable

IODIRA, IODIRB = 0x00, 0x01
IPOLA, IPOLB = 0x02, 0x03
IOCON_A, IOCON_B = 0x0A, 0x0B
GPPUA, GPPUB = 0x0C, 0x0D
INTFA, INTFB, INTCAPA, INTCAPB = 0x0E, 0x0F, 0x10, 0x11
GPIOA, GPIOB = 0x12, 0x13
OLATA, OLATB = 0x14, 0x15
REGISTER_COUNT = 0x16
IOCON_SEQOP = 0x20
READ_ONLY = frozenset({INTFA, INTFB, INTCAPA, INTCAPB})
PINS = 16      # GPA0-7 are pins 0-7, GPB0-7 pins 8-15, as adafruit_mcp230xx numbers them

OutputListener = Callable[[int, bool], None]
"""Called with (pin, level) whenever an output pin's driven level changes."""


class Mcp23017Emulator:
    """Satisfies the simulated bus's ``I2CTarget``."""

    def __init__(self, address: int = 0x20) -> None:
        if not 0x20 <= address <= 0x27:
            raise ValueError(f"an MCP23017 answers at 0x20-0x27 (A2..A0), not 0x{address:02x}")
        self.address = address
        self._regs = bytearray(REGISTER_COUNT)
        self._regs[IODIRA] = self._regs[IODIRB] = 0xFF
        self._pointer = 0
        self._outside: list[bool | None] = [None] * PINS    # what drives each pin from outside (None: nothing)
        self._listeners: list[OutputListener] = []
        self._driven = self._driven_levels()

    # --- the simulator's side -------------------------------------------------------------------------------
    def subscribe(self, listener: OutputListener) -> None:
        self._listeners.append(listener)

    def set_input(self, pin: int, level: bool | None) -> None:
        """Drive ``pin`` from outside (``None``: let it float)."""
        self._outside[self._check_pin(pin)] = level

    def output_level(self, pin: int) -> bool | None:
        """The level the chip drives on ``pin``; ``None`` while the pin is an input."""
        return self._driven[self._check_pin(pin)]

    def register(self, address: int) -> int:
        return self._regs[address]

    # --- the I2C side ---------------------------------------------------------------------------------------
    def i2c_write(self, data: bytes) -> None:
        if not data:
            return  # an address probe
        self._pointer = data[0] % REGISTER_COUNT
        for value in data[1:]:
            self._store(self._pointer, value)
            self._advance()
        self._publish()

    def i2c_read(self, count: int) -> bytes:
        out = bytearray()
        for _ in range(count):
            out.append(self._load(self._pointer))
            self._advance()
        return bytes(out)

    # --- registers --------------------------------------------------------------------------------------------
    def _advance(self) -> None:
        if not self._regs[IOCON_A] & IOCON_SEQOP:
            self._pointer = (self._pointer + 1) % REGISTER_COUNT

    def _store(self, address: int, value: int) -> None:
        if address in READ_ONLY:
            return
        if address in (GPIOA, GPIOB):
            address += OLATA - GPIOA    # a write to the port goes to its latch
        if address in (IOCON_A, IOCON_B):
            self._regs[IOCON_A] = self._regs[IOCON_B] = value & 0xFE   # one register at two addresses; bit 0 unused
            return
        self._regs[address] = value

    def _load(self, address: int) -> int:
        if address in (GPIOA, GPIOB):
            return self._port(address - GPIOA)
        return self._regs[address]

    def _port(self, port: int) -> int:
        iodir, ipol = self._regs[IODIRA + port], self._regs[IPOLA + port]
        pullup, latch = self._regs[GPPUA + port], self._regs[OLATA + port]
        value = 0
        for bit in range(8):
            mask = 1 << bit
            if not iodir & mask:
                level = bool(latch & mask)
            else:
                outside = self._outside[port * 8 + bit]
                level = bool(pullup & mask) if outside is None else outside
                level ^= bool(ipol & mask)
            value |= mask if level else 0
        return value

    def _driven_levels(self) -> list[bool | None]:
        levels: list[bool | None] = []
        for pin in range(PINS):
            port, mask = divmod(pin, 8)[0], 1 << (pin % 8)
            is_output = not self._regs[IODIRA + port] & mask
            levels.append(bool(self._regs[OLATA + port] & mask) if is_output else None)
        return levels

    def _publish(self) -> None:
        driven = self._driven_levels()
        changed = [(pin, level) for pin, (level, before) in enumerate(zip(driven, self._driven, strict=True))
                   if level is not None and level != before]
        self._driven = driven
        for pin, level in changed:
            for listener in self._listeners:
                listener(pin, level)

    @staticmethod
    def _check_pin(pin: int) -> int:
        if not 0 <= pin < PINS:
            raise ValueError(f"the MCP23017 has pins 0-15, not {pin}")
        return pin
