"""omniaug — batched, seeded, pluggable data augmentation for PyTorch.

The core is modality-agnostic: interfaces (:class:`Augmentation`, :class:`Mixer`,
:class:`Modality`), containers and policies, seeded per-sample randomness,
serialization, a plugin registry fed by the ``omniaug`` entry-point group, and a
CLI. Modalities and their ops come from plugins (``omniaug-image``, …).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

from . import args, batching, rng
from .augmentation import Augmentation, Augmented, Magnitude, Transform
from .commands import Command
from .config import from_config, load_config, read_config, save_config, to_config, to_json, to_yaml
from .containers import Compose, Identity, OneOf, RandomApply, SomeOf
from .errors import ConfigError, InputError, OmniaugError, PluginConflictError, PluginError, UnknownNameError
from .fusion import FusionKind, reference_kernels, set_reference_kernels, using_reference_kernels
from .hookspecs import hookimpl
from .loader import AugmentedLoader
from .mixing import Mixed, Mixer, mix_labels, to_soft_labels
from .modality import Modality
from .model import ModelContext, feedback, input_gradient, model_guard, per_sample_loss, train_step
from .multimodal import Keys, MixKeys
from .params import APPLY, Params
from .policies import RandAugment, SkipInapplicable, TrivialAugment
from .presets import Preset
from .registry import PluginWarning, Registry, register, registry

try:
    __version__ = _dist_version("omniaug")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "APPLY",
    "Augmentation",
    "AugmentedLoader",
    "Augmented",
    "Command",
    "Compose",
    "ConfigError",
    "FusionKind",
    "reference_kernels",
    "set_reference_kernels",
    "using_reference_kernels",
    "Identity",
    "InputError",
    "Keys",
    "Magnitude",
    "MixKeys",
    "ModelContext",
    "Mixed",
    "Mixer",
    "Modality",
    "OmniaugError",
    "OneOf",
    "Params",
    "PluginConflictError",
    "PluginError",
    "PluginWarning",
    "Preset",
    "RandAugment",
    "RandomApply",
    "Registry",
    "SkipInapplicable",
    "SomeOf",
    "Transform",
    "TrivialAugment",
    "UnknownNameError",
    "__version__",
    "args",
    "batching",
    "feedback",
    "from_config",
    "input_gradient",
    "model_guard",
    "per_sample_loss",
    "train_step",
    "hookimpl",
    "load_config",
    "mix_labels",
    "read_config",
    "register",
    "registry",
    "rng",
    "save_config",
    "to_config",
    "to_json",
    "to_soft_labels",
    "to_yaml",
]
