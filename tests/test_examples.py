"""Every shipped example solves to proven optimality and its written schedule passes the independent checker."""
from pathlib import Path

import pytest

import energyopt as eo
from energyopt.check import check_result

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "instances").glob("*/*.toml"))


def test_there_are_examples():
    assert {p.stem for p in EXAMPLES} >= {"small", "texas_summer_day"}


@pytest.mark.parametrize("toml", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_is_optimal_and_passes_the_checker(tmp_path, toml):
    result = eo.solve(toml, eo.SolveOptions(mip_rel_gap=0, time_limit_s=120))
    assert result.status is eo.SolveStatus.OPTIMAL
    assert result.summary["mip_gap"] == pytest.approx(0, abs=1e-9)
    result.write(tmp_path / "out", parquet=True)
    assert check_result(toml, tmp_path / "out") == []
