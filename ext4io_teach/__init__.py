"""ext4io-teach: step through, break and prove ext4 commit 28a535f9 "completed_io locking cleanup".

The core (this package's model, designs, scheduler, invariants) is standard library only; pandas,
matplotlib and ipywidgets are imported lazily by the modules that need them, so ``import ext4io_teach``
stays fast.
"""

from .crash import crash_view
from .designs import design_names, get_design
from .designs.custom import design_class, register_variant, unregister_variant
from .errors import InvariantViolation
from .scenarios import SCENARIOS, get_scenario, scenario_names
from .sched import Run, RunResult, build_world, parse_schedule, run

__version__ = "0.1.0"

__all__ = ["Run", "RunResult", "run", "build_world", "parse_schedule", "InvariantViolation", "SCENARIOS",
           "get_scenario", "scenario_names", "get_design", "design_names", "design_class", "register_variant",
           "unregister_variant", "crash_view", "__version__"]
