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
}

DATASHEETS = {
    "TSL257": "ams/TAOS TAOS023, Terminal Functions",
    "LM393": "TI SLCS005, Pin Configuration and Functions",
    "INA219 breakout": "Adafruit INA219 breakout (904), Pinouts; TI SBOS448",
}


def pin(part: str, name: str) -> str:
    """The pin number of ``name`` on ``part``: a KeyError for a pin the table does not hold."""
    return PINOUTS[part][name]
