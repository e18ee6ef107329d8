"""Bad and edge-case inputs on every registered op and mixer: a clear error or a valid output, nothing else.

Issue #20 §3. Each registered op and mixer (every example instance) is called on
edge cases of its modality — other dtypes (float16, bfloat16, float64, uint8 where
the modality takes them), NaN and ±inf in one sample, zero channels, 1×1 images,
clips of a few samples, single-node graphs, empty strings, NaN boxes, a batch of
one — and each outcome is classified:

* ``error``: a clear :class:`omniaug.InputError` (fine);
* ``ok``: a valid output (fine);
* ``crash``: any other exception (an obscure internal error);
* ``garbage``: an output that is invalid for its modality, changes the batch size
  or the dtype, turns finite input into NaN/inf, or lets a NaN of one sample reach
  another sample (a mixer may carry it to the samples it paired with it);
* ``mutated``: the input was changed in place.

The test fails on any ``crash``, ``garbage`` or ``mutated``. ``python
tests/test_fuzz_ops.py [--all] [table.tsv]`` prints the wrong cases, the counts and
the slowest cases (``--all``: every case of the expensive ops too).
"""

from __future__ import annotations

import dataclasses
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import torch

import omniaug
from omniaug import InputError, batching
from omniaug.mixing import Mixer
from omniaug.rng import make_generator
from omniaug.testing import example_variants

BATCH = 3
FLOAT_FIELDS_SKIP = {"lengths", "labels", "box_labels"}


# ------------------------------------------------------------------ payload surgery


def _main_field(x: Any) -> str | None:
    """Where a payload's data tensor is: ``""`` (the payload), a dataclass field, ``"x"`` of a graph, or None."""
    if isinstance(x, torch.Tensor):
        return ""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        for f in dataclasses.fields(x):
            v = getattr(x, f.name)
            if isinstance(v, torch.Tensor) and (v.is_floating_point() or v.dtype == torch.uint8):
                return f.name
        return None
    if _is_graph(x):
        return "x"
    return None


def _is_graph(x: Any) -> bool:
    data = sys.modules.get("torch_geometric.data")
    return data is not None and isinstance(x, data.Data)


def _main(x: Any) -> torch.Tensor:
    name = _main_field(x)
    assert name is not None
    return x if name == "" else getattr(x, name)


def _with_main(x: Any, t: torch.Tensor) -> Any:
    name = _main_field(x)
    if name == "":
        return t
    if _is_graph(x):
        y = x.clone()
        y.x = t
        return y
    return dataclasses.replace(x, **{name: t})


def _first_sample_slice(x: Any, t: torch.Tensor) -> Any:
    """An index into ``t`` that reaches one element of sample 0 (the first node of graph 0 for graphs)."""
    return (0,) * t.dim()


def _poke(x: Any, value: float) -> Any:
    """A copy of ``x`` with one element of sample 0 set to ``value``."""
    t = _main(x).clone()
    if not t.is_floating_point() or t.numel() == 0:
        return None
    t[_first_sample_slice(x, t)] = value
    return _with_main(x, t)


def _cast(x: Any, dtype: torch.dtype) -> Any:
    t = _main(x)
    if dtype == torch.uint8:
        if not t.is_floating_point():
            return None
        t = (t.clamp(0, 1) * 255).round()
    return _with_main(x, t.to(dtype))


def _subset(spec: Any, x: Any, n: int) -> Any:
    return spec.subset(x, torch.arange(n))


# ------------------------------------------------------------------ cases per modality


def _generic(spec: Any, variants: dict[str, Any], dtypes: tuple[torch.dtype, ...]) -> Iterator[tuple[str, Any]]:
    """Dtype casts, NaN / ±inf in sample 0, a batch of one, for the modality's first variant."""
    name, base = next(iter(variants.items()))
    yield from variants.items()
    if _main_field(base) is None:
        return
    for dtype in dtypes:
        yield f"{name} as {str(dtype).removeprefix('torch.')}", _cast(base, dtype)
    yield f"{name} NaN in sample 0", _poke(base, float("nan"))
    yield f"{name} +inf in sample 0", _poke(base, float("inf"))
    yield f"{name} -inf in sample 0", _poke(base, float("-inf"))
    yield f"{name} all zero", _with_main(base, torch.zeros_like(_main(base)))
    yield f"{name} batch of 1", _subset(spec, base, 1)


def _image_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield from _generic(spec, v, (torch.float16, torch.bfloat16, torch.float64, torch.uint8))
    colour = v["colour"]
    yield "colour as float64, 1x1", _cast(v["1x1"], torch.float64)
    yield "1x1 uint8", _cast(v["1x1"], torch.uint8)
    yield "grey 1x1", v["grey"][..., :1, :1].contiguous()
    yield "1x7", colour[..., :1, :7].contiguous()
    yield "7x1", colour[..., :7, :1].contiguous()
    yield "2x2", colour[..., :2, :2].contiguous()
    yield "zero channels", colour[:, :0].contiguous()
    yield "two channels", colour[:, :2].contiguous()
    yield "four channels (RGBA)", torch.cat([colour, colour[:, :1]], 1)
    yield "bfloat16 grey", v["grey"].to(torch.bfloat16)
    tb = v["with targets"]
    boxes = tb.boxes.clone()
    boxes[0, 0, 0] = float("nan")
    yield "NaN box", tb.replace(boxes=boxes)
    boxes = tb.boxes.clone()
    boxes[0, 0] = torch.tensor([float("nan")] * 4)
    yield "all-NaN box", tb.replace(boxes=boxes)
    boxes = tb.boxes.clone()
    boxes[0, 1, 2] = float("inf")
    yield "inf box", tb.replace(boxes=boxes)
    kp = tb.keypoints.clone()
    kp[0, 0, 0] = float("nan")
    yield "NaN keypoint", tb.replace(keypoints=kp)
    yield "targets as float16", tb.replace(image=tb.image.half())
    yield "targets as float64", tb.replace(image=tb.image.double(), boxes=tb.boxes.double())


def _audio_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    from omniaug_audio import AudioBatch

    yield from _generic(spec, v, (torch.float16, torch.bfloat16, torch.float64))
    mono = v["mono"]
    for t in (1, 2, 5, 64):
        yield f"{t} samples", mono[..., :t].contiguous()
        yield f"{t} samples at 8 kHz", AudioBatch(mono[..., :t].contiguous(), 8000)
    yield "zero channels", mono[:, :0].contiguous()
    yield "six channels", mono.expand(-1, 6, -1).contiguous()
    yield "1 kHz rate", AudioBatch(mono[..., :500].contiguous(), 1000)
    yield "lengths of 1", AudioBatch(mono[..., :64].contiguous(), 16000, torch.ones(mono.shape[0], dtype=torch.long))
    yield "full scale square", torch.sign(mono) + (mono == 0).float()
    yield "float64 short", mono[..., :3].double().contiguous()


def _spectrogram_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield from _generic(spec, v, (torch.float16, torch.bfloat16, torch.float64))
    mono = v["mono"]
    yield "1 frame", mono[..., :1].contiguous()
    yield "2 frames", mono[..., :2].contiguous()
    yield "1 bin", mono[..., :1, :].contiguous()
    yield "zero channels", mono[:, :0].contiguous()


def _timeseries_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    from omniaug_timeseries import SeriesBatch

    yield from _generic(spec, v, (torch.float16, torch.bfloat16, torch.float64))
    multi = v["multivariate"]
    for t in (2, 3, 5):
        yield f"T = {t}", multi[..., :t].contiguous()
        yield f"univariate T = {t}", multi[:, :1, :t].contiguous()
    yield "zero channels", multi[:, :0].contiguous()
    yield "constant", torch.ones_like(multi)
    padded = v["multivariate padded"]
    yield "lengths of 2", SeriesBatch(padded.values, torch.full_like(padded.lengths, 2), padded.labels)
    yield "padded NaN in sample 0", _poke(padded, float("nan"))
    yield "padded as float16", _cast(padded, torch.float16)
    yield "float64 NaN", _poke(_cast(multi, torch.float64), float("nan"))
    yield "huge values", multi * 1e30


def _tabular_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield from _generic(spec, v, (torch.float16, torch.bfloat16, torch.float64))
    rows = v["rows"]
    yield "zero features", dataclasses.replace(rows, features=rows.features[:, :0].contiguous())
    yield "NaN column", dataclasses.replace(rows, features=rows.features.index_fill(1, torch.tensor([0]), float("nan")))
    yield "constant", dataclasses.replace(rows, features=torch.ones_like(rows.features))
    yield "tensor NaN in sample 0", _poke(v["tensor"], float("nan"))


def _graph_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield from _generic(spec, v, (torch.float16, torch.bfloat16, torch.float64))
    single = v["single-node graphs"]
    yield "single-node NaN", _poke(single, float("nan"))
    yield "single-node as float64", _cast(single, torch.float64)
    yield "single-node batch of 1", _subset(spec, single, 1)
    batch = v["batch"]
    yield "zero features", _with_main(batch, _main(batch)[:, :0].contiguous())
    yield "one Data NaN", _poke(v["one Data"], float("nan"))


def _text_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield from v.items()
    yield "empty strings", ["", "", ""]
    yield "one character", ["a", "é", "x"]
    yield "lone combining mark", ["\u0301", "a\u0301\u0302", "\u0915\u093f"]
    yield "punctuation only", ["!!!", "...", "?"]
    yield "one long word", ["a" * 500, "b", "c"]
    yield "whitespace only", ["\n\t ", "  ", "\u00a0"]
    yield "batch of 1", ["Hello world"]
    yield "empty batch", []


def _token_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield from v.items()
    ex = v["example"]
    yield "all padding", dataclasses.replace(ex, attention_mask=torch.zeros_like(ex.attention_mask))
    yield (
        "length 1",
        dataclasses.replace(ex, ids=ex.ids[:, :1].contiguous(), attention_mask=ex.attention_mask[:, :1].contiguous()),
    )
    yield "batch of 1", _subset(spec, ex, 1)


def _code_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    ex = v["example"]
    yield "example", ex
    yield "empty sources", dataclasses.replace(ex, sources=["", "\n"])
    yield "syntax error", dataclasses.replace(ex, sources=["def f(:\n  pass", "x = = 1"])
    yield "comments only", dataclasses.replace(ex, sources=["# just a comment\n", '"""doc"""\n'])


def _default_cases(spec: Any, v: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield from _generic(spec, v, (torch.float16, torch.bfloat16, torch.float64))


CASES: dict[str, Callable[[Any, dict[str, Any]], Iterator[tuple[str, Any]]]] = {
    "image": _image_cases,
    "audio": _audio_cases,
    "spectrogram": _spectrogram_cases,
    "timeseries": _timeseries_cases,
    "tabular": _tabular_cases,
    "graph": _graph_cases,
    "text": _text_cases,
    "tokens": _token_cases,
    "code": _code_cases,
}


def cases_for(modality: str) -> list[tuple[str, Any]]:
    spec = omniaug.registry().modality(modality)
    variants = example_variants(modality, BATCH, seed=3)
    out = []
    for name, x in CASES.get(modality, _default_cases)(spec, variants):
        if x is not None:
            out.append((name, x))
    return out


# ------------------------------------------------------------------ outcome of one call


def _float_tensors(x: Any) -> list[tuple[str, torch.Tensor]]:
    """The floating-point tensors of a payload, named (boxes, keypoints, the data tensor, …)."""
    if isinstance(x, torch.Tensor):
        return [("", x)] if x.is_floating_point() else []
    if _is_graph(x):
        return [(k, v) for k, v in x.to_dict().items() if isinstance(v, torch.Tensor) and v.is_floating_point()]
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return [
            (f.name, v)
            for f in dataclasses.fields(x)
            if f.name not in FLOAT_FIELDS_SKIP
            and isinstance(v := getattr(x, f.name), torch.Tensor)
            and v.is_floating_point()
        ]
    return []


def _finite(t: torch.Tensor) -> bool:
    return bool(torch.isfinite(t).all()) if t.is_floating_point() else True


def _same(a: Any, b: Any) -> bool:
    """Exact structural equality, NaN equal to NaN (for the mutation check)."""
    if isinstance(a, torch.Tensor):
        return (
            isinstance(b, torch.Tensor)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and bool(
                torch.equal(a, b) or (a.is_floating_point() and torch.allclose(a, b, rtol=0, atol=0, equal_nan=True))
            )
        )
    if _is_graph(a):
        da, db = a.to_dict(), b.to_dict()
        return da.keys() == db.keys() and all(_same(da[k], db[k]) for k in da)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _clone(x: Any) -> Any:
    if _is_graph(x):
        return x.clone()
    return batching.tree_clone(x)


def _sample_finite(spec: Any, x: Any, n: int) -> list[bool]:
    """Per sample: are all its float tensors finite?"""
    out = []
    for i in range(n):
        part = spec.subset(x, torch.tensor([i]))
        out.append(all(_finite(t) for _, t in _float_tensors(part)))
    return out


def _labels(op: Mixer, x: Any) -> torch.Tensor:
    n = op.label_rows(x)
    k = op.num_classes or 4
    return torch.nn.functional.one_hot(torch.arange(n) % k, k).float()


def run_case(op: Any, x: Any) -> tuple[str, str]:
    """Call ``op`` on ``x``; return ``(outcome, detail)``."""
    spec = op.modality_spec()
    before = _clone(x)
    mixer = isinstance(op, Mixer)
    ctx = None
    if getattr(op, "requires_model", False):
        try:
            ctx = type(op).example_context(x)
        except Exception as exc:  # the test's stand-in model does not fit this payload
            return "skipped", f"no example model for this payload ({type(exc).__name__})"
    labels = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if mixer:
                labels = _labels(op, x)
                res = op.augment_with_labels(x, labels, generator=make_generator(5), model=ctx)
                out, soft, params = res.output, res.labels, res.params
            else:
                out, params = op.augment(x, generator=make_generator(5), model=ctx)
                soft = None
    except InputError as exc:
        if not _same(x, before):
            return "mutated", f"input changed, then InputError: {exc}"
        return "error", str(exc).splitlines()[0][:160]
    except Exception as exc:
        return "crash", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    if not _same(x, before):
        return "mutated", "the input was changed in place"
    try:
        spec.validate(out)
    except InputError as exc:
        return "garbage", f"invalid output: {str(exc).splitlines()[0][:160]}"
    except Exception as exc:
        return "garbage", f"output fails validation with {type(exc).__name__}: {exc}"
    n_in, n_out = spec.batch_size(x), spec.batch_size(out)
    if n_in != n_out:
        return "garbage", f"batch size {n_in} became {n_out}"
    if _main_field(x) is not None and _main_field(out) is not None:
        if _main(x).dtype != _main(out).dtype:
            return "garbage", f"dtype {_main(x).dtype} became {_main(out).dtype}"
    if isinstance(x, list) and not (isinstance(out, list) and all(isinstance(s, str) for s in out)):
        return "garbage", "text output is not a list of strings"
    if soft is not None and (not _finite(soft) or soft.shape[0] != labels.shape[0]):
        return "garbage", "mixed labels are not finite"
    if n_in == 0:
        return "ok", ""
    fin_in = _sample_finite(spec, x, n_in)
    fin_out = _sample_finite(spec, out, n_out)
    reach = {i for i, ok in enumerate(fin_in) if not ok}  # samples a non-finite input may reach
    partners = params.get("partners") if mixer else None
    if isinstance(partners, torch.Tensor) and partners.dim() == 2 and partners.shape[0] == n_in:
        bad = set(reach)
        reach |= {i for i in range(n_in) if bad & set(partners[i].tolist())}
    for i, ok in enumerate(fin_out):
        if not ok and i not in reach:
            what = (
                "finite input became NaN/inf"
                if all(fin_in)
                else f"a NaN/inf of sample(s) {sorted(set(range(n_in)) - {j for j, f in enumerate(fin_in) if f})} reached sample {i}"
            )
            return "garbage", f"{what} (sample {i})"
    return "ok", ""


# ------------------------------------------------------------------ the sweep


def _ops() -> list[Any]:
    reg = omniaug.registry()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.load_all()
    classes = [reg.augmentations[n] for n in sorted(reg.augmentations)] + [reg.mixers[n] for n in sorted(reg.mixers)]
    out = []
    for cls in classes:
        try:
            instances = cls.example_instances()
        except Exception:
            continue
        out.extend(instances)
    return out


def _expensive(op: Any) -> bool:
    """Model-aware ops (a forward and backward pass per step) and peer-wrapped ops (a Python loop per sample)."""
    return bool(getattr(op, "requires_model", False) or getattr(op, "wrapped", False))


def _cheaper(op: Any) -> Any:
    """The op with at most 2 attack steps: how it handles an input does not depend on the step count."""
    args = op.init_args
    if isinstance(args.get("steps"), int) and args["steps"] > 2:
        args["steps"] = 2
        return type(op)(**args)
    return op


def _sampled(op: Any, cases: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Every case for a cheap op; for an expensive one, a deterministic fifth of them (which fifth
    depends on the op's name, so the ops of a modality cover every case between them)."""
    if not _expensive(op):
        return cases
    start = sum(map(ord, op.name)) % 5
    return cases[start::5]


def sweep(*, verbose: bool = False, sample: bool = True) -> list[tuple[str, str, str, str, float]]:
    """``(op, case, outcome, detail, seconds)`` for every op instance and the cases of its modality.

    With ``sample`` (the test), expensive ops run a fifth of the cases with at most 2
    attack steps (see :func:`_sampled`); ``python tests/test_fuzz_ops.py --all`` runs everything.
    """
    cases: dict[str, list[tuple[str, Any]]] = {}
    rows = []
    for op in _ops():
        modality = op.modality_spec().name
        if modality not in cases:
            cases[modality] = cases_for(modality)
        label = f"{op.name} {_short_args(op)}"
        todo = cases[modality]
        if sample:
            op, todo = _cheaper(op), _sampled(op, todo)
        for case, x in todo:
            t0 = time.perf_counter()
            outcome, detail = run_case(op, x)
            dt = time.perf_counter() - t0
            rows.append((label, case, outcome, detail, dt))
            if verbose and outcome in BAD:
                print(f"{outcome:8s} {label} | {case} | {detail}", flush=True)
    return rows


def _short_args(op: Any) -> str:
    args = {k: v for k, v in op.init_args.items() if k not in ("p", "same_on_batch")}
    text = ", ".join(f"{k}={v!r}" for k, v in args.items())
    return f"({text[:60]})"


BAD = ("crash", "garbage", "mutated")


@pytest.fixture(scope="module")
def results() -> list[tuple[str, str, str, str, float]]:
    return sweep()


def test_no_obscure_crash_garbage_or_mutation(results: list[tuple[str, str, str, str, float]]) -> None:
    bad = [f"{o}: {op} on {case!r}: {d}" for op, case, o, d, _ in results if o in BAD]
    assert not bad, f"{len(bad)} of {len(results)} cases went wrong:\n" + "\n".join(bad[:60])


def test_sweep_covers_every_registered_op_and_outcome(results: list[tuple[str, str, str, str, float]]) -> None:
    reg = omniaug.registry()
    seen = {op.split(" ")[0] for op, *_ in results}
    assert set(reg.augmentations) | set(reg.mixers) <= seen | _without_instances(reg)
    counts = Counter(o for _, _, o, _, _ in results)
    assert counts["ok"] > 1000 and counts["error"] > 300, counts


def _without_instances(reg: Any) -> set[str]:
    missing = set()
    for name, cls in {**reg.augmentations, **reg.mixers}.items():
        try:
            cls.example_instances()
        except Exception:
            missing.add(name)
    return missing


if __name__ == "__main__":
    t0 = time.perf_counter()
    full = "--all" in sys.argv
    files = [a for a in sys.argv[1:] if not a.startswith("--")]
    table = sweep(verbose=True, sample=not full)
    counts = Counter(o for _, _, o, _, _ in table)
    slow = sorted(table, key=lambda r: -r[4])[:10]
    print(f"\n{len(table)} cases in {time.perf_counter() - t0:.1f} s: {dict(counts)}", file=sys.stderr)
    for op, case, o, _, dt in slow:
        print(f"  {dt:6.2f} s  {op} | {case} | {o}", file=sys.stderr)
    if files:  # a file to write the whole table to (tab-separated)
        with open(files[0], "w") as f:
            for row in table:
                f.write("\t".join(map(str, row)) + "\n")
