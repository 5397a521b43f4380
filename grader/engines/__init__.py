"""NumPy engines that compute answer keys, one module per family of computation.

Each engine follows the convention of a named library (PyTorch, Keras, pycocotools) exactly; the
module docstrings state the convention. Use :func:`compute` by name, or import the functions.

>>> compute("dense_params", sizes=[12, 300, 200, 100, 1])
84301
"""

from grader.engines import (  # noqa: F401  (importing registers the engines)
    activations,
    attention,
    convolution,
    detection,
    initialization,
    losses,
    metrics,
    networks,
    normalization,
    optim,
    recurrent,
    regularization,
    schedules,
    shapes,
)
from grader.engines.registry import compute, get, names

__all__ = ["compute", "get", "names"]
