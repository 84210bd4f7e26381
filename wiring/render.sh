#!/usr/bin/env bash
# Render the harness drawings and their BOMs from the YAML beside this script, then the fixture schematics.
# Needs Graphviz's `dot` (Debian: apt-get install graphviz) and the `docs` extra (wireviz, schemdraw).
# Commit the results: tests/test_wiring_matches_config.py fails when a committed SVG or BOM no longer shows
# what its YAML says.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-$root/.venv/bin/python}"
wireviz="$(dirname "$python")/wireviz"
command -v dot >/dev/null || { echo "render.sh: Graphviz 'dot' not found (apt-get install graphviz)" >&2; exit 2; }
[ -x "$wireviz" ] || { echo "render.sh: $wireviz not found (pip install -e '.[docs]')" >&2; exit 2; }

for yml in "$here"/harness.yml "$here"/power.yml "$here"/serial_relays.yml "$here"/harness-4slot.yml; do
  "$wireviz" --format st --output-dir "$here" "$yml"
  "$python" "$here/fit_text.py" "${yml%.yml}.svg"
done
"$python" "$root/hardware/schematics/draw.py"
"$python" "$here/crosscheck.py"
"$python" "$here/slots_check.py"
