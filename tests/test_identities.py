"""Accounting identities on the shipped instances: every figure of the result is recomputed by hand
from the instance's own parameters and the schedule in the steps table.

They hold for any schedule the solver returns (optimal or not), so the larger instance is solved with
the default gap; the small one is solved to optimality.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import energyopt as eo

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = {
    "small": (ROOT / "instances" / "small" / "small.toml", eo.SolveOptions(mip_rel_gap=0)),
    "texas_summer_day": (ROOT / "instances" / "texas_summer_day" / "texas_summer_day.toml",
                         eo.SolveOptions(time_limit_s=60)),
}
TOL = 1e-6  # MW / MWh / kg / $ on figures of order 1-10^5


@pytest.fixture(scope="module", params=list(INSTANCES))
def solved(request):
    path, opts = INSTANCES[request.param]
    if not path.is_file():
        pytest.skip(f"{path.relative_to(ROOT)} is not present")
    inst = eo.load_instance(path)
    r = eo.solve(path, opts)
    assert r.status.has_schedule, r.status
    return inst, r


def close(a, b, rel=1e-9, abs_=TOL):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rel, atol=abs_)


def test_cost_terms_sum_to_the_objective_and_match_the_solver(solved):
    _, r = solved
    s = r.summary
    assert sum(s["cost_breakdown_usd"].values()) == pytest.approx(s["objective_usd"], rel=1e-9)
    assert s["objective_usd"] == pytest.approx(s["solver"]["highs_objective_usd"], rel=1e-6)
    assert r.objective_usd == s["objective_usd"]


def test_cost_terms_recomputed_from_the_schedule(solved):
    inst, r = solved
    ts, b = r.steps, r.summary["cost_breakdown_usd"]
    dt = inst.time.dt_hours
    price = inst.grid.price_usd_per_mwh.values
    imp = ts["grid_import_mw"].to_numpy()
    # energy = sum price x import x dt
    assert b["energy"] == pytest.approx(float(np.sum(price * imp * dt)), rel=1e-9, abs=TOL)
    # demand charge = $/kW x 1000 kW/MW x the highest step import (when charged at all)
    rate = inst.grid.demand_charge_usd_per_kw
    assert b["demand_charge"] == pytest.approx(1000.0 * rate * imp.max() if rate > 0 else 0.0, rel=1e-9, abs=TOL)
    fuel_usd = startup_usd = 0.0
    for g in inst.generators:
        on = ts[f"generator.{g.id}.on"].to_numpy()
        gal = dt * (g.fuel_noload_gal_per_h_per_mw * g.capacity_mw * on
                    + g.fuel_slope_gal_per_mwh * ts[f"generator.{g.id}.output_mw"].to_numpy())
        fuel_usd += g.fuel_price_usd_per_gal * gal.sum()
        starts = int(np.sum(np.diff(np.concatenate([[0], on])) > 0))  # units start the horizon off
        startup_usd += g.startup_cost_usd * starts
    assert b.get("fuel", 0.0) == pytest.approx(fuel_usd, rel=1e-9, abs=TOL)
    assert b.get("startup", 0.0) == pytest.approx(startup_usd, rel=1e-9, abs=TOL)
    shed_usd = sum(s.shed_penalty_usd_per_mwh * dt * ts[f"inference.{s.id}.shed_mw"].sum() for s in inst.inference)
    assert b.get("inference_shed", 0.0) == pytest.approx(shed_usd, rel=1e-9, abs=TOL)
    unfinished_usd = sum(j.unfinished_penalty_usd_per_mwh * r.summary["jobs"][j.id]["unfinished_mwh"]
                         for j in inst.training_jobs)
    assert b.get("unfinished_work", 0.0) == pytest.approx(unfinished_usd, rel=1e-9, abs=TOL)
    # carbon = $/t / 1000 x kg (grid and generators)
    assert b["carbon"] == pytest.approx(inst.grid.carbon_price_usd_per_t / 1000.0 * r.summary["co2_t"] * 1000.0,
                                        rel=1e-9, abs=TOL)


def test_power_balance_every_step(solved):
    inst, r = solved
    ts = r.steps
    n = inst.time.n_steps
    supply = ts["grid_import_mw"].to_numpy().copy()
    for g in inst.generators:
        supply += ts[f"generator.{g.id}.output_mw"].to_numpy()
    if inst.battery is not None:
        supply += ts["battery.discharge_mw"].to_numpy() - ts["battery.charge_mw"].to_numpy()
    facility = ts["facility_load_mw"].to_numpy()
    assert close(supply, facility)
    # facility = IT + overhead + cooling
    assert close(facility, ts["it_load_mw"] + inst.site.overhead_mw.values + ts["cooling_mw"])
    # IT = fixed IT + every job's power + every service's served power
    it = inst.site.it_load_mw.values.copy()
    for j in inst.training_jobs:
        it = it + ts[f"job.{j.id}.power_mw"].to_numpy()
    for s in inst.inference:
        it = it + ts[f"inference.{s.id}.served_mw"].to_numpy()
        # served + shed = demand
        assert close(ts[f"inference.{s.id}.served_mw"] + ts[f"inference.{s.id}.shed_mw"], s.demand_mw.values)
    assert close(ts["it_load_mw"], it)
    assert len(ts) == n
    # import within the cap (interconnection, lowered by notices)
    assert np.all(ts["grid_import_mw"].to_numpy() <= ts["import_cap_mw"].to_numpy() + TOL)


def test_cooling_power_from_capacity_and_cop(solved):
    inst, r = solved
    if inst.cooling is None:
        pytest.skip("no cooling section")
    ts, c = r.steps, inst.cooling
    temp = c.outdoor_temp_c.values
    xs, ys = zip(*c.capacity_derate_curve)
    cap = c.rated_capacity_mw_th * np.interp(temp, xs, ys)  # piecewise linear, flat beyond the ends
    xs, ys = zip(*c.cop_curve)
    cop = np.interp(temp, xs, ys)
    assert close(ts["cooling_capacity_mw_th"], cap)
    assert close(ts["cooling_cop"], cop)
    chill = ts["cooling_chill_mw_th"].to_numpy()
    assert np.all(chill <= cap + TOL)
    assert close(ts["cooling_mw"], chill / cop)  # electric power = heat removed / COP
    if c.thermal_storage is None:
        assert close(chill, ts["it_load_mw"])  # all IT power becomes heat
    else:
        assert close(chill, ts["it_load_mw"] + ts["thermal_storage.charge_mw_th"]
                     - ts["thermal_storage.discharge_mw_th"])


def test_emissions_equal_factors_times_output(solved):
    inst, r = solved
    ts, s = r.steps, r.summary
    dt = inst.time.dt_hours
    # grid CO2 = sum carbon intensity x import x dt
    grid_co2 = float(np.sum(inst.grid.carbon_kg_per_mwh.values * ts["grid_import_mw"].to_numpy() * dt))
    gen_co2 = nox = 0.0
    for g in inst.generators:
        out = ts[f"generator.{g.id}.output_mw"].to_numpy()
        on = ts[f"generator.{g.id}.on"].to_numpy()
        # fuel (gal) = dt x (intercept gal/h per MW x capacity x on + slope gal/MWh x output)
        gal = dt * (g.fuel_noload_gal_per_h_per_mw * g.capacity_mw * on + g.fuel_slope_gal_per_mwh * out)
        assert close(ts[f"generator.{g.id}.fuel_gal"], gal)
        assert s["generator_run_hours"][g.id]["fuel_gal"] == pytest.approx(gal.sum(), rel=1e-9, abs=TOL)
        gen_co2 += g.co2_kg_per_gal * gal.sum()
        g_nox = g.nox_kg_per_mwh * float(np.sum(out * dt))
        assert s["generator_run_hours"][g.id]["nox_kg"] == pytest.approx(g_nox, rel=1e-9, abs=TOL)
        if g.nox_cap_kg is not None:
            assert g_nox <= g.nox_cap_kg + TOL
        nox += g_nox
    assert s["nox_kg"] == pytest.approx(nox, rel=1e-9, abs=TOL)
    assert s["co2_t"] == pytest.approx((grid_co2 + gen_co2) / 1000.0, rel=1e-9, abs=TOL)
    assert s["co2_t_by_source"]["grid"] == pytest.approx(grid_co2 / 1000.0, rel=1e-9, abs=TOL)
    assert s["co2_t_by_source"]["generators"] == pytest.approx(gen_co2 / 1000.0, rel=1e-9, abs=TOL)


def test_generator_and_job_limits(solved):
    inst, r = solved
    ts, s = r.steps, r.summary
    dt = inst.time.dt_hours
    for g in inst.generators:
        on = ts[f"generator.{g.id}.on"].to_numpy()
        out = ts[f"generator.{g.id}.output_mw"].to_numpy()
        assert np.all(out <= g.capacity_mw * on + TOL)
        assert np.all(out >= g.min_load_fraction * g.capacity_mw * on - TOL)
        assert s["generator_run_hours"][g.id]["hours"] == pytest.approx(on.sum() * dt)
        assert on.sum() * dt <= g.run_hours_left + TOL
    for j in inst.training_jobs:
        js = s["jobs"][j.id]
        assert js["work_done_mwh"] + js["unfinished_mwh"] == pytest.approx(j.work_mwh, rel=1e-9, abs=TOL)
        power = ts[f"job.{j.id}.power_mw"].to_numpy()
        work = ts[f"job.{j.id}.work_mwh"].to_numpy()
        # work per step lies under the throughput curve at that step's power (zero when not running)
        xs, ys = zip(*j.throughput_curve)
        frac = power / j.power_mw
        ceiling = np.where(frac > TOL, np.interp(frac, xs, ys) * j.power_mw * dt, 0.0)
        if len(xs) == 1:
            ceiling = power * dt  # a one-point curve is the line y = x
        assert np.all(work <= ceiling + TOL)
        running = frac > TOL
        assert np.all(frac[running] >= j.min_power_fraction - TOL)
        assert js["energy_mwh"] == pytest.approx(power.sum() * dt, rel=1e-9, abs=TOL)
        # work done = work in the steps - restart loss (loss h x full power per resume); the model may
        # count more restarts than happened only when the work is slack, so this is an upper bound
        starts = js["starts"]
        if not j.can_pause:
            assert starts <= 1
        loss = j.restart_loss_hours * j.power_mw * max(starts - 1, 0) if j.can_pause else 0.0
        if loss:
            assert js["work_done_mwh"] <= work.sum() - loss + TOL
        else:
            assert js["work_done_mwh"] == pytest.approx(work.sum(), rel=1e-9, abs=TOL)
