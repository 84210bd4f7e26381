"""Schematics of the circuits the fixture adds to the Pi, drawn from code with schemdraw.

Run ``python hardware/schematics/draw.py`` (``wiring/render.sh`` runs it too) after changing a circuit or the
rig's configuration: the GPIO numbers and polarities come from ``rig.core.config.load_config()`` and the header
pins from ``wiring/pinmap.csv``, so a drawing cannot quietly disagree with the wiring the tests check. Writes
one SVG per circuit beside this file. Needs the ``docs`` extra (schemdraw); no Graphviz, no matplotlib.
"""

from __future__ import annotations

import csv
import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import schemdraw
import schemdraw.elements as elm

from rig.core.config import RigConfig, load_config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pinouts import pin  # beside this script, which runs as a file

HERE = Path(__file__).resolve().parent
PINMAP = HERE.parent.parent / "wiring" / "pinmap.csv"
SLOT_PINMAP = HERE.parent.parent / "wiring" / "pinmap-4slot.csv"

schemdraw.use("svg")
# schemdraw sizes the drawing with Arial's metrics: name Arial (and its metric twin Liberation Sans) first, so
# a viewer draws the text at the width the drawing was laid out for. A generic sans-serif is DejaVu Sans on
# Linux, about 10 % wider, which cut the labels at the drawing's edges.
schemdraw.config(fontsize=12, bgcolor="white", font="Arial, Liberation Sans, Helvetica, sans-serif", margin=0.6)


def header_pins() -> dict[str, int]:
    """Config key -> header pin, from the technician's pin map."""
    with PINMAP.open(encoding="utf-8", newline="") as handle:
        return {row["config_key"]: int(row["header_pin"]) for row in csv.DictReader(handle) if row["config_key"]}


class Labels:
    """The GPIO label of a config key: ``GPIO17 (J8 pin 11)``, plus its active level."""

    def __init__(self, config: RigConfig) -> None:
        self.config = config
        self.header = header_pins()

    def gpio(self, key: str, pin: int | None) -> str:
        return f"GPIO{pin} (J8 pin {self.header.get(key, '?')})"

    def actuator(self, name: str) -> str:
        actuator = self.config.actuators[name]
        level = "high" if actuator.active_high else "low"
        return f"{self.gpio(f'actuators.{name}.pin', actuator.pin)}, active {level}"

    def outlet(self, name: str) -> str:
        outlet = self.config.outlets[name]
        return f"{self.gpio(f'outlets.{name}.pin', outlet.pin)}, active {'low' if outlet.active_low else 'high'}"


Point = tuple[float, float]


def _title(d: schemdraw.Drawing, text: str, at: Point) -> None:
    d.add(elm.Label().at(at).label(text, fontsize=15, halign="left"))


def _note(d: schemdraw.Drawing, lines: list[str], at: Point) -> None:
    d.add(elm.Label().at(at).label("\n".join(lines), fontsize=11, halign="left", valign="top"))


def _wire(d: schemdraw.Drawing, *points: Point) -> None:
    for a, b in itertools.pairwise(points):
        d.add(elm.Line().at(a).to(b))


def _vdd(d: schemdraw.Drawing, at: Point, rail: str) -> None:
    d.add(elm.Vdd().at(at).theta(0).label(rail))


def _gnd(d: schemdraw.Drawing, at: Point) -> None:
    d.add(elm.Ground().at(at).theta(0))


def _dot(d: schemdraw.Drawing, at: Point, text: str = "", loc: str = "top") -> None:
    dot = elm.Dot().at(at)
    d.add(dot.label(text, loc, fontsize=11) if text else dot)


def _xy(point: Any) -> Point:
    return (float(point[0]), float(point[1]))


def _text(d: schemdraw.Drawing, at: Point, text: str, halign: str = "left", valign: str = "center",
          size: float = 11) -> None:
    """A label at an exact spot: schemdraw's own label placement overlaps on vertical parts."""
    d.add(elm.Label().at(at).label(text, fontsize=size, halign=halign, valign=valign))


def photodiode_front_end(config: RigConfig, labels: Labels) -> schemdraw.Drawing:
    """TSL257 light-to-voltage sensor into an LM393 comparator with hysteresis, open-collector output."""
    pd, led = config.photodiode, config.sync_module_led
    level = "high" if pd.active_high else "low"
    d = schemdraw.Drawing(show=False)
    _title(d, "Photodiode front end (A2): LED lit pulls the output low", (0, 9))
    comp = d.add(elm.Opamp(leads=True).at((9, 5)).anchor("center"))
    in1, in2, out = _xy(comp.in1), _xy(comp.in2), _xy(comp.out)
    vd, vs = _xy(comp.vd), _xy(comp.vs)
    _text(d, (vd[0] + 0.3, vd[1] + 0.55), "U2 LM393\n(one half)")
    for name, at, halign in (("1IN-", in1, "right"), ("1IN+", in2, "right"), ("1OUT", out, "left"),
                             ("VCC", vd, "right"), ("GND", vs, "right")):
        dx = -0.15 if halign == "right" else 0.15
        dy = -0.3 if name == "GND" else 0.25  # the GND lead leaves downwards: number it below the body
        _text(d, (at[0] + dx, at[1] + dy), pin("LM393", name), halign=halign)
    sensor = d.add(elm.Ic(pins=[elm.IcPin(name, side=side, pin=pin("TSL257", name))
                                for name, side in (("GND", "left"), ("VDD", "left"), ("OUT", "right"))],
                          size=(2.5, 2))
                   .at((in1[0] - 3.5, in1[1])).anchor("OUT").label("U1 TSL257\nin the shroud", "top"))
    vdd_pin, gnd_pin = _xy(sensor.VDD), _xy(sensor.GND)
    _wire(d, vdd_pin, (vdd_pin[0] - 0.8, vdd_pin[1]), (vdd_pin[0] - 0.8, vdd_pin[1] + 0.8))
    _vdd(d, (vdd_pin[0] - 0.8, vdd_pin[1] + 0.8), "3V3")
    _wire(d, gnd_pin, (gnd_pin[0] - 0.8, gnd_pin[1]), (gnd_pin[0] - 0.8, gnd_pin[1] - 0.8))
    _gnd(d, (gnd_pin[0] - 0.8, gnd_pin[1] - 0.8))
    _wire(d, _xy(sensor.OUT), in1)
    _dot(d, (in1[0] - 1.2, in1[1]), "TP1 sensor")
    _wire(d, vd, (vd[0], vd[1] + 0.8))
    _vdd(d, (vd[0], vd[1] + 0.8), "5V")
    _wire(d, vs, (vs[0], vs[1] - 0.8))
    _gnd(d, (vs[0], vs[1] - 0.8))
    # threshold: RV1 between 3V3 and GND, wiper through R3 to the + input; R4 feeds the output back
    junction = (in2[0] - 0.8, 1.5)
    pot = d.add(elm.Potentiometer().at((2.5, 3.0)).down(3))
    _text(d, (2.0, 1.5), "RV1 10 kΩ\nmulti-turn", halign="right")
    _vdd(d, _xy(pot.start), "3V3")
    _gnd(d, _xy(pot.end))
    tap = _xy(pot.tap)
    d.add(elm.Resistor().at(tap).to((junction[0], tap[1])))
    _text(d, ((tap[0] + junction[0]) / 2, tap[1] - 0.7), "R3 10 kΩ", halign="center")
    _wire(d, (junction[0], tap[1]), junction, (junction[0], in2[1]), in2)
    _dot(d, junction)
    _text(d, (junction[0] + 0.3, junction[1] + 0.3), "TP2 threshold")
    node = (out[0] + 1.5, out[1])
    _wire(d, out, node)
    _dot(d, node)
    d.add(elm.Resistor().at(node).up(2.5))
    _text(d, (node[0] + 0.5, node[1] + 1.25), "R5 10 kΩ\npull-up")
    _vdd(d, (node[0], node[1] + 2.5), "3V3")
    _wire(d, node, (node[0] + 1.5, node[1]))
    d.add(elm.Tag().at((node[0] + 1.5, node[1])).right()
          .label(f"{labels.gpio('photodiode.pin', pd.pin)}, active {level}", "right", ofst=0.15))
    feedback_y = -0.5
    _wire(d, node, (node[0], feedback_y))
    d.add(elm.Resistor().at((node[0], feedback_y)).to((junction[0] + 1.0, feedback_y)))
    _text(d, ((node[0] + junction[0] + 1.0) / 2, feedback_y - 0.5), "R4 470 kΩ (hysteresis)", halign="center")
    _wire(d, (junction[0] + 1.0, feedback_y), (junction[0], feedback_y), junction)
    _note(d, [
        "Hysteresis ≈ 3.3 V × R3 / (R3 + R4) ≈ 67 mV.",
        "C1 100 nF across U1 VDD-GND, C2 100 nF across U2 VCC-GND (5 V).",
        "U2's other half: IN2+ to GND, IN2− to 3V3, OUT2 open.",
        f"Pi pull-up on the input: {'on' if pd.pull_up else 'off'} (photodiode.pull_up) in parallel with R5.",
        "LM393 on 5 V accepts inputs up to 3.5 V; U1 on 3V3 never exceeds that.",
        "A7, the bench's Sync Module light sensor, is this circuit again, U1's shroud over the green LED only:",
        f"OUT to {labels.gpio('sync_module_led.pin', led.pin)}, active {'high' if led.active_high else 'low'}"
        f" (sync_module_led), Pi pull-up {'on' if led.pull_up else 'off'}; threshold set on solid green.",
    ], (0, -1.6))
    return d


def load_test(config: RigConfig, labels: Labels) -> schemdraw.Drawing:
    """Dual-pulse load test: pack under test -> fuse -> INA219 shunt -> node P -> load resistor -> MOSFET."""
    meter = config.power_meter
    battery = config.battery
    d = schemdraw.Drawing(show=False)
    _title(d, "Load-test pulse (battery board A5, INA219 A3)", (0, 6.2))
    _text(d, (0.5, 4.7), f"A3 INA219 on I2C bus {meter.i2c_bus} at 0x{meter.address:02X} "
                         "reads V(VIN+) and the drop across its shunt")
    d.add(elm.Battery().at((0, 0)).up(3).reverse())
    _text(d, (-0.6, 1.5), "BT1 pack under test:\n2 × AA, the camera's\nown cells", halign="right")
    d.add(elm.Fuse().at((0, 3)).right(3).label("F1 2 A", "top"))
    _dot(d, (3, 3), "VIN+")
    d.add(elm.Resistor().at((3, 3)).right(3).label(f"shunt {meter.shunt_ohm:g} Ω", "top"))
    _dot(d, (6, 3))
    _text(d, (6.2, 3.4), "VIN− = node P")
    _wire(d, (6, 3), (9, 3))
    d.add(elm.Arrow().at((9, 3)).right(1.5))
    _text(d, (10.7, 3), "to the camera\nvia K3 CH2 NC")
    d.add(elm.Resistor().at((6, 3)).down(2.5))
    _text(d, (6.5, 1.75), f"RL {battery.pulse_load_ohm:g} Ω 25 W")
    q3 = d.add(elm.NFet(bulk=False).at((6, 0.5)).theta(0).anchor("drain"))
    _text(d, (5.4, -0.25), "Q3\nIRLB8721", halign="right")
    source, gate = _xy(q3.source), _xy(q3.gate)
    ground_y = -1.8
    _wire(d, source, (source[0], ground_y), (0, ground_y), (0, 0))
    _dot(d, (3, ground_y))
    _gnd(d, (3, ground_y))
    _text(d, (3.5, ground_y - 0.4), "ground star")
    d.add(elm.Resistor().at(gate).right(2.5).label("220 Ω", "top"))
    gate_in = (gate[0] + 2.5, gate[1])
    _dot(d, gate_in)
    d.add(elm.Tag().at(gate_in).right().label(labels.actuator("load_switch"), "right", ofst=0.15))
    d.add(elm.Resistor().at(gate_in).down(1.8))
    _text(d, (gate_in[0] + 0.5, gate_in[1] - 0.9), "100 kΩ")
    _gnd(d, (gate_in[0], gate_in[1] - 1.8))
    fresh_pack_v = 3.6
    _note(d, [
        "Background reading: the camera's own idle draw through the shunt (K3 CH2 released).",
        f"Pulse: the load switch on for battery.pulse_s = {battery.pulse_s:g} s → about "
        f"{fresh_pack_v / (battery.pulse_load_ohm + 0.4):.1f} A from a fresh {fresh_pack_v:g} V pack.",
        "R = ΔV / ΔI between the readings. V is read at VIN+, so F1, the holder springs and the leads",
        "up to VIN+ add to the pack's resistance (30-80 mΩ): `rig calibrate` measures them once and",
        "the battery test subtracts them. The pulse ends at battery.pulse_s on the rig's clock.",
    ], (0, -3.0))
    return d


def camera_supply(config: RigConfig, labels: Labels) -> schemdraw.Drawing:
    """Changeover (CH2), camera cut (CH1 NC in the return), the Mini's USB supply and the lamp (CH3)."""
    d = schemdraw.Drawing(show=False)
    _title(d, "Camera supply, battery changeover and lamp (relay board K3)", (0, 10.5))
    ch2 = d.add(elm.SwitchSpdt2().at((6, 7)).anchor("a").left())
    com2, nc2, no2 = _xy(ch2.a), _xy(ch2.b), _xy(ch2.c)
    _text(d, (6.3, 8.7), f"K3 CH2 changeover\n{labels.actuator('battery_changeover')}\nenergised = reference pack")
    _text(d, (nc2[0] + 0.2, nc2[1] - 0.35), "NC", size=10)
    _text(d, (no2[0] + 0.2, no2[1] + 0.35), "NO", size=10)
    _wire(d, nc2, (4.0, nc2[1]), (4.0, 5.0), (0.5, 5.0))
    _text(d, (0.3, 5.0), "node P: pack under test,\nafter the INA219 shunt", halign="right")
    _wire(d, no2, (4.4, no2[1]))
    d.add(elm.Fuse().at((4.4, no2[1])).left(1.8).label("F2 2 A", "top"))
    d.add(elm.Battery().at((2.6, no2[1])).left(2.0).label("BT2 reference\n2 × AA lithium", "top"))
    _gnd(d, (0.6, no2[1]))
    _wire(d, com2, (11, com2[1]))
    _dot(d, (11, com2[1]))
    _text(d, (11.2, com2[1] + 0.35), "X1 BATT+")
    d.add(elm.RBox().at((11, com2[1])).down(3))
    _text(d, (11.5, com2[1] - 1.5), "battery camera\n(dummy AA cells)")
    cam_minus = (11, com2[1] - 3)
    _dot(d, cam_minus)
    _text(d, (10.8, cam_minus[1]), "X1 BATT−", halign="right")
    ret = (11, cam_minus[1] - 1)
    _wire(d, cam_minus, ret, (15, ret[1]))
    _dot(d, ret)
    ch1 = d.add(elm.SwitchSpdt2().at(ret).anchor("a").down())
    nc1, no1 = _xy(ch1.b), _xy(ch1.c)
    _text(d, (nc1[0] + 0.25, nc1[1]), "NC", size=10)
    _text(d, (no1[0] - 0.25, no1[1]), "NO (open)", halign="right", size=10)
    _text(d, (12.6, 2.6), f"K3 CH1 camera cut\n{labels.outlet('camera')}\nreleased = camera powered", valign="top")
    _wire(d, nc1, (nc1[0], nc1[1] - 0.6))
    _gnd(d, (nc1[0], nc1[1] - 0.6))
    d.add(elm.RBox().at((15, 7.5)).down(4.5))
    _vdd(d, (15, 7.5), "USB 5V (5V aux)")
    _text(d, (15.5, 5.25), "Blink Mini\n(X2 USB-A)")
    lamp_x = 21.0
    _vdd(d, (lamp_x, 7.5), "5V aux")
    ch3 = d.add(elm.SwitchSpdt2().at((lamp_x, 7.5)).anchor("a").down())
    no3 = _xy(ch3.c)
    _text(d, (lamp_x + 0.7, 7.0), f"K3 CH3 lamp\n{labels.actuator('motion_light')}")
    _text(d, (no3[0] - 0.25, no3[1]), "NO", halign="right", size=10)
    d.add(elm.Lamp().at(no3).down(2))
    _text(d, (no3[0] + 0.6, no3[1] - 1.0), "L1 5 V lamp\nfor the Mini")
    _gnd(d, (no3[0], no3[1] - 2))
    _note(d, [
        "All relays released (Pi dead, rig stopped): camera on its own cells and powered, lamp off.",
        "CH1 breaks the camera's minus, so one relay serves both camera types and 5 V can never reach a",
        "battery camera: the two have different plugs (X1 dummy cells, X2 USB-A). BT2's minus goes to the",
        "battery board's ground star like every other return.",
    ], (0, 0.2))
    return d


def _solenoid_channel(d: schemdraw.Drawing, x: float, name: str, part: str, gate_label: str) -> None:
    top, bottom = (x, 6.0), (x, 4.0)
    _vdd(d, top, "5V aux")
    d.add(elm.Inductor2(loops=3).at(top).down(2))
    _text(d, (x + 0.6, 5.0), part)
    _wire(d, top, (x - 1.3, top[1]))
    _wire(d, bottom, (x - 1.3, bottom[1]))
    d.add(elm.Diode().at((x - 1.3, bottom[1])).up(2))
    _text(d, (x - 1.7, 5.0), "1N5819", halign="right")
    q = d.add(elm.NFet(bulk=False).at(bottom).theta(0).reverse().anchor("drain"))
    _text(d, (x + 0.4, 3.25), name)
    _gnd(d, _xy(q.source))
    gate = _xy(q.gate)
    d.add(elm.Resistor().at(gate).left(2).label("220 Ω", "top"))
    gate_in = (gate[0] - 2, gate[1])
    _dot(d, gate_in)
    d.add(elm.Tag().at(gate_in).left().label(gate_label, "left", ofst=0.15))
    d.add(elm.Resistor().at(gate_in).down(1.8))
    _text(d, (gate_in[0] + 0.5, gate_in[1] - 0.9), "100 kΩ")
    _gnd(d, (gate_in[0], gate_in[1] - 1.8))


def actuators(config: RigConfig, labels: Labels) -> schemdraw.Drawing:
    """Reset-button solenoid and motion-flag solenoid: logic-level MOSFETs with flyback diodes."""
    d = schemdraw.Drawing(show=False)
    _title(d, "Reset actuator and PIR motion flag (driver board A4)", (-3, 8.5))
    _solenoid_channel(d, 9, "Q1 IRLB8721", "M1 reset solenoid\n5 V push, stylus\nover the reset hole",
                      labels.actuator("reset_button"))
    _solenoid_channel(d, 25, "Q2 IRLB8721", "M2 flag solenoid\n5 V push, swings\nthe warm resistor",
                      labels.actuator("motion_stimulus"))
    _vdd(d, (31, 6), "5V aux")
    d.add(elm.Resistor().at((31, 6)).down(3))
    _text(d, (31.5, 4.5), "R2 100 Ω 2 W\nwarm resistor on\nthe flag, ≈ 0.25 W")
    _gnd(d, (31, 3))
    _note(d, [
        "Gate pull-downs keep both solenoids off while the Pi boots and when a cable is unplugged.",
        f"The rig holds the reset solenoid for timings.reset_hold_s = {config.timings.reset_hold_s:g} s; "
        "let it cool a minute between holds.",
        "R2 is always warm; only the flag moves, because a PIR sees a change of heat, not heat.",
    ], (-3, 0.5))
    return d


def relay_inputs(config: RigConfig, labels: Labels) -> schemdraw.Drawing:
    """Pull resistors that set every relay input's released state (on the Pi-EzConnect's prototyping area)."""
    d = schemdraw.Drawing(show=False)
    _title(d, "Relay inputs: released until the rig drives them", (-8, 7.5))
    rows = [
        (labels.outlet("router"), "IoT Relay II K1 TRIG+\n(router, normally-ON outlet)", "down"),
        (labels.outlet("sync_module"), "IoT Relay II K2 TRIG+\n(Sync Module, normally-ON outlet)", "down"),
        (labels.outlet("camera"), "K3 CH1 IN (camera cut)", "up"),
        (labels.actuator("battery_changeover"), "K3 CH2 IN (changeover)", "up"),
        (labels.actuator("motion_light"), "K3 CH3 IN (lamp)", "up"),
    ]
    for index, (gpio, target, pull) in enumerate(rows):
        x = (index % 2) * 19.0
        y = 5.0 - (index // 2) * 4.2 - (1.0 if pull == "up" else 0.0)
        d.add(elm.Tag().at((x, y)).left().label(gpio, "left", ofst=0.15))
        _wire(d, (x, y), (x + 3, y))
        _dot(d, (x + 1.5, y))
        step = -1.6 if pull == "down" else 1.6
        d.add(elm.Resistor().at((x + 1.5, y)).to((x + 1.5, y + step)))
        _text(d, (x + 2.0, y + step / 2), "10 kΩ")
        if pull == "down":
            _gnd(d, (x + 1.5, y + step))
        else:
            _vdd(d, (x + 1.5, y + step), "3V3")
        d.add(elm.Tag().at((x + 3, y)).right().label(target, "right", ofst=0.15))
    _note(d, [
        "At power-up every GPIO is an input with only the SoC's weak default pull (about 50 kΩ; up on GPIO0-8",
        "and down on GPIO9-27 on a Pi 4). These 10 kΩ resistors win, so the IoT Relays (active high) and the",
        "relay board (active low) stay released, bench powered, until the rig drives the pins, and after it exits.",
    ], (-8, -5.5))
    return d


def slot_rows() -> list[dict[str, str]]:
    """The 4-slot pin map (checked against rig/defaults/fixture-4slot.toml by wiring/slots_check.py)."""
    with SLOT_PINMAP.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _expander_chip(d: schemdraw.Drawing, x: float, name: str, address: int, rows: list[dict[str, str]]) -> None:
    """One MCP23017: bus and strapping on the left, the slot lines it drives on the right."""
    straps = {f"A{bit}": "3V3" if address >> bit & 1 else "GND" for bit in range(3)}
    left = ["VDD", "VSS", "SCL", "SDA", "A0", "A1", "A2", "RESET"]
    lines = sorted(rows, key=lambda row: int(row["line"]))
    pins = [elm.IcPin(n, pin=pin("MCP23017", n), side="left") for n in reversed(left)]
    pins += [elm.IcPin(row["notes"].split(":")[0], pin=row["chip_pin"], side="right") for row in reversed(lines)]
    chip = d.add(elm.Ic(pins=pins, size=(3.2, 0.9 * max(len(left), len(lines)) + 0.6), pinspacing=0.9)
                 .at((x, 0)).anchor("center").label(f"{name} MCP23017\nI2C 0x{address:02X}", "top"))
    for lead in left:
        at = _xy(getattr(chip, lead))
        end = (at[0] - 1.2, at[1])
        _wire(d, at, end)
        text = {"VDD": "3V3 (100 nF to GND)", "VSS": "GND", "SCL": "SCL: GPIO3 (J8 pin 5)",
                "SDA": "SDA: GPIO2 (J8 pin 3)", "RESET": "10 kΩ to 3V3"}.get(lead, straps.get(lead, ""))
        _text(d, (end[0] - 0.15, end[1]), text, halign="right")
    for row in lines:
        at = _xy(getattr(chip, row["notes"].split(":")[0]))
        slot, _, key = row["config_key"].removeprefix("slots.").partition(".")
        pull = "10 kΩ pull-up" if row["pull"] == "up" else "100 kΩ pull-down"
        d.add(elm.Line().at(at).right(0.8))
        _text(d, (at[0] + 0.95, at[1]), f"line {row['line']}: slot {slot} {key} → {row['to']}, "
                                          f"active {row['active']} ({pull})")


def expanders(config: RigConfig, labels: Labels) -> schemdraw.Drawing:
    """The two MCP23017s of the 4-slot fixture: strapping, bus, and each slot's outlet and actuator lines."""
    rows = [row for row in slot_rows() if row["kind"] == "expander"]
    d = schemdraw.Drawing(show=False)
    _title(d, "I/O expanders (board A6) for slots 2-4: outlets and actuators on I2C bus "
              f"{config.power_meter.i2c_bus}", (-6, 8.6))
    addresses = sorted({int(row["i2c_address"], 16) for row in rows})
    for index, (address, name) in enumerate(zip(addresses, ("U1", "U2"), strict=False)):
        chip_rows = [row for row in rows if int(row["i2c_address"], 16) == address]
        _expander_chip(d, index * 26.0, f"A6-{name}", address, chip_rows)
    _note(d, [
        "Pins as in Microchip DS20001952 (SPDIP-28): GPB0-7 1-8, VDD 9, VSS 10, SCL 12, SDA 13, A0-A2 15-17, "
        "RESET 18, GPA0-7 21-28.",
        "Line n of adafruit_mcp230xx is GPAn below 8 and GPB(n-8) above. Relay inputs (active low) idle pulled "
        "up to 3V3; MOSFET gates (active high) idle pulled down on their boards.",
        "At power-up every line is an input (IODIR = 0xFF): the pulls hold each relay and MOSFET released until "
        "the rig writes the latch, then the direction.",
        "Per pin 25 mA max (DS20001952, absolute maximum ratings): a relay-board input sinks a few mA, a gate "
        "charges through 220 Ω (15 mA peak, 33 µA held).",
    ], (-6, -6.6))
    return d


DRAWINGS: dict[str, Callable[[RigConfig, Labels], schemdraw.Drawing]] = {
    "photodiode_front_end": photodiode_front_end,
    "load_test": load_test,
    "camera_supply": camera_supply,
    "actuators": actuators,
    "relay_inputs": relay_inputs,
    "expanders": expanders,
}


def main() -> int:
    config = load_config()
    labels = Labels(config)
    for name, draw in DRAWINGS.items():
        path = HERE / f"{name}.svg"
        draw(config, labels).save(str(path))
        print(f"wrote {path.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
