"""The program view (issue 14): `/program`, what a hospital's wellness lead sees of use and
benefit, and nothing about any person.

- `periods`: ISO weeks and months of whole weeks; a period is shown once its month has ended.
- `rollup`: each complete period's aggregates of `sessions`, computed once, kept after the raw
  check-ins expire (`prune_checkins`, run by `db prune` and the retention sweep).
- `suppress`, `figures`, `stats`: minimum group, complementary suppression, rounding, the
  outcome's confidence interval; the tables the page and the CSV both print.
- `charts`: matplotlib SVG, accessible. `auth`, `password`: the sign-in and its password.
- `views`: the routes.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from .views import Program, blueprint

    app.extensions["program"] = Program(app.extensions["settings"], app.extensions["store"])
    app.register_blueprint(blueprint)
