"""Modules great-expectations imports and this project never uses, imported only when used.

great-expectations imports `scipy.stats` and `altair` when it is imported, for expectations
this project does not run (KL divergence, Kolmogorov-Smirnov tests, their charts). A worker's
preparation (`pipelines.warm.prepare`), the critical path of a run's start, took 3.80 and
3.89 s with them and 2.56 and 2.27 s without (alternating pairs on this machine).
`defer()` puts a stand-in for each in `sys.modules` before great-expectations is imported: a
module object that imports the real module at its first attribute use and then holds the
real one's names.

What Python's import system reads of a module in `sys.modules` (its spec, loader, path, file)
is set on the stand-in itself, so an `import` of it loads nothing; an attribute the stand-in
does not have (any function, class or submodule) loads the real module. Nothing else changes:
code that uses `scipy.stats` gets it, a moment later.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any, Iterable

UNUSED_BY_GX = ("scipy.stats", "altair")


class DeferredModule(types.ModuleType):
    """A module that is imported at its first attribute use (see the module's docstring)."""

    def __init__(self, spec: Any) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec
        self.__loader__ = spec.loader
        self.__file__ = spec.origin
        if spec.submodule_search_locations is not None:
            self.__path__ = list(spec.submodule_search_locations)

    def __getattr__(self, name: str) -> Any:
        """Only called for a name the stand-in lacks: import the real module, take its names."""
        return getattr(self.load(), name)

    def load(self) -> types.ModuleType:
        """The real module (imported now if it is not yet); the stand-in takes its names."""
        module_name = self.__dict__["__name__"]
        if sys.modules.get(module_name) is self:
            del sys.modules[module_name]
        try:
            real = importlib.import_module(module_name)
        except BaseException:
            sys.modules.setdefault(module_name, self)
            raise
        self.__dict__.update(real.__dict__)
        return real


def defer(names: Iterable[str] = UNUSED_BY_GX) -> list[str]:
    """Put a `DeferredModule` in place of each named module that is not imported yet and can be
    found; returns the names deferred. (Finding a submodule imports its package: `scipy`'s
    own import is ~5 ms.)"""
    deferred = []
    for name in names:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or spec.loader is None:
            continue
        sys.modules[name] = DeferredModule(spec)
        deferred.append(name)
    return deferred
