"""Publishing the panel all at once: version folders and one pointer switched atomically.

Writing each table atomically is not enough: a run killed half-way through its writes
left new ``responses`` beside an old ``quality_log``. So an ingest writes every file of
the panel into a staging folder, renames it to ``versions/<id>/`` (``id`` is a hash of
the content, so the same inputs give the same folder) and then switches one symbolic
link, ``current``, with :func:`os.replace`. A reader sees the old set or the new one,
never a mix::

    processed/
        current -> versions/3f2a9c41d0b7e85a      (switched atomically, last)
        versions/3f2a9c41d0b7e85a/responses.parquet ...
        responses.parquet -> current/responses.parquet   (fixed, for simple readers)
    restricted/
        current -> ../processed/current/.restricted   (fixed: follows the panel's switch)
        versions/9c0d41b2e7f35a18/contacts.parquet    (linked from the panel's version)

A reader that opens several tables (a report, :func:`tlresearch.load_panel`) resolves
``current`` once and reads that folder, holding a shared ``flock`` on it for as long as
it reads: see :func:`hold_version` and :func:`tlresearch.api.pin_panel`. Leftovers of a killed run
(staging folders, ``.tmp`` files) are removed by the next publish; old versions are
pruned beyond :data:`KEEP_VERSIONS`, except one a reader still holds.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from tlresearch.core.errors import LockBusyError, UsageError
from tlresearch.core.paths import PANEL_VERSION_ENV

#: Versions kept besides the current one (a report pinned to one keeps it longer).
KEEP_VERSIONS = 3

CURRENT = "current"
VERSIONS = "versions"
_STAGING = ".staging-"
#: In a processed version: the link to the restricted version published with it.
RESTRICTED_LINK = ".restricted"



def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace_symlink(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` atomically (a new link renamed over the old one)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def current_version(folder: Path) -> str | None:
    """The version ``folder/current`` points at, or None before the first publish."""
    try:
        target = os.readlink(folder / CURRENT)
    except (FileNotFoundError, OSError):
        return None
    if Path(target).name == RESTRICTED_LINK:  # restricted/current, through the panel's
        resolved = Path(os.path.realpath(folder / CURRENT))
        return resolved.name if resolved.is_dir() else None
    return Path(target).name


def clean_leftovers(folder: Path, names: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Remove what a killed publish left behind: staging folders and ``.tmp`` files.

    Only the temporary files of the panel's own names (``names``, plus the ``current``
    link) are removed: another command (``register``) may be writing its own file in the
    same folder. Call it only while holding the ingest lock.
    """
    removed: list[Path] = []
    prefixes = tuple(f".{name}." for name in (*names, CURRENT))
    for parent in (folder, folder / VERSIONS):
        if not parent.is_dir():
            continue
        for path in parent.iterdir():
            if path.name.startswith(_STAGING) and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
            elif path.name.startswith(prefixes) and path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def publish(folder: Path, files: dict[str, bytes], keep: int = KEEP_VERSIONS) -> str:
    """Publish ``files`` (name -> bytes) as one version of ``folder`` and make it current.

    Parameters
    ----------
    folder
        ``data/processed`` or ``data/restricted``.
    files
        Every file of the version; a name such as ``responses.parquet`` also gets a fixed
        link ``folder/responses.parquet -> current/responses.parquet``.

    Returns
    -------
    str
        The version id: the first 16 hex digits of a hash of names and bytes.
    """
    version = _write_version(folder, files)
    _fixed_links(folder, files)
    _replace_symlink(folder / CURRENT, f"{VERSIONS}/{version}")
    _fsync_dir(folder)
    prune(folder, keep)
    return version


def publish_with_restricted(processed: Path, files: dict[str, bytes], restricted: Path,
                            restricted_files: dict[str, bytes],
                            keep: int = KEEP_VERSIONS) -> str:
    """Publish the panel and its restricted tables as one version, with one switch.

    Two pointers switched one after the other left, after a kill between them, the panel
    of one run beside the contacts of another. Here the restricted tables are written as
    a version of ``restricted`` that is *not* made current; the processed version holds a
    link to it (:data:`RESTRICTED_LINK`), and ``restricted/current`` points, once and for
    all, through ``processed/current``. Switching ``processed/current`` therefore
    switches both; a kill anywhere before it leaves both as they were.

    Returns
    -------
    str
        The processed version id (its hash covers the restricted version it links to).
    """
    restricted_version = _write_version(restricted, restricted_files)
    target = os.path.relpath(restricted / VERSIONS / restricted_version,
                             processed / VERSIONS / "version")
    version = _write_version(processed, files, {RESTRICTED_LINK: target})
    _fixed_links(processed, files)
    _fixed_links(restricted, restricted_files)
    through = os.path.relpath(processed / CURRENT / RESTRICTED_LINK, restricted)
    old_current = processed / CURRENT
    chained_before = not old_current.exists() or (old_current / RESTRICTED_LINK).exists()
    if chained_before:  # no panel yet, or one published this way: chain now, switch once
        _chain(restricted, through)
    _replace_symlink(processed / CURRENT, f"{VERSIONS}/{version}")
    _fsync_dir(processed)
    if not chained_before:  # a panel published before this scheme: chain after its switch
        _chain(restricted, through)
    prune(processed, keep)
    linked = {Path(os.path.realpath(path / RESTRICTED_LINK)).name
              for path in (processed / VERSIONS).iterdir() if path.is_dir()}
    prune(restricted, keep, protect=linked)
    return version


def _chain(restricted: Path, through: str) -> None:
    link = restricted / CURRENT
    if not (link.is_symlink() and os.readlink(link) == through):
        _replace_symlink(link, through)
        _fsync_dir(restricted)


def _write_version(folder: Path, files: dict[str, bytes],
                   links: dict[str, str] | None = None) -> str:
    """Write ``files`` (and symbolic ``links``) as ``folder/versions/<id>``; return the id."""
    links = links or {}
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    for name in sorted(links):
        digest.update(b"link\0" + name.encode() + b"\0" + links[name].encode())
    version = digest.hexdigest()[:16]
    versions = folder / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    clean_leftovers(folder, tuple(files))
    final = versions / version
    if not final.is_dir():
        staging = versions / f"{_STAGING}{os.getpid()}-{time.monotonic_ns()}"
        staging.mkdir()
        for name in sorted(files):
            with open(staging / name, "wb") as handle:
                handle.write(files[name])
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(staging / name, 0o644)
        for name in sorted(links):
            os.symlink(links[name], staging / name)
        _fsync_dir(staging)
        os.rename(staging, final)
        _fsync_dir(versions)
    os.utime(final)  # the publish order, used to prune the oldest first
    return version


def _fixed_links(folder: Path, files: dict[str, bytes]) -> None:
    for name in sorted(files):
        link = folder / name
        if not (link.is_symlink() and os.readlink(link) == f"{CURRENT}/{name}"):
            _replace_symlink(link, f"{CURRENT}/{name}")


def prune(folder: Path, keep: int = KEEP_VERSIONS, protect: set[str] = frozenset()) -> list[str]:
    """Delete versions beyond the ``keep`` most recent others, unless a reader holds one
    or it is in ``protect`` (restricted versions a kept panel version links to)."""
    versions = folder / VERSIONS
    current = current_version(folder)
    old = [p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")
           and p.name != current and p.name not in protect] if versions.is_dir() else []
    old.sort(key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    removed = []
    for path in old[keep:]:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                continue  # a report still reads it: next run
            raise
        try:
            shutil.rmtree(path)
        finally:
            os.close(fd)
        removed.append(path.name)
    return removed


@dataclass
class PinnedPanel:
    """One version of the panel, held for as long as a reader needs it.

    Use it as a context manager (or call :meth:`release`): while held, no ingest prunes
    the version, whatever it publishes meanwhile.

    Attributes
    ----------
    version : str
        The version id (a content hash: it changes exactly when the panel changes).
    folder : Path
        ``data/processed/versions/<version>``: every table of this version.
    """

    version: str
    folder: Path
    _fd: int | None = None

    def table(self, name: str) -> Path:
        """Path of one table of this version, e.g. ``pinned.table("responses")``."""
        return self.folder / f"{name}.parquet"

    def env(self) -> dict[str, str]:
        """Environment variables that pin a child process (a kernel) to this version."""
        return {PANEL_VERSION_ENV: self.version}

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the folder drops the shared lock
            self._fd = None

    def __enter__(self) -> PinnedPanel:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def hold_version(processed: Path, version: str | None = None) -> PinnedPanel:
    """Take a shared lock on ``version`` (default: the current one) and return it.

    Raises
    ------
    UsageError
        When no panel has been published, or the version asked for does not exist.
    """
    versions = processed / VERSIONS
    for _ in range(20):  # a version pruned between resolving and locking: resolve again
        wanted = version or current_version(processed)
        if wanted is None:
            break
        try:
            fd = os.open(versions / wanted, os.O_RDONLY | os.O_DIRECTORY)
        except (FileNotFoundError, NotADirectoryError):
            if version:
                break
            continue
        fcntl.flock(fd, fcntl.LOCK_SH)
        if (versions / wanted).is_dir():
            return PinnedPanel(wanted, versions / wanted, fd)
        os.close(fd)
    if not version and (processed / "responses.parquet").is_file() and not (
            processed / "responses.parquet").is_symlink():
        # A panel written before versioned publishing: readable until the next ingest.
        return PinnedPanel("unversioned", processed)
    if version:
        raise UsageError(f"panel version {version} does not exist in {versions} "
                         f"(unset {PANEL_VERSION_ENV} or rebuild the panel)")
    raise UsageError(f"no panel in {processed}: build it with `tlresearch ingest` "
                     "(or `make reports` for the demo survey)")


def wait_for_lock(lock_path: Path, wait_seconds: float) -> bool:
    """Wait up to ``wait_seconds`` for nobody to hold ``lock_path``; True if free."""
    from filelock import FileLock, Timeout

    if not lock_path.parent.is_dir():
        return True
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        return False
    lock.release()
    return True


def lock_busy(what: str, lock_path: Path) -> LockBusyError:
    return LockBusyError(f"{what} is writing to {lock_path.parent} (lock {lock_path.name}); "
                         "wait for it to finish or pass --wait SECONDS")
