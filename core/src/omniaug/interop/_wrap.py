"""Wrapped ops: a peer library's transform run per sample, seeded from the caller's generator.

A transform with no native omniaug equivalent becomes a :class:`WrappedOp`. Its
params are one seed per sample (``(B,)`` int64, drawn from the caller's
generator), so it is replayable, a batch equals its samples run alone, and
``same_on_batch`` repeats the first seed. The kernel visits the samples in Python,
converts each to the peer's layout (HWC NumPy for albumentations, CHW tensors for
torchvision and kornia, NumPy for audiomentations, strings for nlpaug), and calls
the peer inside :func:`~omniaug.interop._peers.isolated_rng` — global ``random``,
NumPy and torch states are seeded from the sample's seed and restored after the
call. That per-sample loop is the cost of wrapping (``cost`` below); native ops
have none.

The peer transform is serialized as ``{"class": ..., "args": {...}}`` (only
classes of that peer's modules are rebuilt from a config). The peer's own apply
probability is forced to 1: omniaug's ``p`` decides.
"""

from __future__ import annotations

import copy
import inspect
import threading
from typing import Any, ClassVar

import torch

from .. import args
from ..augmentation import Augmentation
from ..errors import ConfigError, InputError
from ..params import Params
from ._peers import (
    PEERS,
    MissingExtraError,
    build_from_spec,
    isolated_rng,
    require,
    saved_rng_states,
    seed_global_rngs,
    spec_of,
)

__all__ = [
    "WrappedOp",
    "WrappedAlbumentations",
    "WrappedTorchvision",
    "WrappedKornia",
    "WrappedAudiomentations",
    "WrappedTorchAudiomentations",
    "WrappedNlpaug",
    "WRAPPED_OPS",
]

_SEED_HIGH = 2**31 - 1

#: per thread: a stack of open :meth:`WrappedOp.apply` scopes (whether each saved CUDA's RNG states)
_RNG_SCOPES = threading.local()


def _simple_state(t: Any) -> Any:
    """What identifies a peer transform's configuration: its repr if the class defines one, else simple attributes."""
    if type(t).__repr__ is not object.__repr__:
        return repr(t)

    def norm(v: Any) -> Any:
        return [norm(i) for i in v] if isinstance(v, (list, tuple)) else v

    simple = (bool, int, float, str, tuple, list, type(None))
    return sorted((k, repr(norm(v))) for k, v in vars(t).items() if isinstance(v, simple))


def signature_args(t: Any, extra: dict[str, Any] | None = None, lookup: Any = None) -> dict[str, Any]:
    """Constructor arguments read back from same-named attributes (``lookup(name)`` for others)."""
    out: dict[str, Any] = {}
    for name, prm in inspect.signature(type(t).__init__).parameters.items():
        if name == "self" or prm.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if extra and name in extra:
            out[name] = extra[name]
        elif lookup is not None and (found := lookup(name)) is not None:
            out[name] = found[0]
        elif hasattr(t, name):
            out[name] = getattr(t, name)
        if (
            callable(out.get(name))
            and getattr(out[name], "__module__", "").split(".")[0] == type(t).__module__.split(".")[0]
        ):
            del out[name]  # the library's own default function (e.g. nlpaug's tokenizer): rebuilt by default
    return out


class WrappedOp(Augmentation):
    """Base of wrapped peer transforms: per-sample seeds as params, a per-sample kernel.

    Args:
        transform: the peer transform, or its spec ``{"class": "<module>.<Class>", "args": {...}}``.
    """

    peer: ClassVar[str] = ""
    #: shown by ``omniaug list`` and the conversion report
    wrapped: ClassVar[bool] = True
    #: what a call costs compared with a native op
    cost: ClassVar[str] = "per sample in Python"
    in_policies = False
    may_be_identity = False
    # one intra-op thread for the loop's small torch ops (layout moves, stacking): with more, each
    # opens an OpenMP region whose worker keeps spinning on the core the peer's own threads
    # (OpenCV's) need next; on a shared 2-core machine a wrapped albumentations op was several
    # times slower at 2 threads than at 1 (docs/performance.md, "Design measurements")
    cpu_threads = 1

    def __init__(self, transform: Any, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        if isinstance(transform, dict):
            self.transform = self.prepare(build_from_spec(transform, self.peer))
            self._init_args["transform"] = transform
            return
        module = PEERS[self.peer].prefixes
        if not type(transform).__module__.startswith(tuple(m.rstrip(".") for m in module)):
            raise InputError(
                "transform", f"a {self.peer} transform or its spec dict", transform, where=type(self).__name__
            )
        self.transform = self.prepare(copy.deepcopy(transform))  # never change the caller's object
        try:
            spec = spec_of(self.transform, self.peer_args(self.transform))
            rebuilt = build_from_spec(spec, self.peer)
            same = _simple_state(self.prepare(rebuilt)) == _simple_state(self.transform)
        except ConfigError:
            same = False
        # unserializable peer instances stay as they are: to_config then names them in its error
        self._init_args["transform"] = spec if same else self.transform

    # -- per peer -------------------------------------------------------------
    def prepare(self, transform: Any) -> Any:
        """The peer transform as it is called (its own probability set to 1)."""
        return transform

    def peer_args(self, transform: Any) -> dict[str, Any]:
        return signature_args(transform)

    def run_one(self, sample: Any, seed: int, context: dict[str, Any]) -> Any:
        raise NotImplementedError

    # -- the op ---------------------------------------------------------------
    @property
    def peer_name(self) -> str:
        return type(self.transform).__name__

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        from .. import rng

        return {"seed": rng.randint(batch_size, 0, _SEED_HIGH, generator=generator, device=device)}

    def seeds(self, params: Params) -> list[int]:
        return [int(s) for s in params["seed"].tolist()]

    def call(self, seed: int, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` with the global RNGs seeded from ``seed`` and restored after.

        An exception the peer raises on an input (OpenCV refusing float16, torchvision a
        2-channel image) becomes an :class:`InputError` naming the peer transform, with
        the peer's own message, instead of a bare error from deep inside the peer.
        """
        scopes = getattr(_RNG_SCOPES, "stack", None)
        if scopes:  # inside apply(): the states were saved once for the whole loop, seed them for this call
            seed_global_rngs(seed, scopes[-1])
            return self._call_peer(fn, *args, **kwargs)
        with isolated_rng(seed):
            return self._call_peer(fn, *args, **kwargs)

    def _call_peer(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError:
            raise
        except Exception as exc:  # the peer's own errors, reported as what they are
            reason = (str(exc).strip().splitlines() or [""])[-1][:200]
            raise InputError(
                "x",
                f"an input {self.peer}'s {self.peer_name} accepts ({type(exc).__name__}: {reason})",
                args[0] if args else None,
                where=self.name,
            ) from exc

    def apply(self, x: Any, params: Params) -> Any:
        """The per-sample loop, with the global RNG states saved once around it and restored after.

        Each peer call still runs with the states seeded from its sample's seed (:meth:`call`),
        so a sample's output does not depend on the others; saving and restoring the
        624-word states of ``random`` and NumPy once per sample cost more than a cheap peer
        transform (docs/performance.md).
        """
        stack = getattr(_RNG_SCOPES, "stack", None)
        if stack is None:
            stack = _RNG_SCOPES.stack = []
        with saved_rng_states() as cuda:
            stack.append(cuda)
            try:
                return super().apply(x, params)
            finally:
                stack.pop()

    @classmethod
    def example_instances(cls) -> list[Augmentation]:
        try:
            require(cls.peer)
        except MissingExtraError:
            return []
        return [cls(t) for t in cls.examples()]

    @classmethod
    def examples(cls) -> list[Any]:
        return []


# ----------------------------------------------------------------------------- images
def _stack(outs: list[torch.Tensor], where: str) -> torch.Tensor:
    try:
        return torch.stack(outs)
    except RuntimeError as exc:
        shapes = sorted({tuple(o.shape) for o in outs})
        raise InputError(
            "transform", "a transform whose outputs have one shape for the whole batch", shapes, where=where
        ) from exc


def _cv2() -> Any:
    """OpenCV if importable (albumentations depends on it), else None."""
    try:
        import cv2
    except ImportError:  # pragma: no cover - the other peers do not need it
        return None
    return cv2


def _transposed(a: Any) -> Any:
    """A new contiguous transpose of a 2-D array: OpenCV's when it takes the dtype, else NumPy's copy.

    Moving a uint8 image between CHW and HWC is a 2-D transpose of ``(C, H·W)``;
    ``cv2.transpose`` does it with SIMD, where a strided torch or NumPy copy moves one
    element at a time (docs/performance.md, "Design measurements"); the same bytes.
    """
    import numpy as np

    cv2 = _cv2()
    if cv2 is not None and a.dtype in (np.uint8, np.int8, np.uint16, np.int16, np.int32, np.float32, np.float64):
        return cv2.transpose(np.ascontiguousarray(a))
    return np.array(a.T, order="C", copy=True)  # a copy even where the transpose is a contiguous view


def _hwc_sample(img: torch.Tensor, i: int) -> Any:
    """Sample ``i`` of a ``(B, C, H, W)`` batch as a new contiguous ``(H, W, C)`` NumPy array (never a view of it)."""
    c, h, w = img.shape[1:]
    chw = img[i].detach().cpu().contiguous().numpy().reshape(c, h * w)
    return _transposed(chw).reshape(h, w, c)


def _from_numpy_hwc(arr: Any, like: torch.Tensor) -> torch.Tensor:
    """An ``(H, W, C)`` (or ``(H, W)``) array → a contiguous ``(C, H, W)`` tensor of ``like``'s dtype and device."""
    import numpy as np

    arr = np.asarray(arr)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    h, w, c = arr.shape
    t = torch.from_numpy(_transposed(np.ascontiguousarray(arr).reshape(h * w, c)).reshape(c, h, w))
    if like.dtype == torch.uint8 and t.dtype != torch.uint8:
        t = t.round().clamp(0, 255)
    return t.to(device=like.device, dtype=like.dtype)


class _ImageWrapped(WrappedOp):
    modality = "image"

    @classmethod
    def example_input(cls, batch_size: int, *, generator: torch.Generator | None = None, device: Any = "cpu") -> Any:
        from omniaug_image.modality import example_images

        return example_images(batch_size, generator=generator, device=device, size=48)


class WrappedAlbumentations(_ImageWrapped):
    """An albumentations transform run per sample on HWC NumPy; masks, boxes and keypoints move with it."""

    name = "image.albumentations"
    peer = "albumentations"
    cost = "per sample: HWC NumPy copy in and out, one albumentations call"

    def prepare(self, transform: Any) -> Any:
        transform.p = 1.0
        return transform

    def peer_args(self, transform: Any) -> dict[str, Any]:
        args = dict(transform.to_dict_private())
        args.pop("__class_fullname__", None)
        args["p"] = 1.0
        return args

    @property
    def image_only(self) -> bool:
        """Whether the transform changes the image alone (an ``A.ImageOnlyTransform``: colour, blur, noise)."""
        return isinstance(self.transform, require("albumentations").ImageOnlyTransform)

    def apply(self, x: Any, params: Params) -> Any:
        from omniaug_image import ImageBatch

        if isinstance(x, ImageBatch) and self.image_only:
            # masks, boxes and keypoints are the transform's to leave alone: only the image goes through
            return x.replace(image=super().apply(x.image, params))
        return super().apply(x, params)

    def _pipeline(self, boxes: bool, keypoints: bool) -> Any:
        cache = self.__dict__.setdefault("_pipelines", {})
        key = (boxes, keypoints)
        if key not in cache:
            A = require("albumentations")
            kw: dict[str, Any] = {}
            if boxes:
                kw["bbox_params"] = A.BboxParams(format="pascal_voc", label_fields=["box_index"], clip=True)
            if keypoints:
                kw["keypoint_params"] = A.KeypointParams(format="xy", remove_invisible=False)
            cache[key] = A.Compose([self.transform], p=1.0, **kw)
        return cache[key]

    def kernel(self, x: Any, params: Params) -> Any:
        import numpy as np

        from omniaug_image import ImageBatch

        batch = x if isinstance(x, ImageBatch) else None
        if batch is not None:
            batch = batch.with_defaults()
        img = batch.image if batch is not None else x
        # OpenCV has no float16 kernels and NumPy no bfloat16: those run in float32, cast back after
        src = img.float() if img.dtype in (torch.float16, torch.bfloat16) else img
        if batch is None and self.image_only:
            # called directly, without a one-transform Compose around it (whose per-call checks cost
            # about as much as a cheap transform): seeded alike, the transform draws the same params
            outs_only = []
            for i, seed in enumerate(self.seeds(params)):
                self.transform.set_random_seed(seed)
                res = self.call(seed, self.transform, image=_hwc_sample(src, i))
                outs_only.append(_from_numpy_hwc(res["image"], img))
            return _stack(outs_only, self.name)
        has_boxes = batch is not None and batch.boxes is not None
        has_kps = batch is not None and batch.keypoints is not None
        pipe = self._pipeline(has_boxes, has_kps)
        outs, masks, boxes, valid, kps, vis = [], [], [], [], [], []
        for i, seed in enumerate(self.seeds(params)):
            data: dict[str, Any] = {"image": _hwc_sample(src, i)}
            if batch is not None and batch.mask is not None:
                m = batch.mask[i].detach().cpu().numpy()
                if m.ndim == 3:
                    data["masks"] = np.ascontiguousarray(m)
                else:
                    data["mask"] = np.array(m, copy=True)
            if has_boxes:
                assert batch is not None and batch.boxes is not None and batch.box_valid is not None
                keep = batch.box_valid[i].cpu()
                index = torch.arange(keep.numel())[keep]
                data["bboxes"] = batch.boxes[i].detach().cpu()[keep].numpy().reshape(-1, 4)
                data["box_index"] = index.tolist()
            if has_kps:
                assert batch is not None and batch.keypoints is not None
                data["keypoints"] = batch.keypoints[i].detach().cpu().numpy().reshape(-1, 2)
            pipe.set_random_seed(seed)
            res = self.call(seed, pipe, **data)
            outs.append(_from_numpy_hwc(res["image"], img))
            if batch is not None and batch.mask is not None:
                m = np.asarray(res["masks"] if "masks" in res else res["mask"])
                masks.append(
                    torch.from_numpy(np.ascontiguousarray(m)).to(device=batch.mask.device, dtype=batch.mask.dtype)
                )
            if has_boxes:
                assert batch is not None and batch.boxes is not None
                n = batch.boxes.shape[1]
                got = torch.as_tensor(np.asarray(res["bboxes"], dtype=np.float32).reshape(-1, 4))
                idx = torch.as_tensor(list(res["box_index"]), dtype=torch.long)
                b = torch.zeros(n, 4, dtype=batch.boxes.dtype)
                v = torch.zeros(n, dtype=torch.bool)
                b[idx] = got.to(b.dtype)
                v[idx] = True
                boxes.append(b)
                valid.append(v)
            if has_kps:
                assert batch is not None and batch.keypoints is not None
                k = torch.as_tensor(np.asarray(res["keypoints"], dtype=np.float32)[:, :2]).to(batch.keypoints.dtype)
                h, w = res["image"].shape[:2]
                inside = (k[:, 0] >= 0) & (k[:, 0] < w) & (k[:, 1] >= 0) & (k[:, 1] < h)
                kps.append(k)
                vis.append(inside)
        out = _stack(outs, self.name)
        if batch is None:
            return out
        changes: dict[str, Any] = {"image": out}
        if masks:
            changes["mask"] = _stack(masks, self.name)
        if has_boxes:
            assert batch.box_valid is not None
            dev = batch.boxes.device  # type: ignore[union-attr]
            v = _stack(valid, self.name).to(dev) & batch.box_valid
            changes["boxes"] = _stack(boxes, self.name).to(dev)
            changes["box_valid"] = v
            if batch.box_labels is not None:
                changes["box_labels"] = torch.where(v, batch.box_labels, torch.full_like(batch.box_labels, -1))
        if has_kps:
            assert batch.keypoint_visible is not None
            dev = batch.keypoints.device  # type: ignore[union-attr]
            changes["keypoints"] = _stack(kps, self.name).to(dev)
            changes["keypoint_visible"] = _stack(vis, self.name).to(dev) & batch.keypoint_visible
        return batch.replace(**changes)

    @classmethod
    def examples(cls) -> list[Any]:
        A = require("albumentations")
        return [A.MotionBlur(blur_limit=(3, 7), p=1.0), A.SafeRotate(limit=40, p=1.0)]


def _tv_lookup(t: Any) -> Any:
    def find(name: str) -> Any:
        aliases = {"size": ("size",), "degrees": ("degrees",)}
        for a in aliases.get(name, (name, f"_{name}")):
            if hasattr(t, a):
                return (getattr(t, a),)
        return None

    return find


class WrappedTorchvision(_ImageWrapped):
    """A ``torchvision.transforms.v2`` transform run per sample (tensors, masks and boxes as ``tv_tensors``).

    Deterministic transforms (``Resize``, ``Normalize``, ``CenterCrop``, …) run once on the whole batch.
    """

    name = "image.torchvision"
    peer = "torchvision"
    cost = "per sample: one torchvision call (deterministic transforms: one call per batch)"

    #: transforms without randomness: called once on the batch
    BATCHED: ClassVar[frozenset[str]] = frozenset(
        {"Resize", "CenterCrop", "Normalize", "Pad", "Grayscale", "ToDtype", "ConvertImageDtype", "Identity"}
    )

    def prepare(self, transform: Any) -> Any:
        if hasattr(transform, "p"):
            transform.p = 1.0
        return transform

    def peer_args(self, transform: Any) -> dict[str, Any]:
        extra = {"p": 1.0} if hasattr(transform, "p") else None
        return signature_args(transform, extra, _tv_lookup(transform))

    @property
    def batched(self) -> bool:
        return type(self.transform).__name__ in self.BATCHED

    def kernel(self, x: Any, params: Params) -> Any:
        from omniaug_image import ImageBatch

        batch = x.with_defaults() if isinstance(x, ImageBatch) else None
        img = batch.image if batch is not None else x
        if self.batched:
            if batch is not None and (batch.boxes is not None or batch.keypoints is not None or batch.mask is not None):
                return self._per_sample(batch, img, params)
            return self.transform(img)
        return self._per_sample(batch, img, params)

    def _per_sample(self, batch: Any, img: torch.Tensor, params: Params) -> Any:
        from torchvision import tv_tensors

        outs, masks, boxes = [], [], []
        h, w = img.shape[-2:]
        for i, seed in enumerate(self.seeds(params)):
            inputs: list[Any] = [img[i]]
            if batch is not None and batch.mask is not None:
                inputs.append(tv_tensors.Mask(batch.mask[i]))
            if batch is not None and batch.boxes is not None:
                inputs.append(tv_tensors.BoundingBoxes(batch.boxes[i], format="XYXY", canvas_size=(h, w)))
            res = self.call(seed, self.transform, *inputs)
            res = res if isinstance(res, (tuple, list)) else [res]
            outs.append(res[0].as_subclass(torch.Tensor))
            k = 1
            if batch is not None and batch.mask is not None:
                masks.append(res[k].as_subclass(torch.Tensor))
                k += 1
            if batch is not None and batch.boxes is not None:
                boxes.append(res[k].as_subclass(torch.Tensor))
        out = _stack(outs, self.name)
        if batch is None:
            return out
        if batch.keypoints is not None and not self.batched:
            raise InputError(
                "x.keypoints",
                "absent for a wrapped torchvision transform (keypoints are not moved)",
                batch.keypoints,
                where=self.name,
            )
        changes: dict[str, Any] = {"image": out}
        if masks:
            changes["mask"] = _stack(masks, self.name)
        if boxes:
            changes["boxes"] = _stack(boxes, self.name).to(batch.boxes.dtype)
        return batch.replace(**changes)

    @classmethod
    def examples(cls) -> list[Any]:
        v2 = require("torchvision")
        return [v2.RandomPhotometricDistort(p=1.0), v2.RandomAdjustSharpness(sharpness_factor=3.0, p=1.0)]


class WrappedKornia(_ImageWrapped):
    """A ``kornia.augmentation`` transform run per sample (float images; targets are not moved)."""

    name = "image.kornia"
    peer = "kornia"
    cost = "per sample: one kornia call on a batch of one"

    def prepare(self, transform: Any) -> Any:
        transform.p = 1.0
        return transform

    def peer_args(self, transform: Any) -> dict[str, Any]:
        flags = dict(getattr(transform, "flags", {}))

        def find(name: str) -> Any:
            if name in flags:
                return (flags[name],)
            if hasattr(transform, name):
                return (getattr(transform, name),)
            if hasattr(transform, f"_{name}"):
                return (getattr(transform, f"_{name}"),)
            gen = getattr(transform, "_param_generator", None)  # kornia keeps ranges on its generator
            if gen is not None and hasattr(gen, name):
                value = getattr(gen, name)
                return (value.tolist() if isinstance(value, torch.Tensor) else value,)
            return None

        return signature_args(transform, {"p": 1.0}, find)

    def check(self, x: Any) -> None:
        from omniaug_image import ImageBatch

        if isinstance(x, ImageBatch) and any(v is not None for v in (x.mask, x.boxes, x.keypoints)):
            raise InputError(
                "x", "images without masks, boxes or keypoints for a wrapped kornia transform", x, where=self.name
            )

    def kernel(self, x: Any, params: Params) -> Any:
        from omniaug_image import ImageBatch

        img = x.image if isinstance(x, ImageBatch) else x
        f = img.float() / 255.0 if img.dtype == torch.uint8 else img
        outs = []
        for i, seed in enumerate(self.seeds(params)):
            outs.append(self.call(seed, self.transform, f[i : i + 1])[0])
        out = _stack(outs, self.name)
        out = (out * 255.0).round().clamp(0, 255).to(torch.uint8) if img.dtype == torch.uint8 else out.to(img.dtype)
        return x.replace(image=out) if isinstance(x, ImageBatch) else out

    @classmethod
    def examples(cls) -> list[Any]:
        K = require("kornia")
        return [K.RandomMotionBlur(kernel_size=3, angle=35.0, direction=0.5, p=1.0)]


# ----------------------------------------------------------------------------- audio
class _AudioWrapped(WrappedOp):
    modality = "audio"

    def __init__(
        self, transform: Any, sample_rate: int = 16000, *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(transform, p=p, same_on_batch=same_on_batch)
        self.sample_rate = args.integer("sample_rate", sample_rate, low=1, where=type(self).__name__)

    def run_wave(self, wave: torch.Tensor, sr: int, seed: int) -> torch.Tensor:
        """One example ``(C, L)`` → the peer's output ``(C, L')``."""
        raise NotImplementedError

    def kernel(self, x: Any, params: Params) -> Any:
        from omniaug_audio import AudioBatch

        if isinstance(x, AudioBatch):
            wave, sr, lengths = x.waveform, int(x.sample_rate), x.lengths
        else:
            wave, sr, lengths = x, self.sample_rate, None
        n = wave.shape[-1]
        outs, new_lengths = [], []
        for i, seed in enumerate(self.seeds(params)):
            length = n if lengths is None else int(lengths[i])
            y = self.run_wave(wave[i, :, :length], sr, seed).to(device=wave.device, dtype=wave.dtype)
            keep = min(y.shape[-1], n)
            row = torch.zeros_like(wave[i])
            row[:, :keep] = y[:, :keep]
            outs.append(row)
            new_lengths.append(keep)
        out = torch.stack(outs)
        if isinstance(x, AudioBatch):
            lens = (
                None
                if lengths is None and all(k == n for k in new_lengths)
                else torch.tensor(new_lengths, device=wave.device)
            )
            return AudioBatch(out, x.sample_rate, lens)
        return out


class WrappedAudiomentations(_AudioWrapped):
    """An audiomentations transform run per example on NumPy (mono as 1-D); output cut or zero-padded to the batch length."""

    name = "audio.audiomentations"
    peer = "audiomentations"
    cost = "per example: NumPy copy in and out, one audiomentations call"

    def prepare(self, transform: Any) -> Any:
        transform.p = 1.0
        return transform

    def peer_args(self, transform: Any) -> dict[str, Any]:
        return signature_args(transform, {"p": 1.0})

    def run_wave(self, wave: torch.Tensor, sr: int, seed: int) -> torch.Tensor:
        import numpy as np

        samples = wave.detach().cpu().numpy().astype(np.float32, copy=True)
        if samples.shape[0] == 1:
            samples = samples[0]
        y = np.asarray(self.call(seed, self.transform, samples=samples, sample_rate=sr), dtype=np.float32)
        return torch.from_numpy(np.ascontiguousarray(y.reshape(1, -1) if y.ndim == 1 else y))

    @classmethod
    def examples(cls) -> list[Any]:
        am = require("audiomentations")
        return [am.AddGaussianSNR(min_snr_db=10.0, max_snr_db=30.0, p=1.0)]


class WrappedTorchAudiomentations(_AudioWrapped):
    """A torch-audiomentations transform run per example (a batch of one), on the input's device."""

    name = "audio.torch_audiomentations"
    peer = "torch_audiomentations"
    cost = "per example: one torch-audiomentations call on a batch of one"

    def prepare(self, transform: Any) -> Any:
        transform.p = 1.0
        if hasattr(transform, "output_type"):
            transform.output_type = "tensor"
        return transform

    def peer_args(self, transform: Any) -> dict[str, Any]:
        return signature_args(transform, {"p": 1.0, "output_type": "tensor"})

    def run_wave(self, wave: torch.Tensor, sr: int, seed: int) -> torch.Tensor:
        y = self.call(seed, self.transform, wave.unsqueeze(0).float(), sample_rate=sr)
        y = getattr(y, "samples", y)
        return y[0]

    @classmethod
    def examples(cls) -> list[Any]:
        tam = require("torch_audiomentations")
        return [tam.AddColoredNoise(min_snr_in_db=10.0, max_snr_in_db=20.0, p=1.0, output_type="tensor")]


# ----------------------------------------------------------------------------- text
class WrappedNlpaug(WrappedOp):
    """An nlpaug augmenter (or flow) run per string."""

    name = "text.nlpaug"
    modality = "text"
    peer = "nlpaug"
    cost = "per string: one nlpaug call"

    def peer_args(self, transform: Any) -> dict[str, Any]:
        if type(transform).__module__.startswith("nlpaug.flow"):
            raise ConfigError("nlpaug flows are wrapped as live objects")
        aliases = {"aug_char_p": "aug_char_p", "aug_word_p": "aug_word_p"}

        def find(name: str) -> Any:
            a = aliases.get(name, name)
            return (getattr(transform, a),) if hasattr(transform, a) else None

        return signature_args(transform, None, find)

    def kernel(self, x: list[str], params: Params) -> list[str]:
        out = []
        for s, seed in zip(x, self.seeds(params)):
            if not s.strip():  # nlpaug fails on empty and blank strings: nothing to augment
                out.append(s)
                continue
            res = self.call(seed, self.transform.augment, s)
            out.append((res[0] if res else s) if isinstance(res, list) else str(res))
        return out

    @classmethod
    def examples(cls) -> list[Any]:
        require("nlpaug")
        import nlpaug.augmenter.char as nac

        return [nac.RandomCharAug(action="swap")]


WRAPPED_OPS: list[type[WrappedOp]] = [
    WrappedAlbumentations,
    WrappedTorchvision,
    WrappedKornia,
    WrappedAudiomentations,
    WrappedTorchAudiomentations,
    WrappedNlpaug,
]
