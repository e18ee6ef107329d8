"""Learned policies per training step on CPU, with a small CNN on 32×32 images.

Printed, all in the same run (median of repeats, CPU time of this process —
``time.process_time`` — so other processes on a shared machine count less):

1. SPA overhead: one training step with ``SelfPaced(aug, λ)`` over one with ``aug``
   alone (target ≤ 1.1×). ``source="previous"`` (the losses of the last step come in
   through the ModelContext: no extra pass) and ``source="current"`` (the paper's
   extra no-grad forward pass of the clean batch).
2. Adversarial AutoAugment vs RandAugment: one step each (same model, batch, ops,
   one instance per sample), the ratio, and the paper's claim for scale.
3. The policy's per-sample choice (logits → softmax → one inverse-CDF draw per
   sample, as in :class:`AdversarialAutoAugment`): CPU µs per sample from batch 32
   to 512, flat when the choice is vectorized.

    python benchmarks/bench_policy.py            # the reference run
    python benchmarks/bench_policy.py --smoke    # a quick check that it runs
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Callable

import torch

warnings.filterwarnings("ignore")

import omniaug  # noqa: E402
from omniaug import ModelContext, RandAugment  # noqa: E402
from omniaug.rng import make_generator  # noqa: E402
from omniaug_image.ops.geometric import Affine, HorizontalFlip  # noqa: E402
from omniaug_policy import AdversarialAutoAugment, SelfPaced  # noqa: E402
from omniaug_policy.common import sample_rows  # noqa: E402

OPS = ["image.brightness", "image.contrast", "image.affine", "image.solarize", "image.sharpness"]


def cpu_median(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def cnn() -> torch.nn.Module:
    torch.manual_seed(0)  # the benchmark's own model initialization
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(32, 10),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    repeats = 2 if a.smoke else 15
    batch = 16 if a.smoke else 128
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"omniaug {omniaug.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"CPU time, median of {repeats}, load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    g = make_generator(0)
    x = torch.rand(batch, 3, 32, 32, generator=g)
    y = torch.randint(0, 10, (batch,), generator=g)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="none")

    def stepper(aug: object, ctx_losses: bool = False) -> Callable[[], object]:
        model = cnn()
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        gen = make_generator(1)
        state = {"losses": torch.rand(batch, generator=make_generator(2)) * 2}

        def run() -> object:
            if ctx_losses:  # source="previous": the last step's per-sample losses, no extra pass
                out = aug(x, generator=gen, model=ModelContext(model, loss_fn, y, losses=state["losses"]))  # type: ignore[operator]
                opt.zero_grad()
                losses = loss_fn(model(out), y)
                losses.mean().backward()
                opt.step()
                state["losses"] = losses.detach()
                return losses
            return omniaug.train_step(model, opt, loss_fn, x, y, aug=aug, generator=gen)

        return run

    def base() -> omniaug.Compose:
        return omniaug.Compose([HorizontalFlip(p=0.5), Affine(degrees=0.0, translate=(0.125, 0.125), scale=(1.0, 1.0))])

    print(f"\n1. SPA overhead per training step (batch {batch}, 32×32, small CNN)")
    t_plain = cpu_median(stepper(base()), repeats)
    t_prev = cpu_median(stepper(SelfPaced(base(), lam=1.0, source="previous"), ctx_losses=True), repeats)
    t_cur = cpu_median(stepper(SelfPaced(base(), lam=1.0, source="current")), repeats)
    print(f"   plain augmentation            {t_plain * 1e3:8.2f} ms")
    print(f"   SPA, source='previous'        {t_prev * 1e3:8.2f} ms   {t_prev / t_plain:5.2f}×  (target ≤ 1.10×)")
    print(
        f"   SPA, source='current'         {t_cur * 1e3:8.2f} ms   {t_cur / t_plain:5.2f}×  (one extra no-grad forward pass)"
    )

    print(
        f"\n2. Adversarial AutoAugment vs RandAugment per training step (same ops: {', '.join(o.split('.')[1] for o in OPS)})"
    )
    t_ra = cpu_median(stepper(RandAugment("image", n=1, m=9, include=OPS)), repeats)
    t_aaa = cpu_median(stepper(AdversarialAutoAugment("image", bins=5, include=OPS)), repeats)
    print(f"   RandAugment (n=1, m=9)        {t_ra * 1e3:8.2f} ms")
    print(
        f"   Adversarial AutoAugment       {t_aaa * 1e3:8.2f} ms   {t_aaa / t_ra:5.2f}×  (the policy's REINFORCE step reuses the training losses)"
    )
    print(
        "   paper (Zhang et al. 2019): about 12× cheaper than AutoAugment's search in GPU hours; no per-step ratio is given"
    )

    print("\n3. The policy's per-sample choice (softmax over sub-policies + one draw per sample), CPU µs per sample")
    aaa = AdversarialAutoAugment("image", bins=5, include=OPS)
    sizes = (32, 64, 128, 256, 512)
    per = {}
    for n in sizes:
        gen = make_generator(3)

        def choose(n: int = n, gen: torch.Generator = gen) -> torch.Tensor:
            with torch.no_grad():
                probs = torch.softmax(aaa._logits(n, None), -1)
            return sample_rows(probs[:, 0], gen)

        reps = 200 if not a.smoke else 5
        per[n] = (
            cpu_median(lambda choose=choose, reps=reps: [choose() for _ in range(reps)], 5 if not a.smoke else 1)
            / reps
            / n
        )
        print(f"   batch {n:4d}   {per[n] * 1e6:7.3f} µs/sample")
    print(f"   spread batch 32 → 512 (per-sample, max / min): {max(per.values()) / min(per.values()):.2f}×")


if __name__ == "__main__":
    main()
