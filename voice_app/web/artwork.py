"""The cover and icons: PNG files in `static/`, a warm centre with calm rings on deep teal.

They were drawn once (anti-aliased circles with numpy) and are committed as images: a picture
is content, and serving a file needs no PNG encoder in the service. Every size is inside the
central 80 %, so the icons work as maskable icons too.
"""

from __future__ import annotations

import functools
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
COVER_PX = 1400
"""Apple Podcasts asks for a square between 1400 and 3000 pixels."""
ICON_SIZES = (180, 192, 512)
"""Apple touch icon, and the two sizes a web app manifest needs."""
FAVICON_PX = 32


@functools.lru_cache(maxsize=8)
def image_png(size: int) -> bytes:
    """The PNG at one size: the cover, an icon or the favicon."""
    name = "cover.png" if size == COVER_PX else f"icon-{size}.png"
    if size not in (COVER_PX, FAVICON_PX, *ICON_SIZES):
        raise ValueError(f"no artwork at {size} px")
    return (STATIC / name).read_bytes()
