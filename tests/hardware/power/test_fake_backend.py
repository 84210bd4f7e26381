"""Adding an outlet backend is one module plus one registration line: a latching relay, run on the simulated
bench through ``rig test --sim`` and ``rig check --sim``, with the same dispositions as the reference relays."""

from __future__ import annotations

from pathlib import Path

import latching_relay_backend
import pytest
from power_support import sim_batch, sim_log_states, verdicts

from rig.core.config import ConfigError, parse_config
from rig.hardware.power import register
from rig.procedure.self_check import run_check
from rig.sim import build_sim_bench, simulated_technician

register(latching_relay_backend.BACKEND)   # the one registration line

ROUTER_ON_LATCHING_RELAY = """
[outlets.router]
backend = "latching"
set_pin = 22
reset_pin = 23
not_fail_safe_ok = true
"""


def test_the_new_backend_powers_the_router_through_a_whole_simulated_batch(tmp_path: Path) -> None:
    config = tmp_path / "latching.toml"
    config.write_text(ROUTER_ON_LATCHING_RELAY)
    new = verdicts(sim_batch(tmp_path, "new", config, sim_log=True))
    assert new == verdicts(sim_batch(tmp_path, "ref"))
    assert any(row[2] == "power_cycle_router" for row in new)
    # The router really went off and on through the SET/RESET coils (the sim log is the wiring's view).
    router = sim_log_states(tmp_path / "new-sim.csv", "router")
    assert [state for _, state in router][:3] == ["on", "off", "on"]
    assert router[2][0] - router[1][0] == pytest.approx(35.0 + latching_relay_backend.COIL_PULSE_S, abs=0.06)


def test_check_switches_the_new_backend_and_names_its_pins() -> None:
    bench = build_sim_bench(parse_config(ROUTER_ON_LATCHING_RELAY, "latching.toml"))
    try:
        results = {r.part: r for r in run_check(bench.fixture, simulated_technician(bench))}
    finally:
        bench.close()
    assert results["outlet router"].ok
    assert results["outlet router"].detail.startswith("latching relay GPIO22/GPIO23: switched off and on")


def test_the_new_backends_keys_are_validated_like_the_built_in_ones() -> None:
    with pytest.raises(ConfigError, match=r"outlets.router.set_pin: GPIO17 is already used by photodiode.pin"):
        parse_config(ROUTER_ON_LATCHING_RELAY.replace("set_pin = 22", "set_pin = 17"), "l.toml")
    with pytest.raises(ConfigError, match=r"outlets.router: a latching relay keeps its contacts .*not_fail_safe_ok"):
        parse_config(ROUTER_ON_LATCHING_RELAY.replace("not_fail_safe_ok = true", ""), "l.toml")
    with pytest.raises(ConfigError, match=r"outlets.router.reset_pin: required when backend = 'latching'"):
        parse_config(ROUTER_ON_LATCHING_RELAY.replace("reset_pin = 23", ""), "l.toml")
