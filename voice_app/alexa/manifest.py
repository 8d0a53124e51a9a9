"""Point the skill package's endpoint at this deployment: `PUBLIC_BASE_URL` + `/alexa`.

    python -m voice_app.alexa.manifest                      # uses $PUBLIC_BASE_URL
    python -m voice_app.alexa.manifest --base-url https://cb.example.org [--check]

Rewrites `apis.custom.endpoint.uri` in skill-package/skill.json (nothing else), so that
`ask deploy` (ASK CLI v2, reading ask-resources.json) registers the right HTTPS endpoint.
`--check` changes nothing and exits 1 if the manifest points elsewhere (for CI).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_MANIFEST = Path("skill-package/skill.json")


def endpoint_uri(base_url: str) -> str:
    if not base_url.startswith("https://"):
        raise ValueError("Alexa calls an https endpoint: PUBLIC_BASE_URL must start https://")
    return base_url.rstrip("/") + "/alexa"


def set_endpoint(manifest: Path, uri: str) -> bool:
    """Write `uri` into the manifest; True if it changed."""
    data = json.loads(manifest.read_text(encoding="utf-8"))
    endpoint = data["manifest"]["apis"]["custom"]["endpoint"]
    if endpoint.get("uri") == uri:
        return False
    endpoint["uri"] = uri
    manifest.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voice_app.alexa.manifest",
                                     description="Set the skill's endpoint from PUBLIC_BASE_URL.")
    parser.add_argument("--base-url", default=os.environ.get("PUBLIC_BASE_URL", ""))
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--check", action="store_true", help="only report a mismatch")
    args = parser.parse_args(argv)
    try:
        uri = endpoint_uri(args.base_url)
        current = json.loads(args.manifest.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.check:
        found = current["manifest"]["apis"]["custom"]["endpoint"].get("uri")
        print(f"endpoint {found}" + ("" if found == uri else f" (expected {uri})"))
        return 0 if found == uri else 1
    print(f"endpoint {uri}" + (" (updated)" if set_endpoint(args.manifest, uri) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
