"""``omniaug new-plugin``: render the plugin template into a new package folder."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from string import Template

from .errors import OmniaugError

__all__ = ["render_plugin", "template_names"]


def template_names(name: str, modality: str | None = None) -> dict[str, str]:
    """The names a plugin called ``name`` gets: distribution, import, entry point, modality."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        raise OmniaugError(f"plugin name {name!r} must start with a letter (e.g. 'tabular', 'point-cloud')")
    from . import __version__

    major_minor = ".".join(__version__.split(".")[:2])
    return {
        "plugin_name": slug,
        "dist_name": f"omniaug-{slug}",
        "import_name": f"omniaug_{slug.replace('-', '_')}",
        "modality": modality or slug.replace("-", "_"),
        "omniaug_version": major_minor,
    }


def render_plugin(name: str, parent: Path, *, modality: str | None = None) -> Path:
    """Write a new plugin package ``omniaug-<name>`` under ``parent``; refuse to overwrite."""
    names = template_names(name, modality)
    root = parent / names["dist_name"]
    if root.exists():
        raise OmniaugError(f"{str(root)!r} already exists; choose another name or folder")
    base = resources.files("omniaug") / "templates" / "plugin"

    def walk(node: object, rel: Path) -> None:
        for child in node.iterdir():  # type: ignore[attr-defined]
            target_rel = rel / child.name
            if child.is_dir():
                if child.name == "__pycache__":
                    continue
                walk(child, rel / (names["import_name"] if child.name == "pkg" else child.name))
                continue
            if not child.name.endswith(".tmpl"):
                continue
            target = root / target_rel.with_name(child.name[: -len(".tmpl")])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(Template(child.read_text(encoding="utf-8")).substitute(names), encoding="utf-8")

    walk(base, Path())
    return root
