"""The article's fixes, one module each, and their registry (docs/DESIGN.md, "Fixes").

Importing this package registers the built-in fixes; a new fix is a new module here plus its import below.
"""

from rig.core.records import FixOutcome
from rig.procedure.fixes import (  # noqa: F401  (each module registers its fix)
    contact_support,
    move_closer,
    power_cycle_router,
    readd_camera,
    replace_batteries,
    reset_wifi,
    restart_camera,
)
from rig.procedure.fixes.base import (
    Fix,
    FixContext,
    fix_names,
    get_fix,
    register_fix,
    registered_fixes,
    unregister_fix,
)

__all__ = [
    "Fix",
    "FixContext",
    "FixOutcome",
    "fix_names",
    "get_fix",
    "register_fix",
    "registered_fixes",
    "unregister_fix",
]
