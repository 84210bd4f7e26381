"""Pin numbers of the parts the schematics draw, in one table, each from the maker's datasheet.

``draw.py`` takes every pin number it prints from here, so a drawing cannot disagree with the table, and the
tests check the table against the datasheet lines quoted below.
"""

from __future__ import annotations

PINOUTS: dict[str, dict[str, str]] = {
    # ams/TAOS TSL257 light-to-voltage converter, datasheet TAOS023, "Terminal Functions":
    # GND 1, VDD 2, OUT 3 (the LP package seen from the front, leads down).
    "TSL257": {"GND": "1", "VDD": "2", "OUT": "3"},
    # TI LM393 dual comparator, datasheet SLCS005, "Pin Configuration and Functions" (D/P, 8 pins):
    # 1OUT 1, 1IN− 2, 1IN+ 3, GND 4, 2IN+ 5, 2IN− 6, 2OUT 7, VCC 8.
    "LM393": {"1OUT": "1", "1IN-": "2", "1IN+": "3", "GND": "4", "2IN+": "5", "2IN-": "6", "2OUT": "7",
              "VCC": "8"},
    # Adafruit INA219 breakout (product 904), "Pinouts": the 6-pin header VCC, GND, SCL, SDA, VIN−, VIN+;
    # the chip itself (TI SBOS448, D package): A1 1, A0 2, SDA 3, SCL 4, VS 5, GND 6, VIN− 7, VIN+ 8.
    "INA219 breakout": {"VCC": "1", "GND": "2", "SCL": "3", "SDA": "4", "VIN-": "5", "VIN+": "6"},
    # Microchip MCP23017 16-bit I/O expander, datasheet DS20001952, "Pin Diagrams" and Table 1-1 (SPDIP-28):
    # GPB0-GPB7 1-8, VDD 9, VSS 10, SCL 12, SDA 13, A0-A2 15-17, RESET 18, GPA0-GPA7 21-28.
    # The driver's line n (adafruit_mcp230xx get_pin(n)) is GPAn for n < 8 and GPB(n-8) above.
    "MCP23017": {
        **{f"GPB{n}": str(1 + n) for n in range(8)},
        "VDD": "9", "VSS": "10", "SCL": "12", "SDA": "13", "A0": "15", "A1": "16", "A2": "17", "RESET": "18",
        **{f"GPA{n}": str(21 + n) for n in range(8)},
    },
}

DATASHEETS = {
    "TSL257": "ams/TAOS TAOS023, Terminal Functions",
    "LM393": "TI SLCS005, Pin Configuration and Functions",
    "INA219 breakout": "Adafruit INA219 breakout (904), Pinouts; TI SBOS448",
    "MCP23017": "Microchip DS20001952, Pin Diagrams and Table 1-1 (SPDIP)",
}


def pin(part: str, name: str) -> str:
    """The pin number of ``name`` on ``part``: a KeyError for a pin the table does not hold."""
    return PINOUTS[part][name]


def expander_port(line: int) -> str:
    """The MCP23017 port pin behind the driver's line number: 0 -> ``GPA0``, 8 -> ``GPB0``."""
    if not 0 <= line <= 15:
        raise ValueError(f"an MCP23017 has lines 0-15, not {line}")
    return f"GPA{line}" if line < 8 else f"GPB{line - 8}"
