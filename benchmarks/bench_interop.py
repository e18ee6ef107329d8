"""Converted pipelines against the originals, in the same run: albumentations and torchvision on real photos,
audiomentations on speech, nlpaug on real text.

Each original runs the way its library is used: one sample at a time (albumentations,
audiomentations, nlpaug take one sample; torchvision v2 draws one set of params per
call, so per-sample randomness means one call per sample). The converted omniaug
pipeline runs once on the batch. Printed: median seconds per batch over repeats
and the ratio original / converted (> 1: the conversion is faster). The
albumentations line is also run with its wrapped transforms removed, to show what
the wrapped (per-sample) share costs.

    python benchmarks/bench_interop.py            # the reference run
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


def row(name: str, original: float, converted: float, note: str = "") -> None:
    print(f"{name:<44} {original * 1e3:10.1f} ms {converted * 1e3:10.1f} ms {original / converted:8.2f}x  {note}")


def bench_albumentations(n: int, size: int, repeats: int) -> None:
    import albumentations as A

    from omniaug_image import ImageBatch

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from test_interop_albumentations import realistic

    pipe = realistic()
    imgs = photos(n, size)
    boxes = np.array([[20.0, 30.0, 90.0, 120.0], [100.0, 40.0, 180.0, 100.0]], dtype=np.float32)
    ys, xs = np.mgrid[:size, :size]
    mask = ((xs >= 20) & (xs < 90) & (ys >= 30) & (ys < 120)).astype(np.uint8)

    def original() -> None:
        for img in imgs:
            pipe(image=img, mask=mask, bboxes=boxes, labels=[1, 2])

    pipeline, report = convert(pipe)
    x = ImageBatch(
        torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous(),
        mask=torch.from_numpy(mask).long().expand(n, size, size).contiguous(),
        boxes=torch.from_numpy(boxes).expand(n, 2, 4).contiguous(),
        box_labels=torch.tensor([1, 2]).expand(n, 2).contiguous(),
        box_valid=torch.ones(n, 2, dtype=torch.bool),
    )
    g = omniaug.rng.make_generator(0)
    t_orig = median_time(original, repeats)
    t_conv = median_time(lambda: pipeline(x, generator=g), repeats)
    row(
        f"albumentations, {len(report.entries)} transforms, {n}×{size}²",
        t_orig,
        t_conv,
        f"{len(report.native)} native, {len(report.wrapped)} wrapped",
    )
    native_only = A.Compose(
        [t for t in pipe.transforms if type(t).__name__ not in {e.source for e in report.wrapped}],
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
    )
    pipe = native_only
    pipeline2, report2 = convert(native_only)
    t_orig2 = median_time(original, repeats)
    t_conv2 = median_time(lambda: pipeline2(x, generator=g), repeats)
    row(f"  same without its wrapped transforms ({len(report2.entries)})", t_orig2, t_conv2, "all native")


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

    from omniaug_image import ImageBatch

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from test_interop_albumentations import realistic

    imgs = photos(n, size)
    boxes = (np.array([[20.0, 30.0, 90.0, 120.0], [100.0, 40.0, 180.0, 100.0]]) * (size / 224)).astype(np.float32)
    ys, xs = np.mgrid[:size, :size]
    mask = ((xs >= boxes[0, 0]) & (xs < boxes[0, 2]) & (ys >= boxes[0, 1]) & (ys < boxes[0, 3])).astype(np.uint8)
    x = ImageBatch(
        torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous(),
        mask=torch.from_numpy(mask).long().expand(n, size, size).contiguous(),
        boxes=torch.from_numpy(boxes).expand(n, 2, 4).contiguous(),
        box_labels=torch.tensor([1, 2]).expand(n, 2).contiguous(),
        box_valid=torch.ones(n, 2, dtype=torch.bool),
    )
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

        t_orig = median_time(original, repeats)
        t_conv = median_time(lambda op=op, inp=inp, g=g: op(inp, generator=g), repeats)
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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    repeats = 1 if args.smoke else args.repeats
    n, size = (4, 96) if args.smoke else (32, 224)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"omniaug {omniaug.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads, median of {repeats}, "
        f"load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"{'pipeline':<44} {'original':>13} {'converted':>13} {'ratio':>9}")
    bench_albumentations(n, size, repeats)
    bench_albumentations_per_op(n, size, repeats)
    bench_torchvision(n, size, repeats)
    bench_audiomentations(8 if args.smoke else 64, repeats)
    bench_nlpaug(8 if args.smoke else 64, repeats)


if __name__ == "__main__":
    main()
