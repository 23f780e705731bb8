"""`tutela bench` at a tiny scale: a very short run on a generated database writes results.json
(levels, percentiles, rls/floor ratios, targets), results.md and EXPLAIN files, and removes
what it added. No timings are asserted."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from py_admin.bench import OPS, READS, BenchConfig, percentile, run_bench, summarize_scaling
from py_admin.db import connect
from py_admin.migrate import migrate
from py_admin.synthetic import Config, load


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, server_url: str) -> Any:
    from py_admin.db import scratch_database

    with scratch_database(server_url, prefix="tutela_pytest_bench") as url:
        migrate(url)
        with connect(url) as conn:
            load(conn, Config(students=120, days=14, seed=3, anchor=date.today()))
        yield url


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert percentile([1.0, 2.0], 95) == pytest.approx(1.95)


def test_a_short_run_writes_results_and_plans(generated: str, tmp_path: Path) -> None:
    cfg = BenchConfig(clients=[1, 2], duration=0.6, warmup=0.1, seed=1, label="tiny",
                      out_root=tmp_path)
    _doc, folder = run_bench(generated, cfg)
    assert folder == tmp_path / "tiny"
    on_disk = json.loads((folder / "results.json").read_text())
    assert on_disk["label"] == "tiny"
    assert [lv["clients"] for lv in on_disk["levels"]] == [1, 2]
    assert on_disk["machine"]["cpus"] >= 1
    assert on_disk["database"]["rows"]["students"] > 0
    for lv in on_disk["levels"]:
        assert lv["calls"] > 0 and lv["calls_per_second"] > 0
        assert not lv["errors"], lv["errors"]
        for op, entry in lv["ops"].items():
            assert op in OPS
            for mode in ("rls", "floor"):
                if mode in entry:
                    s = entry[mode]
                    assert s["p50_ms"] <= s["p95_ms"] <= s["p99_ms"]
            if op in READS and "rls" in entry and "floor" in entry:
                assert entry["ratio_p50"] > 0
                # interleaved: each read ran once under RLS and once as its floor
                assert entry["rls"]["n"] == entry["floor"]["n"]
    assert any(t["target"].startswith("parent_dashboard p95") for t in on_disk["targets"])
    md = (folder / "results.md").read_text()
    assert "| operation | mode |" in md and "## Targets" in md
    for op in OPS:
        modes = ("rls",) if op == "redeem_code" else ("rls", "floor")
        for mode in modes:
            text = (folder / "explain" / f"{op}.{mode}.txt").read_text()
            assert "EXPLAIN (ANALYZE, BUFFERS)" in text
            assert "Execution Time" in text
    # the dashboard functions' inner statements are in the plans (auto_explain, nested)
    assert "Query Text" in (folder / "explain" / "parent_dashboard.rls.txt").read_text()
    # the scaling summary over interleaved runs (here the same run twice: ratio 1)
    for name in ("10k-1", "100k-1"):
        (tmp_path / "scaling" / name).mkdir(parents=True)
        (tmp_path / "scaling" / name / "results.json").write_text(json.dumps(on_disk))
    text = summarize_scaling(tmp_path / "scaling")
    assert "| parent_dashboard |" in text and "| 1.00 |" in text
    with connect(generated) as conn:
        left = conn.execute("select count(*) from auth.users "
                            "where email like 'bench-%%@bench.tutela.test'").fetchone()
        assert left is not None and left[0] == 0


def test_the_cli_refuses_bad_client_lists(cli: Any, generated: str) -> None:
    proc = cli("bench", "--clients", "one", "--database-url", generated)
    assert proc.returncode == 1
    assert "--clients" in proc.stderr and "Traceback" not in proc.stderr
