"""scikit-learn-style parameters for the swappable sub-models (judges, topic model).

`get_params()` returns exactly the `__init__` arguments (stored as attributes of the same name);
`set_params(**p)` checks the names, sets them, and forgets anything loaded or fitted from the
old values (`_reset`), so a model never runs with weights that no longer match its parameters.
"""
from __future__ import annotations

import inspect


class Params:
    def get_params(self, deep: bool = True) -> dict:
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    def set_params(self, **params):
        valid = self.get_params()
        for k, v in params.items():
            if k not in valid:
                raise ValueError(f"unknown parameter {k!r} for {type(self).__name__}; "
                                 f"valid: {', '.join(valid)}")
            setattr(self, k, v)
        self._reset()
        return self

    def _reset(self) -> None:
        """Drop state derived from the parameters (loaded weights …); subclasses extend."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"
