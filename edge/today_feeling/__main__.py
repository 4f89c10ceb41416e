"""Allow ``python -m today_feeling``."""

from today_feeling.cli import main

raise SystemExit(main())
