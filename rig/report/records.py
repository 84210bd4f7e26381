"""Reading the JSON records back (``rig.output.results.write_json_record`` wrote them) for the batch summary.

The record is evidence written by this rig, but files get copied, cut short and edited: a bad record is one
line naming the file, never a traceback, and the batch summary goes on without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rig.core.records import (
    BatteryFigures,
    CameraRecord,
    Disposition,
    Measurement,
    StepEvidence,
    StepKind,
    StepRecord,
    TimeBase,
)
from rig.procedure.fixes import fix_names


class RecordError(ValueError):
    """A JSON record that cannot be read back; the message names the file (and the line, when known)."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        super().__init__(f"{path}:{line}: {reason}" if line is not None else f"{path}: {reason}")


def legacy_step_kind(name: str) -> StepKind:
    """The kind of a step in a record written before steps said their kind: read from the step's name."""
    if name in fix_names():
        return StepKind.FIX
    if name.startswith("motion"):
        return StepKind.MOTION
    if name in (StepKind.OBSERVE.value, StepKind.BATTERY.value):
        return StepKind(name)
    return StepKind.OTHER


def step_from_dict(data: dict[str, Any]) -> StepRecord:
    """Rebuild a :class:`StepRecord` from ``StepRecord.to_dict()`` (or an older record's step)."""
    name = str(data["name"])
    kind = data.get("kind")
    evidence = data.get("evidence")
    step = StepRecord(
        name=name,
        started_s=float(data["started_s"]),
        finished_s=None if data.get("finished_s") is None else float(data["finished_s"]),
        outcome=data.get("outcome"),
        notes=str(data.get("notes") or ""),
        evidence=StepEvidence.from_dict(evidence if isinstance(evidence, dict) else {}),
        kind=StepKind(kind) if kind else legacy_step_kind(name),
    )
    for m in data.get("measurements") or []:
        step.measurements.append(
            Measurement(m["name"], m.get("value"), m.get("unit", ""), m.get("low"), m.get("high"))
        )
    return step


def record_from_dict(data: dict[str, Any]) -> CameraRecord:
    """Rebuild a :class:`CameraRecord` from ``CameraRecord.to_dict()`` (times relative to its start)."""
    duration = data.get("duration_s")
    battery = data.get("battery")
    trace = data.get("trace") or {}
    disposition = data.get("disposition")
    return CameraRecord(
        serial=str(data["serial"]),
        model=str(data.get("model") or ""),
        started_at=str(data.get("started_at") or ""),
        started_s=0.0,
        finished_at=str(data.get("finished_at") or ""),
        finished_s=None if duration is None else float(duration),
        initial_pattern=str(data.get("initial_pattern") or ""),
        network_ok_at_start=data.get("network_ok_at_start"),
        battery=BatteryFigures(**battery) if battery else None,
        fixes_tried=list(data.get("fixes_tried") or []),
        fixed_by=str(data.get("fixed_by") or ""),
        disposition=Disposition(disposition) if disposition else None,
        notes=list(data.get("notes") or []),
        steps=[step_from_dict(s) for s in data.get("steps") or []],
        trace=[(float(t), int(level)) for t, level in trace.get("edges") or []],
        trace_initial_level=int(trace.get("initial_level") or 0),
        clock=TimeBase(data.get("clock") or TimeBase.WALL),
    )


def load_record(path: Path) -> CameraRecord:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordError(path, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RecordError(path, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise RecordError(path, f"not valid JSON ({exc.msg})", exc.lineno) from None
    if not isinstance(data, dict):
        raise RecordError(path, f"expected a JSON object, got {type(data).__name__}")
    try:
        return record_from_dict(data)
    except KeyError as exc:
        raise RecordError(path, f"missing field {exc.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise RecordError(path, f"unexpected content: {exc}") from None
