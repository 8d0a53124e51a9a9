"""`python -m voice_app db ...`: see `voice_app.db_command`."""

from __future__ import annotations

import sys

from .db_command import main

sys.exit(main())
