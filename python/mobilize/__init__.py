"""mobilize: population-scale agent-based simulation of mass mobilization, resistance
organizations and regime collapse.

The simulator is Rust; this package drives it from Python::

    import mobilize
    s = mobilize.Scenario.load("korea-1936-1945").set("scale", 0.01)
    run = mobilize.run(s, seed=1)
    run.figures.get("collapse_step")
    polars.DataFrame(run.series)        # or pyarrow.table(run.series): no copy

Scenarios are validated exactly as ``mobilize validate`` does (``ScenarioError.problems``
carries every problem, located), runs go through the same code as ``mobilize run`` (with
``out=`` the run folder is the CLI's, byte for byte), and tables are Arrow data handed over
through the Arrow PyCapsule interface, so no Arrow library is required.
"""

from ._mobilize import (
    ExperimentError,
    Problem,
    Run,
    RunError,
    Scenario,
    ScenarioError,
    Sim,
    Table,
    Targets,
    __version__,
    replicate_seed,
    run,
    scenarios,
)
from .experiments import Results, compare, ensemble, sweep

__all__ = [
    "ExperimentError",
    "Problem",
    "Results",
    "compare",
    "ensemble",
    "sweep",
    "Run",
    "RunError",
    "Scenario",
    "ScenarioError",
    "Sim",
    "Table",
    "Targets",
    "__version__",
    "replicate_seed",
    "run",
    "scenarios",
]
