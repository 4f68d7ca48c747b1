"""`python -m fourgood.cli`, as `fourgood`."""

from . import main

raise SystemExit(main())
