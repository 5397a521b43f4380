"""Names the expression language knows without being told: constants and Greek spellings.

A Greek letter and its Latin name are the same name when looked up (``α`` finds ``alpha`` and
the other way round); a variable or parameter named like a constant wins over the constant.
"""

from __future__ import annotations

import math

__all__ = ["CONSTANTS", "GREEK_NAMES", "alias"]

CONSTANTS = {"e": math.e, "pi": math.pi, "π": math.pi}

GREEK_NAMES = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "ϱ": "rho",
    "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta",
    "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}  # fmt: skip
_LATIN_TO_GREEK = {}
for _g, _l in GREEK_NAMES.items():
    _LATIN_TO_GREEK.setdefault(_l, _g)


def alias(name: str) -> str | None:
    """The other spelling of a Greek name (``α`` ↔ ``alpha``), or None.

    >>> alias("α"), alias("alpha"), alias("x")
    ('alpha', 'α', None)
    """
    return GREEK_NAMES.get(name) or _LATIN_TO_GREEK.get(name)
