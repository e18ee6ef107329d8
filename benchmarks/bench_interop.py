"""Converted pipelines against the originals, in the same run: albumentations and torchvision on real photos,
audiomentations on speech, nlpaug on real text.

Each original runs the way its library is used: one sample at a time (albumentations,
audiomentations, nlpaug take one sample; torchvision v2 draws one set of params per
call, so per-sample randomness means one call per sample). The converted omniaug
pipeline runs once on the batch. Printed: median seconds per batch over repeats
and the ratio original / converted (> 1: the conversion is faster). The
albumentations lines time the two round-robin (original, converted, original, …), so
a drift in the machine's load hits both alike; the mask is uint8, as albumentations
takes it. The albumentations line is also run with its wrapped transforms removed,
to show what the wrapped (per-sample) share costs.

``--profile`` adds, for the albumentations pipeline, the time of every top-level
transform at the pipeline's own probabilities (each converted op on the previous
op's output; each albumentations transform inside its ``Compose``, whose own
per-call checks and target conversions are the "Compose itself" line), as process
CPU time and wall time, round-robin.

    python benchmarks/bench_interop.py            # the reference run
    python benchmarks/bench_interop.py --profile  # plus the per-op breakdown at the real p
    python benchmarks/bench_interop.py --smoke    # one tiny repeat, to check it runs
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
import torch

warnings.filterwarnings("ignore")

import omniaug  # noqa: E402
from omniaug.interop import convert  # noqa: E402


def median_time(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def median_times(fns: list[Callable[[], object]], repeats: int) -> list[float]:
    """Median wall time of each of ``fns``, timed round-robin (one call of each per round)."""
    for fn in fns:
        fn()  # warm-up
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def photos(n: int, size: int) -> np.ndarray:
    from sklearn.datasets import load_sample_images

    imgs = load_sample_images().images
    out = []
    for k in range(n):
        img = imgs[k % 2]
        top = (17 * k) % (img.shape[0] - size)
        left = (41 * k) % (img.shape[1] - size)
        out.append(img[top : top + size, left : left + size])
    return np.stack(out)


def targets(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Two pascal_voc boxes (laid out for 224² photos, scaled to ``size``) and a uint8 mask filling the first."""
    boxes = (np.array([[20.0, 30.0, 90.0, 120.0], [100.0, 40.0, 180.0, 100.0]]) * (size / 224)).astype(np.float32)
    ys, xs = np.mgrid[:size, :size]
    mask = ((xs >= boxes[0, 0]) & (xs < boxes[0, 2]) & (ys >= boxes[0, 1]) & (ys < boxes[0, 3])).astype(np.uint8)
    return boxes, mask


def row(name: str, original: float, converted: float, note: str = "") -> None:
    print(f"{name:<44} {original * 1e3:10.1f} ms {converted * 1e3:10.1f} ms {original / converted:8.2f}x  {note}")


def bench_albumentations(n: int, size: int, repeats: int) -> None:
    import albumentations as A

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from test_interop_albumentations import realistic

    pipe = realistic()
    imgs = photos(n, size)
    boxes, mask = targets(size)

    def original() -> None:
        for img in imgs:
            pipe(image=img, mask=mask, bboxes=boxes, labels=[1, 2])

    pipeline, report = convert(pipe)
    x = photo_batch(imgs, mask, boxes)
    g = omniaug.rng.make_generator(0)
    # what-if, with several threads: the ops that keep the caller's intra-op threads (cpu_threads None:
    # the geometric and occlusion ops) set to one thread at run time, as the colour and wrapped ops are
    others = sorted({type(op) for op in _ops(pipeline) if op.cpu_threads is None}, key=lambda c: c.__name__)
    fns = [original, lambda: pipeline(x, generator=g)]
    if torch.get_num_threads() > 1 and others:
        fns.append(lambda: _one_thread_run(others, lambda: pipeline(x, generator=g)))
    times = median_times(fns, repeats)
    t_orig, t_conv = times[0], times[1]
    row(
        f"albumentations, {len(report.entries)} transforms, {n}×{size}²",
        t_orig,
        t_conv,
        f"{len(report.native)} native, {len(report.wrapped)} wrapped",
    )
    if len(times) > 2:
        names = ", ".join(c.__name__ for c in others)
        row("  same, every op on one intra-op thread", t_orig, times[2], f"what-if: cpu_threads = 1 on {names}")
    native_only = A.Compose(
        [t for t in pipe.transforms if type(t).__name__ not in {e.source for e in report.wrapped}],
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
    )
    pipe = native_only
    pipeline2, report2 = convert(native_only)
    t_orig2, t_conv2 = median_times([original, lambda: pipeline2(x, generator=g)], repeats)
    row(f"  same without its wrapped transforms ({len(report2.entries)})", t_orig2, t_conv2, "all native")


def _ops(t: object) -> list:
    """The augmentations of a pipeline, containers opened."""
    from omniaug import Augmentation

    if isinstance(t, Augmentation):
        return [t]
    out = []
    for child in getattr(t, "transforms", None) or []:
        out.extend(_ops(child))
    return out


def _one_thread_run(classes: list, fn: Callable[[], object]) -> object:
    """``fn()`` with ``cpu_threads = 1`` set on ``classes`` for the call (restored after)."""
    for cls in classes:
        cls.cpu_threads = 1
    try:
        return fn()
    finally:
        for cls in classes:
            cls.cpu_threads = None


def photo_batch(imgs: np.ndarray, mask: np.ndarray, boxes: np.ndarray) -> object:
    """The photos, their uint8 mask and two boxes as one ``ImageBatch`` (what albumentations gets per sample)."""
    from omniaug_image import ImageBatch

    n, size = imgs.shape[0], imgs.shape[1]
    return ImageBatch(
        torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous(),
        mask=torch.from_numpy(mask).expand(n, size, size).contiguous(),
        boxes=torch.from_numpy(boxes).expand(n, 2, 4).contiguous(),
        box_labels=torch.tensor([1, 2]).expand(n, 2).contiguous(),
        box_valid=torch.ones(n, 2, dtype=torch.bool),
    )


def bench_albumentations_profile(n: int, size: int, repeats: int) -> None:
    """Every top-level transform of the realistic pipeline at its own p: albumentations vs the converted op.

    The converted ops run in sequence, each on the previous one's output (as in the
    pipeline), each call timed alone; albumentations runs the whole ``Compose`` per
    sample, with each transform's ``__call__`` timed inside it, and the rest of the
    ``Compose`` call (its checks, bbox and mask conversions) reported as "Compose itself".
    Process CPU time (both libraries' threads) and wall time; medians over rounds,
    the two pipelines alternating.
    """
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from test_interop_albumentations import realistic

    pipe = realistic()
    imgs = photos(n, size)
    boxes, mask = targets(size)
    pipeline, report = convert(pipe)
    x = photo_batch(imgs, mask, boxes)
    ops = list(pipeline.transforms)  # type: ignore[attr-defined]
    leaves = list(pipe.transforms)
    assert len(ops) == len(leaves), "one converted op per top-level albumentations transform"

    spent: dict[int, list[float]] = {}

    def timed(cls: type) -> None:  # time each top-level transform's calls (class level: instances are slotted)
        call = cls.__call__
        if getattr(call, "_bench_timed", False):
            return

        def wrapper(self: object, *args: object, **kwargs: object) -> object:
            c0, t0 = time.process_time(), time.perf_counter()
            try:
                return call(self, *args, **kwargs)
            finally:
                acc = spent.setdefault(id(self), [0.0, 0.0])
                acc[0] += time.process_time() - c0
                acc[1] += time.perf_counter() - t0

        wrapper._bench_timed = True  # type: ignore[attr-defined]
        cls.__call__ = wrapper  # type: ignore[method-assign]

    for t in leaves:
        timed(type(t))
    g = omniaug.rng.make_generator(0)
    conv_cpu: list[list[float]] = [[] for _ in ops]
    conv_wall: list[list[float]] = [[] for _ in ops]
    orig_cpu: list[list[float]] = [[] for _ in leaves]
    orig_wall: list[list[float]] = [[] for _ in leaves]
    total = {"conv": ([], []), "orig": ([], [])}  # type: ignore[var-annotated]
    for r in range(repeats + 1):  # the first round warms up
        y, c_all, t_all = x, time.process_time(), time.perf_counter()
        for k, op in enumerate(ops):
            c0, t0 = time.process_time(), time.perf_counter()
            y = op(y, generator=g)
            if r:
                conv_cpu[k].append(time.process_time() - c0)
                conv_wall[k].append(time.perf_counter() - t0)
        if r:
            total["conv"][0].append(time.process_time() - c_all)
            total["conv"][1].append(time.perf_counter() - t_all)
        spent.clear()
        c_all, t_all = time.process_time(), time.perf_counter()
        for img in imgs:
            pipe(image=img, mask=mask, bboxes=boxes, labels=[1, 2])
        if r:
            total["orig"][0].append(time.process_time() - c_all)
            total["orig"][1].append(time.perf_counter() - t_all)
            for k, t in enumerate(leaves):
                c, w = spent.get(id(t), [0.0, 0.0])
                orig_cpu[k].append(c)
                orig_wall[k].append(w)
    med = statistics.median
    print(f"  per top-level transform at its own p, {n} photos, ms (CPU / wall):")
    print(f"    {'transform':<34} {'p':>4} {'albumentations':>17} {'converted':>17} {'ratio':>7}")
    status = {e.source: e.status for e in report.entries}
    for k, t in enumerate(leaves):
        name = type(t).__name__ + (" (wrapped)" if status.get(type(t).__name__) == "wrapped" else "")
        oc, ow, cc, cw = med(orig_cpu[k]), med(orig_wall[k]), med(conv_cpu[k]), med(conv_wall[k])
        print(
            f"    {name:<34} {float(getattr(t, 'p', 1.0)):4.2f} {oc * 1e3:8.1f} /{ow * 1e3:7.1f} "
            f"{cc * 1e3:8.1f} /{cw * 1e3:7.1f} {ow / max(cw, 1e-9):6.2f}x"
        )
    oc, ow = med(total["orig"][0]), med(total["orig"][1])
    inner_c = sum(med(v) for v in orig_cpu)
    inner_w = sum(med(v) for v in orig_wall)
    print(
        f"    {'Compose itself (albumentations)':<34} {'':>4} {(oc - inner_c) * 1e3:8.1f} /{(ow - inner_w) * 1e3:7.1f}"
    )
    cc, cw = med(total["conv"][0]), med(total["conv"][1])
    print(
        f"    {'whole pipeline':<34} {'':>4} {oc * 1e3:8.1f} /{ow * 1e3:7.1f} {cc * 1e3:8.1f} /{cw * 1e3:7.1f} {ow / cw:6.2f}x"
    )


def _leaves(transforms: list) -> list:
    """The leaf transforms of an albumentations pipeline, containers (OneOf, …) opened."""
    from albumentations.core.composition import BaseCompose

    out = []
    for t in transforms:
        out.extend(_leaves(list(t.transforms)) if isinstance(t, BaseCompose) else [t])
    return out


def bench_albumentations_per_op(n: int, size: int, repeats: int) -> None:
    """Each leaf of the realistic pipeline at p=1, alone: albumentations' per-image loop vs the converted op.

    The first transform sees the input photos; the others see its output (the cropped
    photos, mask and boxes), as in the pipeline. albumentations runs each in a
    one-transform Compose with the mask and boxes (a pipeline pays that Compose once,
    so the per-op column overstates its cost by a constant of roughly the HorizontalFlip row).
    """
    import copy

    import albumentations as A

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from test_interop_albumentations import realistic

    imgs = photos(n, size)
    boxes, mask = targets(size)
    x = photo_batch(imgs, mask, boxes)
    print(f"  per op at p=1, {n} photos (ms): {'albumentations':>14} {'converted':>10} {'ratio':>7}")
    leaves = _leaves(list(realistic().transforms))
    for k, leaf in enumerate(leaves):
        t = copy.deepcopy(leaf)
        t.p = 1.0
        pipe = A.Compose([t], bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"], clip=True))
        op, report = convert(A.Compose([copy.deepcopy(t)]))
        g = omniaug.rng.make_generator(0)
        if k == 0:
            inp, samples = x, [(img, mask, boxes) for img in imgs]
        else:
            samples = [
                (
                    inp.image[i].permute(1, 2, 0).numpy(),
                    inp.mask[i].numpy().astype(np.uint8),
                    inp.boxes[i][inp.box_valid[i]].numpy(),
                )
                for i in range(n)
            ]

        def original(pipe: object = pipe, samples: list = samples) -> None:
            for img, m, b in samples:
                pipe(image=img, mask=m, bboxes=b, labels=list(range(len(b))))  # type: ignore[operator]

        t_orig, t_conv = median_times([original, lambda op=op, inp=inp, g=g: op(inp, generator=g)], repeats)
        status = report.entries[0].status
        print(f"    {type(t).__name__:<32} {t_orig * 1e3:14.1f} {t_conv * 1e3:10.1f} {t_orig / t_conv:6.2f}x  {status}")
        if k == 0:
            inp = op(x, generator=omniaug.rng.make_generator(1))


def bench_torchvision(n: int, size: int, repeats: int) -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from test_interop_torchvision import docs_pipeline

    pipe = docs_pipeline()
    x = torch.from_numpy(photos(n, size)).permute(0, 3, 1, 2).contiguous()
    pipeline, report = convert(pipe)
    g = omniaug.rng.make_generator(0)
    t_orig = median_time(lambda: [pipe(img) for img in x], repeats)
    t_conv = median_time(lambda: pipeline(x, generator=g), repeats)
    row(
        f"torchvision v2, {len(report.entries)} transforms, {n}×{size}²",
        t_orig,
        t_conv,
        f"{len(report.native)} native, {len(report.wrapped)} wrapped",
    )


def bench_audiomentations(n: int, repeats: int) -> None:
    from omniaug_audio import AudioBatch
    from omniaug_audio.bundled import example_clips

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from test_interop_audio import realistic

    clips = example_clips()
    reps = -(-n // 6)
    wave = clips.waveform.repeat(reps, 1, 1)[:n]
    lengths = clips.lengths.repeat(reps)[:n]
    x = AudioBatch(wave, 16000, lengths)
    samples = [wave[i, 0, : int(lengths[i])].numpy().copy() for i in range(n)]
    pipe = realistic()
    pipeline, report = convert(pipe)
    g = omniaug.rng.make_generator(0)
    t_orig = median_time(lambda: [pipe(samples=s, sample_rate=16000) for s in samples], repeats)
    t_conv = median_time(lambda: pipeline(x, generator=g), repeats)
    row(
        f"audiomentations, {len(report.entries)} transforms, {n} words",
        t_orig,
        t_conv,
        f"{len(report.native)} native, {len(report.wrapped)} wrapped",
    )


def bench_nlpaug(n: int, repeats: int) -> None:
    import nlpaug.augmenter.char as nac
    import nlpaug.augmenter.word as naw
    import nlpaug.flow as naf

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from test_interop_nlpaug import corpus

    texts = corpus(n)
    flow = naf.Sequential(
        [
            nac.KeyboardAug(),
            nac.OcrAug(),
            nac.RandomCharAug(action="swap"),
            naw.RandomWordAug(action="delete", aug_p=0.1),
            naw.SplitAug(aug_p=0.1),
        ]
    )
    pipeline, report = convert(flow)
    g = omniaug.rng.make_generator(0)
    t_orig = median_time(lambda: [flow.augment(t) for t in texts], repeats)
    t_conv = median_time(lambda: pipeline(texts, generator=g), repeats)
    row(
        f"nlpaug Sequential, {len(report.entries)} augmenters, {n} lines",
        t_orig,
        t_conv,
        f"{len(report.native)} native",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument(
        "--threads", type=int, default=2, help="torch intra-op threads (1 on an oversubscribed machine)"
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--profile", action="store_true", help="per-transform times of the albumentations pipeline at its own p"
    )
    parser.add_argument(
        "--only",
        default="albumentations,torchvision,audiomentations,nlpaug",
        help="comma-separated peers to run (default: all four)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    opencv = ""
    try:  # albumentations' kernels run on OpenCV's own pool: the same thread budget (as bench_image.py)
        import cv2

        cv2.setNumThreads(args.threads)
        opencv = f", OpenCV {cv2.getNumThreads()}"
    except ImportError:
        pass
    repeats = 1 if args.smoke else args.repeats
    n, size = (4, 96) if args.smoke else (32, 224)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"omniaug {omniaug.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads{opencv}, "
        f"median of {repeats}, load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"{'pipeline':<44} {'original':>13} {'converted':>13} {'ratio':>9}")
    only = {p.strip() for p in args.only.split(",")}
    if "albumentations" in only:
        bench_albumentations(n, size, repeats)
        if args.profile:
            bench_albumentations_profile(n, size, max(repeats, 2 if args.smoke else 10))
        bench_albumentations_per_op(n, size, repeats)
    if "torchvision" in only:
        bench_torchvision(n, size, repeats)
    if "audiomentations" in only:
        bench_audiomentations(8 if args.smoke else 64, repeats)
    if "nlpaug" in only:
        bench_nlpaug(8 if args.smoke else 64, repeats)


if __name__ == "__main__":
    main()
