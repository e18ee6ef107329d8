"""Audio benchmark: omniaug-audio vs torch-audiomentations, audiomentations and torchaudio.

Run with the benchmark venv (peers are installed there, never in the library):

    .venv-bench/bin/python benchmarks/bench_audio.py [--repeats 7] [--workloads ab] [--threads 2]
        [--default-malloc] [--passive-omp]

A: 32 mono clips, 16 kHz, 2 s: gain + polarity inversion + time shift + coloured noise,
   every parameter drawn per example.
B: pitch shift of 8 such clips, semitones uniform in ±4 per example; plus the pitch
   accuracy of each implementation (median |error| in cents) on 1-s sines and speech
   (espeak-ng words bundled with the plugin), for integer shifts in ±4. torchaudio's
   two pitch shifters are so slow that they are timed on 4 / 2 clips and their
   accuracy is measured on 4 / 2 of the 8 cases.

Throughputs are medians of the repeats (workload A times the three implementations
round-robin, and also reports their median process CPU time); ratios are computed
within the same run.

Process environment (the header prints it with the load average; quote quiet runs).
Every fresh multi-megabyte buffer that glibc maps from (and returns to) the OS costs
page faults; unless ``--default-malloc`` is given, the script re-executes itself once
with ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` raised so freed buffers are
reused, for every implementation alike (NumPy's buffers too). OpenMP keeps its default
(spinning) wait policy, which is what users get: ``OMP_WAIT_POLICY=PASSIVE``
(``--passive-omp``) makes every parallel region pay a thread wake-up (~10-30 us), which
penalizes small ops on a quiet machine but helps when other processes occupy the cores.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from fractions import Fraction

import torch

from omniaug import Compose
from omniaug.rng import make_generator
from omniaug_audio.analysis import cents, estimate_f0, peak_frequency
from omniaug_audio.bundled import example_clips
from omniaug_audio.ops.basic import Gain, PolarityInversion, TimeShift
from omniaug_audio.ops.noise import ColoredNoise
from omniaug_audio.ops.pitch import PitchShift, pitch_shift

warnings.filterwarnings("ignore")
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(64 << 20), "MALLOC_TRIM_THRESHOLD_": str(256 << 20)}
PASSIVE_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}
REEXEC_FLAG = "OMNIAUG_BENCH_ENV_SET"
SR = 16000
SECONDS = 2.0


def timeit(fn: Callable[[], object], repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def timeit_interleaved(
    fns: dict[str, Callable[[], object]], repeats: int, warmup: int = 2
) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall-clock and median process-CPU seconds per call of each function, timed
    round-robin so that load changes on a shared machine hit every implementation alike.
    The order is shuffled every round (a seeded local ``random.Random``, never the global
    one): whoever runs right after a peer's long loop finds cold caches and sleeping worker
    threads, and no candidate should always be that one — a rotation keeps each one's
    predecessor fixed."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    names = list(fns)
    order = random.Random(0)
    for _ in range(repeats):
        order.shuffle(names)
        for name in names:
            fn = fns[name]
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    return {k: statistics.median(v) for k, v in wall.items()}, {k: statistics.median(v) for k, v in cpu.items()}


def speech_clips(n: int) -> torch.Tensor:
    """``n`` 2-second clips of concatenated bundled words (different orders), ``(n, 1, 32000)``."""
    words = example_clips()
    assert words.lengths is not None
    pieces = [words.waveform[i, 0, : int(words.lengths[i])] for i in range(words.waveform.shape[0])]
    total = int(SR * SECONDS)
    clips = []
    for k in range(n):
        order = [pieces[(k + j) % len(pieces)] for j in range(len(pieces))]
        gap = torch.zeros(800)
        joined = torch.cat([torch.cat([p, gap]) for p in order * 3])[:total]
        clips.append(joined)
    return torch.stack(clips)[:, None]


# ---------------------------------------------------------------- workload A


def workload_a(repeats: int) -> list[tuple[str, float, float]]:
    import audiomentations as am
    import torch_audiomentations as ta

    x = speech_clips(32) * 0.8
    pipeline = [
        Gain((-12.0, 12.0)),
        PolarityInversion(p=0.5),
        TimeShift((-0.5, 0.5)),
        ColoredNoise((3.0, 30.0), (0.0, 2.0)),
    ]
    ours = Compose(pipeline)
    ours_fused = Compose(pipeline, fuse=True)  # gain × polarity folded into one multiply (audio.gain fusion)
    g = make_generator(0)

    tam = ta.Compose(
        [
            ta.Gain(-12.0, 12.0, mode="per_example", p=1.0),
            ta.PolarityInversion(mode="per_example", p=0.5),
            ta.Shift(-0.5, 0.5, mode="per_example", p=1.0),
            ta.AddColoredNoise(3.0, 30.0, 0.0, 2.0, mode="per_example", p=1.0, sample_rate=SR),
        ],
        output_type="tensor",
    )

    am_pipe = am.Compose(
        [
            am.Gain(-12.0, 12.0, p=1.0),
            am.PolarityInversion(p=0.5),
            am.Shift(-0.5, 0.5, p=1.0),
            am.AddColorNoise(3.0, 30.0, -6.0, 0.0, p=1.0),
        ]
    )
    clips = [c[0].numpy() for c in x]
    t, cpu = timeit_interleaved(
        {
            "omniaug-audio, Compose(fuse=True)": lambda: ours_fused(x, generator=g),
            "omniaug-audio": lambda: ours(x, generator=g),
            "torch-audiomentations": lambda: tam(x, sample_rate=SR),
            "audiomentations (loop)": lambda: [am_pipe(c, sample_rate=SR) for c in clips],
        },
        repeats,
    )
    return [(name, x.shape[0] / secs, cpu[name]) for name, secs in t.items()]


# ---------------------------------------------------------------- workload B


def _semitones(n: int, seed: int) -> torch.Tensor:
    return torch.rand(n, generator=make_generator(seed)) * 8 - 4


def peers_pitch(kind: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """A function ``(x (B,1,T), semitones (B,)) -> (B,1,T)`` applying peer ``kind`` with the given shifts."""
    import torchaudio

    if kind == "audiomentations":
        import audiomentations as am

        def run(x: torch.Tensor, semis: torch.Tensor) -> torch.Tensor:
            outs = []
            for clip, s in zip(x, semis.tolist()):
                op = am.PitchShift(s, s, p=1.0)
                outs.append(torch.from_numpy(op(clip[0].numpy(), sample_rate=SR)))
            return torch.stack(outs)[:, None]

        return run
    if kind == "torch-audiomentations":
        from torch_pitch_shift import pitch_shift as tps_shift

        # Its PitchShift draws per example from a small set of fast rational ratios (5 of
        # them within ±4 semitones at 16 kHz); a requested shift gets the nearest one, and
        # its accuracy is measured against the ratio actually applied.
        def run(x: torch.Tensor, semis: torch.Tensor) -> torch.Tensor:
            return torch.cat([tps_shift(clip[None], tam_ratio(s), SR) for clip, s in zip(x, semis.tolist())])

        return run
    if kind == "torchaudio.transforms.PitchShift":

        def run(x: torch.Tensor, semis: torch.Tensor) -> torch.Tensor:
            outs = []
            for clip, s in zip(x, semis.tolist()):
                outs.append(torchaudio.transforms.PitchShift(SR, s)(clip))
            return torch.stack(outs)

        return run
    if kind == "torchaudio.functional.pitch_shift":

        def run(x: torch.Tensor, semis: torch.Tensor) -> torch.Tensor:
            return torch.stack([torchaudio.functional.pitch_shift(c, SR, s) for c, s in zip(x, semis.tolist())])

        return run
    raise ValueError(kind)


def tam_ratio(semitones: float) -> Fraction:
    """torch-audiomentations' fast ratio nearest to ``semitones`` (what its PitchShift can apply)."""
    from torch_pitch_shift import get_fast_shifts

    ratios = get_fast_shifts(SR, lambda r: 2 ** (-4 / 12) <= r <= 2 ** (4 / 12))
    return min(ratios, key=lambda r: abs(math.log2(r) * 12 - semitones))


def ours_pitch(x: torch.Tensor, semis: torch.Tensor) -> torch.Tensor:
    return pitch_shift(x, semis, max_semitones=4.0)


def pitch_quality(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    step: int = 1,
    applied: Callable[[float], float] | None = None,
) -> tuple[float, float]:
    """Median |cents error| of the shifted f0 on 1-s sines and speech (integer shifts in ±4).

    ``step`` > 1 measures every step-th case only (for the very slow implementations);
    ``applied`` maps a requested shift to the one the implementation really applies.
    """
    pick = slice(None, None, step)
    requested = torch.tensor([-4.0, -3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 4.0])[pick]
    shifts = requested if applied is None else torch.tensor([applied(float(s)) for s in requested])
    f0 = torch.tensor([150.0, 196.0, 220.0, 262.0, 330.0, 392.0, 440.0, 523.0])[pick]
    t = torch.arange(int(SR * 1.0)) / SR
    sines = (0.5 * torch.sin(2 * math.pi * f0[:, None] * t))[:, None]
    out = fn(sines, requested)
    measured = peak_frequency(out[:, 0, 2000:-2000].double(), SR)
    err_sine = cents(measured, (f0 * 2 ** (shifts / 12)).double()).abs().median()
    speech = speech_clips(8)[pick, :, :SR]
    base = estimate_f0(speech[:, 0].double(), SR)
    shifted = estimate_f0(fn(speech, requested)[:, 0].double(), SR)
    err_speech = cents(shifted, base * 2 ** (shifts.double() / 12)).abs().median()
    return float(err_sine), float(err_speech)


def workload_b(repeats: int) -> list[tuple[str, float, float, float]]:
    x = speech_clips(8) * 0.8
    op = PitchShift((-4.0, 4.0))
    g = make_generator(1)
    rows = []
    t = timeit(lambda: op(x, generator=g), repeats)
    rows.append(("omniaug-audio", 8 / t, *pitch_quality(ours_pitch)))
    print("  measured omniaug-audio", flush=True)
    semis = _semitones(8, 2)
    import torch_audiomentations as ta

    tam = ta.PitchShift(-4.0, 4.0, mode="per_example", p=1.0, sample_rate=SR, output_type="tensor")
    t_tam = timeit(lambda: tam(x, sample_rate=SR), max(3, repeats // 2), warmup=1)
    # (name, timing repeats, clips timed, quality step): torchaudio's pitch_shift builds a
    # polyphase kernel for an irrational ratio per call, so it is timed on fewer clips.
    for kind, reps, clips, step in (
        ("audiomentations", repeats, 8, 1),
        ("torch-audiomentations", 0, 8, 1),
        ("torchaudio.transforms.PitchShift", 1, 4, 2),
        ("torchaudio.functional.pitch_shift", 1, 2, 4),
    ):
        fn = peers_pitch(kind)
        xs, ss = x[:clips], semis[:clips]
        t = (
            t_tam * clips / 8
            if reps == 0
            else timeit(lambda fn=fn, xs=xs, ss=ss: fn(xs, ss), reps, warmup=1 if clips == 8 else 0)
        )
        applied = (lambda s: 12 * math.log2(tam_ratio(s))) if kind == "torch-audiomentations" else None
        rows.append((kind, clips / t, *pitch_quality(fn, step, applied)))
        print(f"  measured {kind}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=12)
    parser.add_argument("--workloads", default="ab", help="which workloads to run: a, b or ab")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2 = the issue's setting)")
    parser.add_argument("--default-malloc", action="store_true", help="keep glibc's default mmap / trim thresholds")
    parser.add_argument("--passive-omp", action="store_true", help="OMP_WAIT_POLICY=PASSIVE (for a loaded machine)")
    args = parser.parse_args()
    if REEXEC_FLAG not in os.environ:  # the environment must be set before the process starts
        env = {**os.environ, REEXEC_FLAG: "1"}
        env.update({} if args.default_malloc else MALLOC_ENV)
        env.update(PASSIVE_ENV if args.passive_omp else {})
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    torch.set_num_threads(args.threads)
    print(
        f"# omniaug-audio benchmark: torch {torch.__version__}, {platform.machine()}, "
        f"{torch.get_num_threads()} thread(s), median of {args.repeats}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    env_text = ", ".join(f"{k}={os.environ[k]}" for k in (*MALLOC_ENV, *PASSIVE_ENV) if k in os.environ)
    print(f"# environment: {env_text or 'defaults'}", flush=True)

    if "a" in args.workloads:
        report_a(workload_a(args.repeats))
    if "b" in args.workloads:
        report_b(workload_b(args.repeats))


def report_a(a: list[tuple[str, float, float]]) -> None:
    fused, plain = a[0][1], a[1][1]
    print("\nA: 32 clips x 2 s @16 kHz, gain + polarity + shift + coloured noise (per example)")
    print(
        "| implementation | clips/s | omniaug fused speed-up | omniaug unfused speed-up | ms / batch | CPU ms / batch |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, rate, cpu in a:
        print(
            f"| {name} | {rate:,.0f} | {fused / rate:.1f}x | {plain / rate:.1f}x | {32e3 / rate:.2f} | {cpu * 1e3:.2f} |"
        )
    print(f"# load average at the end: {os.getloadavg()[0]:.1f}")


def report_b(b: list[tuple[str, float, float, float]]) -> None:
    ours_b = b[0][1]
    print("\nB: pitch shift, 8 clips x 2 s, per-example semitones in [-4, 4]")
    print(
        "| implementation | clips/s | omniaug speed-up | median f0 error, sines (cents) | median f0 error, speech (cents) |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, rate, e_sine, e_speech in b:
        print(f"| {name} | {rate:,.1f} | {ours_b / rate:.1f}x | {e_sine:.1f} | {e_speech:.1f} |")


if __name__ == "__main__":
    main()
