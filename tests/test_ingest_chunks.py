"""A wave harmonised and validated in chunks gives the same panel, byte for byte (issue 9,
item 7): the chunk size bounds memory and changes nothing else."""
from tlresearch.core.paths import DataPaths
from tlresearch.core.storage import parquet_bytes
from tlresearch.ingest.pipeline import build_panel
from tlresearch.ingest.wave import CHUNK_ROWS


def test_the_demo_in_small_chunks_is_the_same_panel(demo_data_dir):
    paths = DataPaths(demo_data_dir)  # read only: build_panel writes nothing
    waves = [2025]  # 235 rows, with the job slots and every kind of variable
    panels = []
    for chunk_rows in (CHUNK_ROWS, 37):  # one pass; then several chunks, the last partial
        result = build_panel(paths, waves=waves, chunk_rows=chunk_rows)
        assert len(result.tables["responses"]) > 5 * 37
        panels.append({name: parquet_bytes(frame)
                       for name, frame in {**result.tables, **result.restricted}.items()})
    one_pass, chunked = panels
    assert sorted(chunked) == sorted(one_pass)
    assert [name for name in one_pass if chunked[name] != one_pass[name]] == []
