"""``python -m twin`` is the same program as the ``halltwin`` command."""

from twin.cli import main

raise SystemExit(main())
