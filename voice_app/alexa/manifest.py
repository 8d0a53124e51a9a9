"""Point the skill package at this deployment: the endpoint (`PUBLIC_BASE_URL` + `/alexa`) and
the privacy notice and terms of use the app serves (`/privacy`, `/terms`).

    python -m voice_app.alexa.manifest                      # uses $PUBLIC_BASE_URL
    python -m voice_app.alexa.manifest --base-url https://cb.example.org [--check]

Rewrites `apis.custom.endpoint.uri` and, for every locale, `privacyAndCompliance.locales.*.
privacyPolicyUrl` and `termsOfUseUrl` in skill-package/skill.json (nothing else), so that
`ask deploy` (ASK CLI v2, reading ask-resources.json) registers the right HTTPS addresses.
`--check` changes nothing and exits 1 if the manifest points elsewhere (for CI).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_MANIFEST = Path("skill-package/skill.json")
PAGES = {"privacyPolicyUrl": "/privacy", "termsOfUseUrl": "/terms"}
"""Manifest field → the app's page for it (voice_app/web/legal.py)."""


def endpoint_uri(base_url: str) -> str:
    if not base_url.startswith("https://"):
        raise ValueError("Alexa calls an https endpoint: PUBLIC_BASE_URL must start https://")
    return base_url.rstrip("/") + "/alexa"


def wanted_urls(base_url: str) -> dict[str, str]:
    """Every URL the manifest should hold for `base_url`, by field name ('uri' for the
    endpoint)."""
    origin = endpoint_uri(base_url).removesuffix("/alexa")
    return {"uri": origin + "/alexa", **{field: origin + page for field, page in PAGES.items()}}


def found_urls(data: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(field, current value) for the endpoint and each locale's privacy and terms URLs."""
    manifest = data["manifest"]
    found: list[tuple[str, str | None]] = [("uri", manifest["apis"]["custom"]["endpoint"]
                                            .get("uri"))]
    locales = manifest.get("privacyAndCompliance", {}).get("locales", {})
    for locale in locales.values():
        found += [(field, locale.get(field)) for field in PAGES]
    return found


def set_urls(manifest: Path, base_url: str) -> bool:
    """Write the endpoint and the page URLs for `base_url`; True if anything changed."""
    wanted = wanted_urls(base_url)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    if all(value == wanted[field] for field, value in found_urls(data)):
        return False
    data["manifest"]["apis"]["custom"]["endpoint"]["uri"] = wanted["uri"]
    for locale in data["manifest"].get("privacyAndCompliance", {}).get("locales", {}).values():
        locale.update({field: wanted[field] for field in PAGES})
    manifest.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voice_app.alexa.manifest",
                                     description="Set the skill's endpoint and page URLs from "
                                                 "PUBLIC_BASE_URL.")
    parser.add_argument("--base-url", default=os.environ.get("PUBLIC_BASE_URL", ""))
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--check", action="store_true", help="only report a mismatch")
    args = parser.parse_args(argv)
    try:
        wanted = wanted_urls(args.base_url)
        current = json.loads(args.manifest.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.check:
        wrong = [(field, value) for field, value in found_urls(current)
                 if value != wanted[field]]
        for field, value in found_urls(current):
            expected = "" if value == wanted[field] else f" (expected {wanted[field]})"
            print(f"{field} {value}{expected}")
        return 1 if wrong else 0
    changed = set_urls(args.manifest, args.base_url)
    print(f"endpoint {wanted['uri']}" + (" (updated)" if changed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
