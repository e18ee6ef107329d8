"""Fully offline: importing the plugin and running every op, mixer and preset opens no socket."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import socket, sys

    def refuse(*args, **kwargs):
        raise RuntimeError(f"network access attempted: {args!r}")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    import torch
    import omniaug
    import omniaug_text.plugin as plugin
    from omniaug.testing import plugin_ops

    g = torch.Generator().manual_seed(0)
    n = 0
    for cls in plugin.OPS:
        for op in cls.example_instances():
            op(cls.example_input(6, generator=g), generator=g)
            n += 1
    for cls in plugin.MIXERS:
        x = cls.example_input(6, generator=g)
        cls(num_classes=3)(x, torch.arange(6) % 3, generator=g)
        n += 1
    for preset in plugin.PRESETS:
        spec = omniaug.registry().modality(preset.modality)
        preset.build()(spec.example(batch_size=6, generator=g), generator=g)
        n += 1
    assert "nltk" not in sys.modules, "nltk was imported"
    assert not [m for m in sys.modules if m.startswith("nlpaug")], "nlpaug was imported at run time"
    print("ran", n)
    """
)


def test_no_network_at_import_or_run_time() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert int(proc.stdout.split()[-1]) >= 30


def test_the_guard_itself_catches_a_connection() -> None:
    probe = SCRIPT.split("import torch")[0] + "\nimport socket\nsocket.create_connection(('127.0.0.1', 9))\n"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "network access attempted" in proc.stderr
