"""Publishing the panel as one version: the switch, the leftovers, pruning and pinning."""
import os

import pandas as pd
import pytest

import tlresearch
from tlresearch.api import pin_panel
from tlresearch.core.errors import LockBusyError, UsageError
from tlresearch.core.panel_versions import (
    KEEP_VERSIONS,
    current_version,
    hold_version,
    prune,
    publish,
)
from tlresearch.core.paths import PANEL_VERSION_ENV, DataPaths
from tlresearch.core.storage import exclusive_run, parquet_bytes


def _panel(tag: str) -> dict[str, bytes]:
    """A tiny panel whose every table says which publish it came from."""
    frame = pd.DataFrame({"place_id": ["p1", "p2"], "wave": [2024, 2024], "tag": [tag, tag]})
    return {"responses.parquet": parquet_bytes(frame), "places.parquet": parquet_bytes(
        frame.drop(columns="wave").assign(former_names=None, first_wave=2024, last_wave=2024,
                                          n_waves=1))}


def test_publish_switches_every_table_at_once(tmp_path):
    paths = DataPaths(tmp_path)
    first = publish(paths.processed, _panel("a"))
    assert current_version(paths.processed) == first
    assert tlresearch.load_responses(data_dir=tmp_path)["tag"].tolist() == ["a", "a"]
    second = publish(paths.processed, _panel("b"))
    assert second != first
    panel = tlresearch.load_panel(data_dir=tmp_path)
    assert set(panel["tag"]) == {"b"} and panel.attrs["panel_version"] == second
    # The simple path of a table follows the switch too.
    assert pd.read_parquet(paths.processed_table("places"))["tag"].tolist() == ["b", "b"]
    assert os.readlink(paths.processed / "responses.parquet") == "current/responses.parquet"


def test_same_content_gives_the_same_version(tmp_path):
    one = publish(tmp_path / "x", _panel("a"))
    two = publish(tmp_path / "y", _panel("a"))
    assert one == two
    assert publish(tmp_path / "x", _panel("a")) == one
    assert [p.name for p in (tmp_path / "x" / "versions").iterdir()] == [one]


def test_leftovers_of_a_killed_publish_are_removed(tmp_path):
    processed = tmp_path / "processed"
    publish(processed, _panel("a"))
    staging = processed / "versions" / ".staging-123-456"
    staging.mkdir()
    (staging / "responses.parquet").write_bytes(b"half")
    (processed / ".responses.parquet.abc.tmp").write_bytes(b"half")
    (processed / ".current.99.tmp").symlink_to("versions/nowhere")
    other = processed / ".register.parquet.xyz.tmp"  # another command's file: not ours
    other.write_bytes(b"register")
    publish(processed, _panel("b"))
    names = {p.name for p in processed.iterdir()} | {p.name for p in staging.parent.iterdir()}
    assert not [n for n in names if n.startswith(".staging-") or n.startswith((
        ".responses", ".current"))]
    assert other.exists()


def test_old_versions_are_pruned_unless_held(tmp_path):
    processed = tmp_path / "processed"
    oldest = publish(processed, _panel("v0"))
    held = hold_version(processed)
    assert held.version == oldest
    versions = [publish(processed, _panel(f"v{i}")) for i in range(1, KEEP_VERSIONS + 3)]
    on_disk = {p.name for p in (processed / "versions").iterdir()}
    assert oldest in on_disk  # held by a reader: kept
    assert on_disk == {oldest, *versions[-KEEP_VERSIONS - 1:]}
    assert pd.read_parquet(held.table("responses"))["tag"].iloc[0] == "v0"
    held.release()
    assert oldest in prune(processed)
    assert oldest not in {p.name for p in (processed / "versions").iterdir()}


def test_a_pinned_reader_keeps_its_version_while_ingest_publishes(tmp_path, monkeypatch):
    publish(tmp_path / "processed", _panel("old"))
    with pin_panel(tmp_path) as pinned:
        publish(tmp_path / "processed", _panel("new"))
        # Kernels of the run get the pin through the environment.
        monkeypatch.setenv(PANEL_VERSION_ENV, pinned.env()[PANEL_VERSION_ENV])
        assert set(tlresearch.load_panel(data_dir=tmp_path)["tag"]) == {"old"}
        assert DataPaths.resolve(tmp_path).processed_table("responses") == pinned.table(
            "responses")
    monkeypatch.delenv(PANEL_VERSION_ENV)
    assert set(tlresearch.load_panel(data_dir=tmp_path)["tag"]) == {"new"}


def test_pin_waits_for_a_running_ingest_then_falls_back(tmp_path):
    paths = DataPaths(tmp_path)
    with exclusive_run(paths.lock_file):  # an ingest building the first panel
        with pytest.raises(LockBusyError, match="--wait SECONDS"):
            pin_panel(tmp_path)
    publish(paths.processed, _panel("a"))
    with exclusive_run(paths.lock_file):  # an ingest replacing it: the last one is read
        with pin_panel(tmp_path, wait_seconds=0.2) as pinned:
            assert pinned.version == current_version(paths.processed)


def test_missing_or_unknown_versions_are_one_clear_error(tmp_path, monkeypatch):
    with pytest.raises(UsageError, match="tlresearch ingest"):
        tlresearch.load_responses(data_dir=tmp_path)
    publish(tmp_path / "processed", _panel("a"))
    monkeypatch.setenv(PANEL_VERSION_ENV, "0123456789abcdef")
    with pytest.raises(UsageError, match="0123456789abcdef does not exist"):
        tlresearch.load_responses(data_dir=tmp_path)
