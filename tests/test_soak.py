"""The soak benchmark (benchmarks/soak.py), small: 300 articles at concurrency 16, 5% random
transient faults and a 2-second outage in the middle. The first run stops at the outage with
the breaker's message, the same command once the endpoint is back finishes, and the output
holds exactly one valid, error-free record per article."""
import argparse
import io

from benchmarks.soak import soak


def test_soak_small(tmp_path):
    args = argparse.Namespace(n=300, concurrency=16, fault_rate=0.05, outage_s=2.0, outage_after=None,
                              latency=0.0, seed=1)
    result = soak(args, tmp_path, log=io.StringIO())
    first, last = result["runs"][0], result["runs"][-1]
    assert first["exit"] == 3, result
    assert first["stopped"] and "requests in a row failed" in first["stopped"], result
    assert "run the same command again to resume" in first["stopped"]
    assert last["exit"] == 0, result
    assert result["records"] == result["distinct_articles"] == result["articles"] == 300
    assert result["duplicates"] == 0 and result["with_errors"] == 0
    assert result["server"]["outages"] == 1 and result["server"]["faults"]
