"""audiomentations → omniaug: the mapping table and :func:`from_audiomentations`.

Arguments are read from ``transform.to_dict_private()`` — audiomentations'
serialized form — so a pipeline converts the same from a live ``Compose`` or from
that dict saved as JSON/YAML (``{"__class_fullname__": "Compose", "transforms":
[...]}``). A converted pipeline takes ``(B, C, T)`` float waveforms (or an
``omniaug_audio.AudioBatch``) at ``sample_rate``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError
from ._convert import Conversion, PeerConverter, check_kind, random_apply
from ._peers import require
from ._table import Arg, Fidelity, Mapping, refuse
from ._wrap import WrappedAudiomentations

__all__ = ["MAPPINGS", "WRAPPED", "CONVERTER", "convert", "from_audiomentations", "load"]


def _rng(lo: str, hi: str, doc: str = "") -> Arg:
    return Arg((lo, hi), lambda a, b: (float(a), float(b)), doc or f"(`{lo}`, `{hi}`)")


def _fade_fidelity(v: dict[str, Any]) -> tuple[Fidelity, str]:
    if float(v.get("fade_duration", 0.0)) > 0:
        return "approximate", f"no {v['fade_duration']} s fades at the edges (omniaug cuts sharply)"
    return "exact", ""


#: the converter's sample rate (filters need it for plain-tensor batches)
_SR = Arg(("__sample_rate__",), int, "the converter's `sample_rate`")


def _beta(min_decay: Any, max_decay: Any) -> tuple[float, float]:
    # f_decay in dB per octave of the power spectrum: 1/f^β loses 10·log10(2)·β ≈ 3.01·β dB per octave
    lo, hi = -float(max_decay) / 3.0103, -float(min_decay) / 3.0103
    if lo < -2.0 or hi > 4.0:
        refuse(f"f_decay range ({min_decay}, {max_decay}) beyond omniaug's β in [-2, 4]")
    return (lo, hi)


def _stages(lo: Any, hi: Any) -> int:
    if int(lo) != int(hi) or int(lo) % 12:
        refuse(f"rolloff ({lo}, {hi}) dB/octave (omniaug cascades 12 dB/octave biquads: a fixed multiple of 12)")
    return int(lo) // 12


def _filter_note(v: dict[str, Any]) -> tuple[Fidelity, str]:
    return (
        "approximate",
        "zero-phase biquad cascade with a log-uniform cutoff; audiomentations draws the cutoff uniformly on the mel scale and filters causally unless zero_phase",
    )


MAPPINGS: dict[str, Mapping] = {
    m.transform: m
    for m in [
        Mapping(
            "Gain",
            "audio.gain",
            {"gain_db": _rng("min_gain_db", "max_gain_db")},
            check="replayed (`amplitude_ratio` → dB): max |Δ| ≤ 1e-6.",
        ),
        Mapping("PolarityInversion", "audio.polarity_inversion", {}, check="equal."),
        Mapping("Reverse", "audio.reverse", {}, check="equal."),
        Mapping(
            "Normalize",
            "audio.peak_normalize",
            {
                "target_db": Arg(
                    ("apply_to",),
                    lambda a: (0.0, 0.0) if a == "all" else refuse(f"apply_to={a!r}"),
                    "0 dBFS (apply_to='all')",
                )
            },
            check="max |Δ| ≤ 1e-6.",
        ),
        Mapping(
            "AddGaussianSNR",
            "audio.colored_noise",
            {"snr_db": _rng("min_snr_db", "max_snr_db"), "color": Arg((), lambda: "white", "'white'")},
            note="white Gaussian noise at an SNR uniform in dB, as in audiomentations; the noise itself is omniaug's draw.",
            check="replayed (`noise_std` → SNR): the realized SNR equals audiomentations' within 0.1 dB (the noise samples differ).",
        ),
        Mapping(
            "AddColorNoise",
            "audio.colored_noise",
            {
                "snr_db": _rng("min_snr_db", "max_snr_db"),
                "color": Arg(
                    ("min_f_decay", "max_f_decay", "p_apply_a_weighting"),
                    lambda a, b, w: _beta(a, b) if not w else refuse("A-weighting"),
                    "β = −f_decay / 3.01",
                ),
            },
            fidelity="approximate",
            note="spectral slope from f_decay (dB/octave) to β; the spectrum is shaped on the full rfft grid instead of n_fft bands.",
            check="replayed (SNR): realized SNR within 0.1 dB.",
        ),
        Mapping(
            "Shift",
            "audio.time_shift",
            {
                "shift": Arg(
                    ("min_shift", "max_shift", "shift_unit"),
                    lambda a, b, u: (float(a), float(b)) if u == "fraction" else refuse(f"shift_unit={u!r}"),
                    "(`min_shift`, `max_shift`) fractions",
                ),
                "mode": Arg(("rollover",), lambda r: "roll" if r else "pad", "`rollover` → roll / pad"),
            },
            fidelity=_fade_fidelity,
            check="replayed (`shift_amount`) with fade_duration=0: equal.",
        ),
        Mapping(
            "TimeMask",
            "audio.time_mask",
            {
                "width": _rng("min_band_part", "max_band_part"),
                "_": Arg(
                    ("mask_location",),
                    lambda m: None if m == "random" else refuse(f"mask_location={m!r}"),
                    "mask_location='random'",
                ),
            },
            fidelity=_fade_fidelity,
            check="replayed (`t`, `t0`) with fade_duration=0: equal.",
        ),
        Mapping(
            "LowPassFilter",
            "audio.low_pass",
            {
                "freq_hz": _rng("min_cutoff_freq", "max_cutoff_freq"),
                "stages": Arg(("min_rolloff", "max_rolloff"), _stages, "`rolloff` / 12"),
                "sample_rate": _SR,
            },
            fidelity=_filter_note,
            check="not replayed sample for sample (causal Butterworth vs zero-phase biquads): the test checks −3 dB·stages at the replayed cutoff.",
        ),
        Mapping(
            "HighPassFilter",
            "audio.high_pass",
            {
                "freq_hz": _rng("min_cutoff_freq", "max_cutoff_freq"),
                "stages": Arg(("min_rolloff", "max_rolloff"), _stages, "`rolloff` / 12"),
                "sample_rate": _SR,
            },
            fidelity=_filter_note,
            check="as LowPassFilter.",
        ),
        Mapping(
            "PeakingFilter",
            "audio.peaking_eq",
            {
                "freq_hz": _rng("min_center_freq", "max_center_freq"),
                "gain_db": _rng("min_gain_db", "max_gain_db"),
                "q": _rng("min_q", "max_q"),
                "sample_rate": _SR,
            },
            fidelity="approximate",
            note="same RBJ peaking biquad, applied zero-phase; centre frequency and Q drawn log-uniformly.",
            check="not replayed sample for sample (zero-phase vs causal): documented.",
        ),
        Mapping(
            "PitchShift",
            "audio.pitch_shift",
            {"semitones": _rng("min_semitones", "max_semitones")},
            fidelity="approximate",
            note="omniaug's batched phase vocoder instead of signalsmith-stretch / librosa.",
            check="not replayed: different algorithms; the test checks the replayed shift moves the fundamental by the same ratio.",
        ),
        Mapping(
            "TimeStretch",
            "audio.time_stretch",
            {"factor": _rng("min_rate", "max_rate")},
            fidelity="approximate",
            note="omniaug keeps the buffer and updates lengths; audiomentations pads or crops back (leave_length_unchanged) or returns a new length.",
            check="not replayed: different algorithms (documented).",
        ),
        Mapping(
            "LoudnessNormalization",
            "audio.loudness_normalize",
            {"target_db": _rng("min_lufs", "max_lufs")},
            check="not replayed here: audiomentations needs the optional `loudness` package; omniaug's BS.1770 meter is tested in the audio plugin.",
        ),
    ]
}

WRAPPED: dict[str, str] = {
    "AddGaussianNoise": "absolute noise amplitude (omniaug's noise ops work at an SNR)",
    "ClippingDistortion": "percentile threshold (omniaug clips at a fraction of the peak)",
    "TanhDistortion": "a different drive law",
    "BitCrush": "quantizes with 2^bits / 2 + 1 steps (omniaug: 2^(bits-1))",
    "GainTransition": "durations in seconds and a fade that may start before the clip",
    "BandPassFilter": "bandwidth as a fraction of the centre frequency (omniaug: Q)",
    "BandStopFilter": "bandwidth as a fraction of the centre frequency (omniaug: Q)",
    "Resample": "changes the sample rate",
    "Aliasing": "no native equivalent",
    "AddBackgroundNoise": "reads its own files (omniaug: audio.background_noise with paths)",
    "ApplyImpulseResponse": "reads its own files (omniaug: audio.impulse_response with paths)",
    "Mp3Compression": "no native equivalent",
    "RoomSimulator": "no native equivalent",
    "AirAbsorption": "no native equivalent",
    "SevenBandParametricEQ": "no native equivalent",
    "Limiter": "no native equivalent",
}


def _values(t: Any) -> dict[str, Any]:
    d = dict(t.to_dict_private())
    d.pop("__class_fullname__", None)
    return d


def _compose(t: Any, children: Any) -> Any:
    from ..containers import Compose

    return random_apply(Compose(children(t.transforms)), float(t.p))


def _one_of(t: Any, children: Any) -> Any:
    from ..containers import OneOf

    weights = list(t.weights) if getattr(t, "weights", None) is not None else None
    items = [_force_p1(c) for c in children(t.transforms)]  # audiomentations applies the chosen one
    return random_apply(OneOf(items, weights=weights), float(t.p))


def _force_p1(t: Any) -> Any:
    from ..augmentation import Augmentation

    return type(t)(**{**t.init_args, "p": 1.0}) if isinstance(t, Augmentation) and t.p < 1.0 else t


def _some_of(t: Any, children: Any) -> Any:
    from ..containers import SomeOf

    n = t.num_transforms
    if not isinstance(n, int):
        raise ConfigError(f"SomeOf with a random count {n!r} is not converted (omniaug's SomeOf picks a fixed n)")
    items = [_force_p1(c) for c in children(t.transforms)]
    return random_apply(SomeOf(items, n=n), float(t.p))


CONVERTER = PeerConverter(
    peer="audiomentations",
    mappings=MAPPINGS,
    wrapper=WrappedAudiomentations,
    values=_values,
    probability=lambda t: float(getattr(t, "p", 1.0)),
    containers={"Compose": _compose, "OneOf": _one_of, "SomeOf": _some_of},
    wrapped_only=WRAPPED,
)


def load(source: dict[str, Any] | str | Path) -> Any:
    """An audiomentations pipeline from its ``to_dict_private()`` dict (or a JSON/YAML file of it)."""
    am = require("audiomentations")
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise ConfigError(f"audiomentations pipeline file {str(path)!r} does not exist")
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".yaml", ".yml"):
            import yaml

            source = yaml.safe_load(text)
        else:
            source = json.loads(text)
    if not isinstance(source, dict) or "__class_fullname__" not in source:
        raise InputError(
            "pipeline", "an audiomentations dict with '__class_fullname__'", source, where="from_audiomentations"
        )
    node = dict(source)
    name = node.pop("__class_fullname__")
    cls = getattr(am, str(name), None)
    if not isinstance(cls, type):
        raise ConfigError(f"{name!r} is not an audiomentations transform")
    if "transforms" in node:
        node["transforms"] = [load(c) for c in node["transforms"]]
    return cls(**node)


def convert(source: Any, sample_rate: int = 16000) -> Conversion:
    """Convert an audiomentations pipeline (object, dict or file) and report what was done."""
    require("audiomentations")
    if isinstance(source, (dict, str, Path)):
        source = load(source)
    check_kind(source, "audiomentations", "audiomentations")
    return CONVERTER.convert(source, sample_rate=sample_rate)


def from_audiomentations(source: Any, sample_rate: int = 16000) -> Any:
    """An omniaug pipeline equivalent to an audiomentations pipeline."""
    return convert(source, sample_rate).pipeline
