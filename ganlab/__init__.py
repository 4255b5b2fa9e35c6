"""ganlab: the companion package of the ganlab GAN course.

Small single-purpose modules behind a flat namespace::

    ganlab.data       synthetic 1-D/2-D distributions, shipped MNIST digits, sklearn 8x8 digits
    ganlab.models     MLP and DCGAN-style generators and discriminators (Flax NNX)
    ganlab.nn         layers: the convolutions, sub-pixel upsampling, minibatch std
    ganlab.losses     GAN losses and penalties, each a small pure function; GANLoss, one loss
    ganlab.update     the one D update, G update and optimizer every trainer is built from
    ganlab.train      the config dataclass, the jit-compiled step, Trainer, train(), train_seeds()
    ganlab.history    what a run records, and the Diverged error that stops a diverging run
    ganlab.checkpoint saving and restoring training state without ever losing a checkpoint
    ganlab.metrics    sample-quality metrics (mode coverage, ...)
    ganlab.plot       densities, heat maps, image grids, loss curves, animations
    ganlab.exercises  self-checking exercises used by the lessons
    ganlab.latent     latent-space walks: linear and spherical interpolation (lesson 1)
    ganlab.theory     1-D divergences, the optimal discriminator, the Dirac-GAN (lesson 2)
    ganlab.wasserstein  exact W1, the parallel lines, critic training and diagnostics (lesson 3)
    ganlab.evaluator  frozen digit classifiers giving the features and softmax of FID, IS (lesson 5)
    ganlab.course     the lessons' constants and loaders: FAST, LOSS_SETTINGS, committed results
"""

from ganlab import (
    _alt,
    _figures,
    checkpoint,
    course,
    data,
    evaluator,
    exercises,
    history,
    latent,
    losses,
    metrics,
    models,
    nn,
    plot,
    theory,
    train,
    update,
    wasserstein,
)
from ganlab._cache import enable_compilation_cache
from ganlab.course import FAST

__version__ = "0.1.0"

# JAX's on-disk compilation cache: on by default; GANLAB_COMPILATION_CACHE=0 turns it off.
COMPILATION_CACHE = enable_compilation_cache()

# GANLAB_KEEP_FIGURES=1 (the site build): keep each shown figure for the Chinese edition.
_figures.keep_figures()
# In JupyterLab (a kernel a Jupyter server started): each figure carries its cell's alt text.
_alt.describe_figures()

__all__ = [
    "COMPILATION_CACHE",
    "FAST",
    "checkpoint",
    "course",
    "data",
    "evaluator",
    "exercises",
    "history",
    "latent",
    "losses",
    "metrics",
    "models",
    "nn",
    "plot",
    "theory",
    "train",
    "update",
    "wasserstein",
]
