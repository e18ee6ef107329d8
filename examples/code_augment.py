"""omniaug-code example: augment Python and C-family sources, read the per-sample status, write a preview.

Run: ``.venv/bin/python examples/code_augment.py [output-dir]``

1. a batch of Python functions through the ``code.default`` preset;
2. a folder of mixed-language files augmented into 3 variants each (what
   ``omniaug apply`` does), with one status line per file;
3. a side-by-side HTML diff preview.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import omniaug
from omniaug_code import CODE, CodeBatch, RenameVariables, SwapBlocks
from omniaug_code.samples import OTHER_SAMPLES, PYTHON_SAMPLES


def main(out_dir: Path) -> None:
    g = omniaug.rng.make_generator(0)

    # 1. a batch of Python programs through the default preset
    pipeline = omniaug.registry().preset("code.default").build()
    batch = CodeBatch(list(PYTHON_SAMPLES), "python")
    out = pipeline(batch, generator=g)
    print("== code.default on", len(batch), "Python programs")
    for i, line in enumerate(out.report()):
        print(f"  sample {i}: {line}")
    print("\n--- before ---\n" + batch.sources[1] + "--- after ---\n" + out.sources[1])

    # 2. a folder of files in several languages → 3 variants each, with a status per file
    src_dir = out_dir / "src"
    src_dir.mkdir(parents=True, exist_ok=True)
    files = [src_dir / "stats.py"]
    files[0].write_text(PYTHON_SAMPLES[2])
    for lang, ext in (("java", "java"), ("javascript", "js"), ("c", "c"), ("cpp", "cpp"), ("go", "go")):
        path = src_dir / f"sample.{ext}"
        path.write_text(OTHER_SAMPLES[lang])
        files.append(path)
    files_batch = CODE.load(files)  # type: ignore[misc]
    op = omniaug.Compose([RenameVariables(max_sites=2), SwapBlocks()])
    print("== folder augmentation (3 variants per file)")
    for variant in range(3):
        aug = op(files_batch, generator=g)
        targets = [out_dir / "augmented" / f"{p.stem}.v{variant}{p.suffix}" for p in files]
        CODE.save(aug, targets)  # type: ignore[misc]
        for path, line in zip(targets, aug.report()):
            print(f"  {path.name:18s} {line}")

    # 3. preview
    views = [RenameVariables()(files_batch, generator=g) for _ in range(2)]
    page = CODE.render(files_batch, views, out_dir / "preview.html")  # type: ignore[misc]
    print("\npreview written to", page)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="omniaug_code_")))
