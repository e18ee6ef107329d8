"""Audio op arguments go through ``omniaug.args``: one error shape naming the op and the argument."""

from __future__ import annotations

import pytest

from omniaug import InputError
from omniaug_audio.ops.basic import Fade, TimeShift
from omniaug_audio.ops.distortion import LoudnessNormalize
from omniaug_audio.ops.filters import LowPass
from omniaug_audio.ops.noise import BackgroundNoise
from omniaug_audio.ops.pitch import Resample
from omniaug_audio.ops.reverb import ImpulseResponse, SyntheticReverb


@pytest.mark.parametrize("op", [LowPass, Resample, SyntheticReverb, ImpulseResponse, BackgroundNoise])
def test_sample_rate_is_a_positive_integer(op) -> None:
    for bad in (0, -16000, 16000.5, "16000", True):
        with pytest.raises(InputError, match=rf"{op.__name__}: `sample_rate` must be an integer in \[1, inf\]"):
            op(sample_rate=bad)


def test_filter_stages_is_a_positive_integer() -> None:
    assert LowPass(stages=3).stages == 3
    assert LowPass(stages=2.0).stages == 2  # an integral float is the integer, as everywhere in omniaug.args
    for bad in (0, 1.5, "2", None):
        with pytest.raises(InputError, match=r"LowPass: `stages` must be an integer in \[1, inf\]"):
            LowPass(stages=bad)


@pytest.mark.parametrize(
    ("op", "name", "options"),
    [
        (Fade, "shape", ("linear", "cosine")),
        (TimeShift, "mode", ("roll", "pad")),
        (LoudnessNormalize, "measure", ("lufs", "rms")),
    ],
)
def test_named_modes_are_choices(op, name, options) -> None:
    for option in options:
        assert getattr(op(**{name: option}), name) == option
    listed = ", ".join(repr(o) for o in options)
    for bad in ("other", None, options[0].upper()):
        with pytest.raises(InputError, match=rf"{op.__name__}: `{name}` must be one of {listed}"):
            op(**{name: bad})
