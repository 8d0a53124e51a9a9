"""`python -m voice_app db ...`: see `voice_app.db_command`; `python -m voice_app
program-password`: see `voice_app.program.password`."""

from __future__ import annotations

import sys

if sys.argv[1:2] == ["program-password"]:
    from .program.password import main as program_password

    sys.exit(program_password(sys.argv[2:]))

from .db_command import main  # noqa: E402

sys.exit(main())
