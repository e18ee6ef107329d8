"""torch-audiomentations → omniaug: the mapping table and :func:`from_torch_audiomentations`.

Only ``mode="per_example"`` transforms are mapped (omniaug draws per example;
``per_batch`` / ``per_channel`` draws are wrapped). Arguments are read back from
same-named attributes.
"""

from __future__ import annotations

from typing import Any

from ._convert import Conversion, PeerConverter, check_kind
from ._peers import require
from ._table import Arg, Mapping, refuse
from ._wrap import WrappedTorchAudiomentations, signature_args

__all__ = ["MAPPINGS", "WRAPPED", "CONVERTER", "convert", "from_torch_audiomentations"]


def _rng(lo: str, hi: str) -> Arg:
    return Arg(
        (lo, hi, "mode"),
        lambda a, b, m: (float(a), float(b)) if m == "per_example" else refuse(f"mode={m!r}"),
        f"(`{lo}`, `{hi}`); mode per_example",
    )


def _per_example(mode: Any) -> bool:
    """True for ``mode='per_example'`` (raises :class:`Unmappable` otherwise), so a rule lambda can chain it."""
    if mode != "per_example":
        refuse(f"mode={mode!r} (omniaug draws per example)")
    return True


_MODE = Arg(("mode",), _per_example, "mode per_example")
_SR = Arg(("__sample_rate__",), int, "the converter's `sample_rate`")

MAPPINGS: dict[str, Mapping] = {
    m.transform: m
    for m in [
        Mapping(
            "Gain",
            "audio.gain",
            {"gain_db": _rng("min_gain_in_db", "max_gain_in_db")},
            check="replayed (`gain_factors` → dB): max |Δ| ≤ 1e-6.",
        ),
        Mapping("PolarityInversion", "audio.polarity_inversion", {"_": _MODE}, check="equal."),
        Mapping("TimeInversion", "audio.reverse", {"_": _MODE}, check="equal."),
        Mapping(
            "PeakNormalization",
            "audio.peak_normalize",
            {
                "target_db": Arg(
                    ("apply_to", "mode"),
                    lambda a, m: (_per_example(m), (0.0, 0.0) if a == "all" else refuse(f"apply_to={a!r}"))[1],
                    "0 dBFS (apply_to='all')",
                )
            },
            check="max |Δ| ≤ 1e-6.",
        ),
        Mapping(
            "Shift",
            "audio.time_shift",
            {
                "shift": Arg(
                    ("min_shift", "max_shift", "shift_unit", "mode"),
                    lambda a, b, u, m: (
                        _per_example(m),
                        (float(a), float(b)) if u == "fraction" else refuse(f"shift_unit={u!r}"),
                    )[1],
                    "(`min_shift`, `max_shift`) fractions",
                ),
                "mode": Arg(("rollover",), lambda r: "roll" if r else "pad", "`rollover` → roll / pad"),
            },
            check="equal for the same shift (documented; the shift is rounded to samples the same way).",
        ),
        Mapping(
            "AddColoredNoise",
            "audio.colored_noise",
            {
                "snr_db": _rng("min_snr_in_db", "max_snr_in_db"),
                "color": Arg(("min_f_decay", "max_f_decay"), lambda a, b: (float(a), float(b)), "β = f_decay"),
            },
            fidelity="approximate",
            note="same 1/f^β law and SNR in dB; the noise samples are omniaug's draw.",
            check="realized SNR within 0.1 dB of the replayed one (documented).",
        ),
        Mapping(
            "LowPassFilter",
            "audio.low_pass",
            {"freq_hz": _rng("min_cutoff_freq", "max_cutoff_freq"), "sample_rate": _SR},
            fidelity="approximate",
            note="zero-phase biquad with a log-uniform cutoff; torch-audiomentations draws the cutoff on the mel scale.",
            check="not replayed sample for sample (documented).",
        ),
        Mapping(
            "HighPassFilter",
            "audio.high_pass",
            {"freq_hz": _rng("min_cutoff_freq", "max_cutoff_freq"), "sample_rate": _SR},
            fidelity="approximate",
            note="as LowPassFilter.",
            check="not replayed sample for sample (documented).",
        ),
        Mapping(
            "PitchShift",
            "audio.pitch_shift",
            {"semitones": _rng("min_transpose_semitones", "max_transpose_semitones")},
            fidelity="approximate",
            note="continuous shifts with omniaug's phase vocoder; torch-audiomentations restricts shifts to fast ratios.",
            check="not replayed: different algorithms (documented).",
        ),
    ]
}

WRAPPED: dict[str, str] = {
    "BandPassFilter": "bandwidth as a fraction of the centre frequency",
    "BandStopFilter": "bandwidth as a fraction of the centre frequency",
    "AddBackgroundNoise": "reads its own files (omniaug: audio.background_noise)",
    "ApplyImpulseResponse": "reads its own files (omniaug: audio.impulse_response)",
    "Identity": "no change",
}


def _compose(t: Any, children: Any) -> Any:
    from ..containers import Compose
    from ._convert import random_apply

    return random_apply(Compose(children(t.transforms)), float(getattr(t, "p", 1.0)))


def _one_of(t: Any, children: Any) -> Any:
    from ..containers import OneOf
    from ._convert import random_apply

    return random_apply(OneOf(children(t.transforms)), float(getattr(t, "p", 1.0)))


CONVERTER = PeerConverter(
    peer="torch_audiomentations",
    mappings=MAPPINGS,
    wrapper=WrappedTorchAudiomentations,
    values=signature_args,
    probability=lambda t: float(getattr(t, "p", 1.0)),
    containers={"Compose": _compose, "OneOf": _one_of},
    wrapped_only=WRAPPED,
)


def convert(source: Any, sample_rate: int = 16000) -> Conversion:
    """Convert a torch-audiomentations pipeline and report what was done."""
    require("torch_audiomentations")
    check_kind(source, "torch_audiomentations", "torch_audiomentations")
    return CONVERTER.convert(source, sample_rate=sample_rate)


def from_torch_audiomentations(source: Any, sample_rate: int = 16000) -> Any:
    """An omniaug pipeline equivalent to a torch-audiomentations pipeline."""
    return convert(source, sample_rate).pipeline
