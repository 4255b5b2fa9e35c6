"""The course's 2-D GAN in PyTorch eager mode: a reference for the steps/s comparison.

The spec matches ganlab's 8-Gaussian-ring GAN exactly:

* data: 8 Gaussians on the unit circle, std 0.01, equal weights, sampled fresh each step;
* generator: z ~ N(0, I_2) -> Linear 128 -> ReLU -> Linear 128 -> ReLU -> Linear 2;
* discriminator: 2 -> Linear 128 -> LeakyReLU(0.2) -> Linear 128 -> LeakyReLU(0.2) -> Linear 1
  (logits);
* batch 256, Adam(lr 1e-4, betas (0.5, 0.999)) for both players, float32;
* each step: one discriminator update on softplus(-D(x)) + softplus(D(G(z))) with G's output
  detached, then one generator update on the non-saturating loss softplus(-D(G(z'))) with a
  fresh z'.

Linear layers start like Flax NNX's ``nnx.Linear`` default (LeCun-normal, truncated at two
standard deviations; zero bias) rather than PyTorch's, so both libraries start from the same
distribution of networks.

The module imports without PyTorch (``TORCH_AVAILABLE`` says whether it is installed); the
functions that need it import it when called. Run it to print the steps/s::

    python benchmarks/torch_reference.py [--steps 2000] [--warmup 100] [--threads N]
"""

import argparse
import importlib.util
import math
import time

import numpy as np

TORCH_AVAILABLE = importlib.util.find_spec("torch") is not None

N_MODES = 8  # ring of 8 Gaussians on the unit circle
RADIUS = 1.0
DATA_STD = 0.01
LATENT_DIM = 2
HIDDEN = 128
BATCH = 256
LR = 1e-4
BETAS = (0.5, 0.999)


def _require_torch():
    if not TORCH_AVAILABLE:
        raise ImportError(
            "benchmarks/torch_reference.py needs PyTorch: pip install torch "
            "(the CPU wheel is enough)."
        )
    import torch

    return torch


def ring_centers() -> np.ndarray:
    """``(8, 2)`` float32 centres of the ring, mode k at angle 2 pi k / 8."""
    angles = 2.0 * np.pi * np.arange(N_MODES) / N_MODES
    return (RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=-1)).astype(np.float32)


class _TorchPair:
    """Networks, optimizers and a random-number generator; ``step()`` trains once.

    Subclasses build ``self.G``, ``self.D`` (under :meth:`_init`) and sample data and latents.
    """

    batch = BATCH

    def _init(self, seed: int, num_threads: int | None, build, lr: float = LR, betas=BETAS) -> None:
        torch = _require_torch()
        if num_threads is not None:
            torch.set_num_threads(num_threads)
        self._torch = torch
        self._F = torch.nn.functional
        # One explicit generator for data and latents; the initialisation below runs under
        # fork_rng so that building a GAN leaves torch's global random state untouched.
        self.rng = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.G, self.D = build(torch.nn)
            for module in (*self.G.modules(), *self.D.modules()):
                if isinstance(module, torch.nn.Linear | torch.nn.Conv2d):
                    _flax_default_init_(torch, module)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=betas)

    def step(self) -> dict:
        """One discriminator update, then one generator update.

        Returns ``{"d_loss", "g_loss"}`` as detached 0-d tensors (no ``.item()`` in the loop).
        """
        torch, F = self._torch, self._F
        x = self.sample_data(self.batch)
        # no_grad gives the detached G(z) without recording G's graph at all.
        with torch.no_grad():
            fake = self.G(self.sample_latent(self.batch))
        # BCE on logits: -log sigmoid(l) = softplus(-l), -log(1 - sigmoid(l)) = softplus(l).
        d_loss = (F.softplus(-self.D(x)) + F.softplus(self.D(fake))).mean()
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()

        # Generator update on a fresh z. D's weights need no gradient here (as with a JAX
        # grad taken with respect to G's parameters only).
        self.D.requires_grad_(False)
        g_loss = F.softplus(-self.D(self.G(self.sample_latent(self.batch)))).mean()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        self.D.requires_grad_(True)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}


class TorchGAN(_TorchPair):
    """The 2-D MLP GAN on the ring. Build it with :func:`make_torch_gan`."""

    def __init__(self, seed: int, num_threads: int | None = None):
        def build(nn):
            g = nn.Sequential(
                nn.Linear(LATENT_DIM, HIDDEN),
                nn.ReLU(),
                nn.Linear(HIDDEN, HIDDEN),
                nn.ReLU(),
                nn.Linear(HIDDEN, 2),
            )
            d = nn.Sequential(
                nn.Linear(2, HIDDEN),
                nn.LeakyReLU(0.2),
                nn.Linear(HIDDEN, HIDDEN),
                nn.LeakyReLU(0.2),
                nn.Linear(HIDDEN, 1),
            )
            return g, d

        self._init(seed, num_threads, build)
        self.centers = self._torch.from_numpy(ring_centers())  # (8, 2)

    def sample_data(self, n: int):
        """``(n, 2)`` fresh samples of the ring."""
        torch = self._torch
        idx = torch.randint(0, N_MODES, (n,), generator=self.rng)
        noise = torch.randn(n, 2, generator=self.rng)
        return self.centers[idx] + DATA_STD * noise

    def sample_latent(self, n: int):
        """``(n, 2)`` latents z ~ N(0, I)."""
        return self._torch.randn(n, LATENT_DIM, generator=self.rng)


class TorchDCGAN(_TorchPair):
    """``ganlab.models.conv_gan(latent_dim, channels=c)`` in PyTorch: the lesson-1 DCGAN on
    28x28 digits, batch 64 by default.

    G: z (latent_dim, 64 by default) -> Linear 7*7*2c -> ReLU -> [Conv 3x3 to 4*c,
    PixelShuffle 2] -> ReLU -> [Conv 3x3 to 4*1, PixelShuffle 2] -> tanh. D: Conv 4x4/2 (c) ->
    LeakyReLU(0.2) -> Conv 4x4/2 (2c) -> LeakyReLU(0.2) -> Linear 7*7*2c -> 1, with c = 32 by
    default. NCHW, PyTorch's native layout. ``lr`` and ``betas`` are both players' Adam's.
    """

    def __init__(
        self,
        images: np.ndarray,
        seed: int = 0,
        num_threads: int | None = None,
        *,
        latent_dim: int = 64,
        channels: int = 32,
        batch: int = 64,
        lr: float = LR,
        betas: tuple[float, float] = BETAS,
    ):
        c = channels
        self.latent_dim, self.batch = latent_dim, batch

        def build(nn):
            g = nn.Sequential(
                nn.Linear(latent_dim, 7 * 7 * 2 * c),
                nn.ReLU(),
                nn.Unflatten(1, (2 * c, 7, 7)),
                nn.Conv2d(2 * c, 4 * c, 3, padding=1),
                nn.PixelShuffle(2),
                nn.ReLU(),
                nn.Conv2d(c, 4 * 1, 3, padding=1),
                nn.PixelShuffle(2),
                nn.Tanh(),
            )
            d = nn.Sequential(
                nn.Conv2d(1, c, 4, stride=2, padding=1),
                nn.LeakyReLU(0.2),
                nn.Conv2d(c, 2 * c, 4, stride=2, padding=1),
                nn.LeakyReLU(0.2),
                nn.Flatten(),
                nn.Linear(7 * 7 * 2 * c, 1),
            )
            return g, d

        self._init(seed, num_threads, build, lr, betas)
        # (N, 28, 28, 1) in [-1, 1] -> (N, 1, 28, 28)
        self.images = self._torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))

    def sample_data(self, n: int):
        idx = self._torch.randint(0, len(self.images), (n,), generator=self.rng)
        return self.images[idx]

    def sample_latent(self, n: int):
        return self._torch.randn(n, self.latent_dim, generator=self.rng)

    def sample(self, n: int) -> np.ndarray:
        """``(n, 28, 28, 1)`` float32 generated digits in [-1, 1], NHWC as ganlab's."""
        with self._torch.no_grad():
            x = self.G(self.sample_latent(n))  # (n, 1, 28, 28)
        return x.numpy().transpose(0, 2, 3, 1)


def _flax_default_init_(torch, layer) -> None:
    """In place: Flax's default init (LeCun-normal truncated at +-2 std, zero bias) for a
    ``Linear`` or ``Conv2d``; fan-in is the inputs feeding one output unit."""
    fan_in = layer.weight[0].numel()
    # jax.nn.initializers.variance_scaling(1, "fan_in", "truncated_normal"): the std of a
    # standard normal truncated to [-2, 2] is 0.8796..., so the scale is divided by it.
    std = math.sqrt(1.0 / fan_in) / 0.87962566103423978
    with torch.no_grad():
        torch.nn.init.trunc_normal_(layer.weight, std=std, a=-2.0 * std, b=2.0 * std)
        torch.nn.init.zeros_(layer.bias)


def make_torch_gan(seed: int, num_threads: int | None = None) -> TorchGAN:
    """A fresh GAN seeded with ``seed``; ``num_threads=None`` keeps torch's default threads."""
    return TorchGAN(seed, num_threads=num_threads)


def steps_per_second(
    n_steps: int = 2000,
    warmup: int = 100,
    seed: int = 0,
    num_threads: int | None = None,
    gan: _TorchPair | None = None,
) -> float:
    """Training steps (one D update + one G update) per second, timed after ``warmup`` steps,
    of ``gan`` (default: a fresh :class:`TorchGAN`)."""
    if n_steps < 1 or warmup < 0:
        raise ValueError(f"need n_steps >= 1 and warmup >= 0, got {n_steps=} and {warmup=}.")
    if gan is None:
        gan = make_torch_gan(seed, num_threads=num_threads)
    elif num_threads is not None:
        gan._torch.set_num_threads(num_threads)
    for _ in range(warmup):
        gan.step()
    start = time.perf_counter()
    for _ in range(n_steps):
        gan.step()
    # Eager CPU torch is synchronous: every step has finished when step() returns.
    return n_steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    args = parser.parse_args()
    torch = _require_torch()
    rate = steps_per_second(args.steps, args.warmup, args.seed, num_threads=args.threads)
    print(
        f"torch {torch.__version__} eager CPU, {torch.get_num_threads()} threads: "
        f"{rate:.1f} steps/s ({args.steps} steps after {args.warmup} warm-up)"
    )


if __name__ == "__main__":
    main()
