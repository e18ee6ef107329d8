"""``python -m omniaug`` runs the CLI."""

from .cli import main

raise SystemExit(main())
