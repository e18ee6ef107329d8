"""Frequency op arguments go through ``omniaug.args``: bounds and one error shape naming op and argument."""

from __future__ import annotations

import pytest

from omniaug import InputError
from omniaug_timeseries import FrequencyMask, FrequencyNoise


def test_frequency_noise_sigma_in_zero_three() -> None:
    assert FrequencyNoise(0.0).sigma == 0.0 and FrequencyNoise(3).sigma == 3.0
    for bad in (-0.1, 3.5, "0.1", None, True):
        with pytest.raises(InputError, match=r"timeseries\.\w+: `sigma` must be a finite number in \[0, 3\]"):
            FrequencyNoise(bad)


def test_frequency_mask_max_width_in_zero_one() -> None:
    assert FrequencyMask(0.0).max_width == 0.0 and FrequencyMask(1).max_width == 1.0
    for bad in (-0.1, 1.5, "0.2", None, True):
        with pytest.raises(InputError, match=r"timeseries\.\w+: `max_width` must be a finite number in \[0, 1\]"):
            FrequencyMask(bad)
