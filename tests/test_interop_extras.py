"""Peers are optional: importing omniaug (and its interop package, and the whole registry) imports none,
and a missing peer is a clear error naming the extra."""

from __future__ import annotations

import subprocess
import sys

import pytest

PEER_MODULES = ("albumentations", "torchvision", "kornia", "audiomentations", "torch_audiomentations", "nlpaug", "cv2")


def test_importing_omniaug_and_loading_every_plugin_imports_no_peer():
    code = (
        "import sys, omniaug, omniaug.interop\n"
        "from omniaug.registry import registry\n"
        "registry().load_all(); names = list(registry().augmentations)\n"
        "assert 'image.albumentations' in names or 'omniaug_image' not in sys.modules\n"
        f"loaded = sorted(m for m in {PEER_MODULES!r} if m in sys.modules)\n"
        "print(loaded); assert not loaded, loaded\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr[-2000:]


def test_a_missing_peer_names_its_extra():
    code = (
        "import sys\n"
        "sys.modules['albumentations'] = None  # as if not installed\n"
        "from omniaug.interop import MissingExtraError, from_albumentations\n"
        "try:\n"
        "    from_albumentations({'transform': {'__class_fullname__': 'Compose', 'transforms': []}})\n"
        "except MissingExtraError as exc:\n"
        "    assert isinstance(exc, ImportError)\n"
        "    assert \"pip install 'omniaug[albumentations]'\" in str(exc), exc\n"
        "    print('ok')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "ok" in res.stdout, res.stdout + res.stderr[-2000:]


@pytest.mark.parametrize(
    "extra", ["albumentations", "torchvision", "kornia", "audiomentations", "torch-audiomentations", "nlpaug"]
)
def test_every_peer_is_an_optional_extra_not_a_dependency(extra):
    from importlib.metadata import requires

    reqs = requires("omniaug") or []
    module = extra.replace("-", "_") if extra != "torch-audiomentations" else "torch-audiomentations"
    core = [r for r in reqs if "extra ==" not in r]
    assert not any(r.lower().startswith(module) for r in core), core
    assert any(f'extra == "{extra}"' in r for r in reqs), (extra, reqs)
