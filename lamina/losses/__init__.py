"""Loss functions and classes, as ``keras.losses``.

Every Keras 3 loss exists here twice, with Keras's names, arguments, defaults and
config keys: as a function ``fn(y_true, y_pred, **options)`` returning one loss
value per sample, and as a `Loss` class that applies a reduction and sample
weights. A few losses from the course material that Keras lacks (`L1Loss`,
`L2Loss`, `ExpectationLoss`, `RegularizedExpectationLoss`, `ChebyshevLoss`,
`CubedHinge`, `TanimotoLoss`, `CauchySchwarzDivergence`) follow the same pattern.

The modules, as in Keras: ``loss`` holds the `Loss` base class and the
reduction of per-sample losses (`reduce_weighted_values`, where every
`Loss.__call__` ends); ``losses`` the Keras loss classes and `get`,
`serialize` and `deserialize`. The functions are grouped by family:
``regression_losses``, ``probabilistic_losses`` (the crossentropies, whose
formulas are `lamina.backend.nn`'s), ``hinge_losses``,
``segmentation_losses``, ``distance_losses`` and ``metric_learning_losses``;
their other names (``mse``, ``kld``, ...) in ``aliases``.
All loss computations are plain torch ops on the device: no host
synchronisation, no numpy, so they are cheap to call on every training step.
Checks that need to read values (label ranges) are in `validate_targets`
(``target_checks``), which a trainer calls once, on the first batch.

Example:

>>> from lamina import losses
>>> losses.get("mse") is losses.mean_squared_error
True
>>> float(losses.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
0.5
"""

from __future__ import annotations

from lamina.losses.aliases import *  # noqa: F403
from lamina.losses.aliases import __all__ as _aliases
from lamina.losses.distance_losses import *  # noqa: F403
from lamina.losses.distance_losses import __all__ as _distance
from lamina.losses.hinge_losses import *  # noqa: F403
from lamina.losses.hinge_losses import __all__ as _hinge
from lamina.losses.loss import *  # noqa: F403
from lamina.losses.loss import __all__ as _loss
from lamina.losses.losses import *  # noqa: F403
from lamina.losses.losses import __all__ as _losses
from lamina.losses.metric_learning_losses import *  # noqa: F403
from lamina.losses.metric_learning_losses import __all__ as _metric_learning
from lamina.losses.probabilistic_losses import *  # noqa: F403
from lamina.losses.probabilistic_losses import __all__ as _probabilistic
from lamina.losses.regression_losses import *  # noqa: F403
from lamina.losses.regression_losses import __all__ as _regression
from lamina.losses.segmentation_losses import *  # noqa: F403
from lamina.losses.segmentation_losses import __all__ as _segmentation
from lamina.losses.target_checks import *  # noqa: F403
from lamina.losses.target_checks import __all__ as _target_checks

__all__ = sorted(
    {
        *_aliases,
        *_distance,
        *_hinge,
        *_loss,
        *_losses,
        *_metric_learning,
        *_probabilistic,
        *_regression,
        *_segmentation,
        *_target_checks,
    }
)
