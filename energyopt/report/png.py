"""PNG files of the report's charts (``--png DIR``), drawn by plotly's own image export (kaleido), which
drives a headless Chrome or Chromium found on the PATH (Debian's ``chromium`` works; ``BROWSER_PATH`` names
another). Kaleido renders with the same plotly.js as the page, so a PNG looks like the chart in the report.
All images are rendered to memory first: if any fails, nothing is written."""
from __future__ import annotations

import os
import shutil
import warnings

from ..errors import PngError
from .build import Chart

#: Exit code when --png cannot render (kaleido or a Chrome/Chromium missing, or the browser failed).
EXIT_PNG = PngError.exit_code
WIDTH = 1400


def browser_path() -> str | None:
    """The browser kaleido will use: ``BROWSER_PATH``, or the first Chrome/Chromium on the PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render_pngs(charts: list[Chart], width: int = WIDTH, scale: float = 1.0) -> dict[str, bytes]:
    """``{chart key: PNG bytes}``; raises :class:`PngError` with what to install when it cannot."""
    try:
        import kaleido
        import plotly.io as pio
    except ImportError as exc:
        raise PngError("--png needs the kaleido package (pip install 'energyopt[png]') and Chrome or Chromium; "
                       f"nothing was written ({exc})") from exc
    exe = browser_path()
    if exe is None:
        raise PngError("--png needs Chrome or Chromium, and none was found (install Debian's chromium with "
                       "`apt-get install chromium`, or set BROWSER_PATH to a Chrome); nothing was written")
    old = os.environ.get("BROWSER_PATH")
    os.environ["BROWSER_PATH"] = exe
    out: dict[str, bytes] = {}
    try:
        kaleido.start_sync_server(silence_warnings=True)
        try:
            for c in charts:
                height = int(c.figure.layout.height or 450)
                with warnings.catch_warnings():   # plotly warns that kaleido's options go unused with a server
                    warnings.simplefilter("ignore", UserWarning)
                    out[c.key] = pio.to_image(c.figure, format="png", width=width, height=height, scale=scale)
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
    except Exception as exc:  # noqa: BLE001 - kaleido and choreographer raise many kinds; all mean "no PNG"
        raise PngError(f"--png: the browser ({exe}) could not render the charts: {type(exc).__name__}: {exc}; "
                       "nothing was written") from exc
    finally:
        if old is None:
            os.environ.pop("BROWSER_PATH", None)
        else:
            os.environ["BROWSER_PATH"] = old
    bad = [k for k, b in out.items() if not b.startswith(b"\x89PNG")]
    if bad:
        raise PngError(f"--png: the browser returned no PNG for {', '.join(bad)}; nothing was written")
    return out
