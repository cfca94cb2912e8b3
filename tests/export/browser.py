"""A real headless Chromium for the tests of the outputs: a page's DOM once its scripts
have run, and a screenshot of it, with no network.

Use it from a test module::

    sys.path.insert(0, str(Path(__file__).parent))
    from browser import chromium, dump_dom, screenshot, distinct_colours

    def test_page(tmp_path, chromium):  # the fixture: the browser's path
        dom = dump_dom(chromium, page)
        png = screenshot(chromium, page, tmp_path / "page.png")

The ``chromium`` fixture finds the browser (``$ROUTEOPT_CHROMIUM``, else
``chromium``, ``chromium-browser`` or ``google-chrome`` on the PATH;
``.ci/setup/chromium.sh`` installs Debian's). Without one the test is skipped
on a developer machine and fails where ``ROUTEOPT_REQUIRE_SERVERS`` is set, as
in CI.

Every host name resolves to nothing (``--host-resolver-rules``), so a page is
rendered as it would be with no network even on a machine that has one: what
it fetches from the internet is missing, as on a rep's laptop in a basement.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

#: Flags that keep a headless Chromium quiet and offline on a closed network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", "--mute-audio",
         "--host-resolver-rules=MAP * ~NOTFOUND")


def find_chromium() -> str | None:
    """The browser's path, or None."""
    env = os.environ.get("ROUTEOPT_CHROMIUM", "").strip()
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of a headless-capable Chromium; skipped without one, failed in CI."""
    path = find_chromium()
    if path is None:
        hint = ("no Chromium: install it (`bash .ci/setup/chromium.sh`, or "
                "`apt-get install chromium`) or set ROUTEOPT_CHROMIUM")
        if os.environ.get("ROUTEOPT_REQUIRE_SERVERS"):
            pytest.fail(hint)
        pytest.skip(hint)
    return path


def _run(browser: str, page: Path, *args: str,
         timeout: float = 90) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="routeopt-chromium-") as profile:
        cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def dump_dom(browser: str, page: Path, *, budget_ms: int = 5000) -> str:
    """The page's DOM (serialised HTML) after ``budget_ms`` of virtual time."""
    done = _run(browser, page, f"--virtual-time-budget={budget_ms}", "--dump-dom")
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def screenshot(browser: str, page: Path, png: Path, *, size: tuple[int, int] = (1280, 860),
               budget_ms: int = 5000) -> Path:
    """Save a screenshot of ``page`` as ``png`` (``size`` in CSS pixels); return ``png``."""
    done = _run(browser, page, f"--virtual-time-budget={budget_ms}",
                f"--window-size={size[0]},{size[1]}", f"--screenshot={png}")
    assert done.returncode == 0 and png.is_file(), done.stderr[-2000:]
    return png


def distinct_colours(png: Path) -> int:
    """How many colours the image holds: 1 for a blank page, hundreds for a drawn one."""
    from PIL import Image

    with Image.open(png) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
    return len(colours) if colours is not None else 1 << 20
