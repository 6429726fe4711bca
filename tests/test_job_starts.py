"""Job starts without their upper rows (issue 15): the optimum is unchanged (tests/test_optima.py) and the
starts the results read are the on/off transitions themselves, set by ``tighten`` after the solve."""
from __future__ import annotations

import pyomo.environ as pyo
import pytest
from pytest import approx

from energyopt.inputs import load_instance
from energyopt.model import build_model, tighten_solution
from energyopt.model.build import populate
from energyopt.model.component import BuildContext
from energyopt.solver import SolveOptions, solve_model

from .helpers import base, write_instance
from .test_optima import full_power_job


def _split_job(tmp_path):
    # test_optima's case: prices 10, 300, 10, 100 $/MWh; a 10 MW job, 15 MWh of work, 0.5 h x 10 MW = 5 MWh lost per
    # resume: hours 0 and 2 do 20 - 5 = 15 MWh for $200, the optimum.
    inst, series = base(4, [10, 300, 10, 100])
    inst["training_jobs"] = [full_power_job(work=15.0, restart_loss_hours=0.5)]
    return load_instance(write_instance(tmp_path, inst, series))


def test_upper_start_rows_only_with_relaxed_on_off(tmp_path):
    inst = _split_job(tmp_path)
    m = build_model(inst)
    assert len(m.training_jobs.start_def) == 4
    assert len(m.training_jobs.start_if_running) == 0 and len(m.training_jobs.start_if_was_off) == 0
    relaxed = pyo.ConcreteModel()
    populate(relaxed, inst, BuildContext(relax_jobs=True))
    assert len(relaxed.training_jobs.start_if_running) == 4 and len(relaxed.training_jobs.start_if_was_off) == 4


def test_tighten_sets_starts_to_the_transitions(tmp_path):
    inst = _split_job(tmp_path)
    m = build_model(inst)
    info = solve_model(m, SolveOptions(mip_rel_gap=0))
    assert info.objective_usd == approx(200.0)
    b = m.training_jobs
    # What a solve stopped at a gap may leave without the upper rows: starts in steps the job does not start,
    # hence a restart too many (5 MWh more lost) and 5 MWh of unfinished work it did do.
    for t in range(4):
        b.Start["J1", t].set_value(1.0)
    b.Ran["J1"].set_value(1.0)
    b.Unfinished_MWh["J1"].set_value(10.0)
    tighten_solution(m)
    assert [pyo.value(b.Start["J1", t]) for t in range(4)] == [1.0, 0.0, 1.0, 0.0]
    assert pyo.value(b.Ran["J1"]) == 1.0
    assert pyo.value(b.restarts["J1"]) == 1.0
    assert pyo.value(b.work_done_mwh["J1"]) == approx(15.0)   # 20 - 5
    assert pyo.value(b.Unfinished_MWh["J1"]) == approx(0.0)


def test_tighten_takes_work_above_the_need_off_the_last_steps(tmp_path):
    inst = _split_job(tmp_path)
    m = build_model(inst)
    solve_model(m, SolveOptions(mip_rel_gap=0))
    b = m.training_jobs
    b.work_mwh["J1"] = 12.0   # as if the job needed 12 MWh: 15 done, 3 too many, off hour 2 (its last)
    tighten_solution(m)
    assert [pyo.value(b.Work_MWh["J1", t]) for t in range(4)] == approx([10.0, 0.0, 7.0, 0.0])
    assert pyo.value(b.work_done_mwh["J1"]) == approx(12.0)
    assert pyo.value(b.Unfinished_MWh["J1"]) == approx(0.0)


@pytest.mark.parametrize("gap", [0.0, 0.5])
def test_written_schedule_passes_the_checker(tmp_path, gap):
    import energyopt as eo
    from energyopt.check import check_result
    inst = _split_job(tmp_path)
    r = eo.solve(inst, eo.SolveOptions(mip_rel_gap=gap))
    out = r.write(tmp_path / f"out{gap}")
    assert check_result(inst, out) == []
