"""Issue 13, findings 8, 9 and 10 (numeric part): every value the schema accepts solves (exit 0, 4 or 5), values
beyond the physical bounds are refused with field, file and line, and a solver error always says what HiGHS said.

The sweep sets each numeric field of instances/small (and, marked slow, instances/texas_summer_day) to its upper
bound and to its lower bound, one at a time. Sections an example lacks (battery, solar, thermal storage) are added
with small figures, and fields that go only with others (a gas unit's fuel fields, `cap_mw`, the economics in
tokens or GPU-hours) get the companions their rules ask for, so every field reaches the model.
"""
from __future__ import annotations

import copy
import shutil
from pathlib import Path

import annotated_types as at
import pytest

from energyopt import InstanceError, load_instance
from energyopt.api import solve
from energyopt.batch.cases import Case
from energyopt.batch.runner import solve_case
from energyopt.inputs.cooling import ThermalStorage
from energyopt.inputs.instance import SECTION_MODELS
from energyopt.results.text import render
from energyopt.solver import SolveOptions
from energyopt.solver.status import SolveStatus, outcome

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "instances" / "small" / "small.toml"
TEXAS = ROOT / "instances" / "texas_summer_day" / "texas_summer_day.toml"
ADDED = {"battery": {"energy_mwh": 10.0, "power_mw": 5.0},
         "solar": [{"id": "PV", "capacity_mw": 5.0, "availability": 0.5}]}
TES = {"capacity_mwh_th": 10.0, "max_charge_mw_th": 5.0, "max_discharge_mw_th": 5.0}
GAS = {"fuel": "natural_gas", "fuel_price_usd_per_mmbtu": 3.0, "fuel_price_usd_per_gal": None}
H2 = {"fuel": "hydrogen", "fuel_price_usd_per_kg": 5.0, "fuel_price_usd_per_gal": None}
#: (section, field) -> what else the field's rules need in its table (None: remove the key).
COMPANIONS = {
    ("notices", "cap_mw"): {"reduction_fraction": None, "baseline_mw": None},
    **{("generators", f): GAS for f in ("fuel_noload_mmbtu_per_h_per_mw", "fuel_slope_mmbtu_per_mwh",
                                        "fuel_price_usd_per_mmbtu", "co2_kg_per_mmbtu")},
    **{("generators", f): H2 for f in ("fuel_noload_kg_per_h_per_mw", "fuel_slope_kg_per_mwh",
                                       "fuel_price_usd_per_kg")},
    ("generators", "startup_ramp_fraction"): {"min_load_fraction": 0.0},
    ("generators", "shutdown_ramp_fraction"): {"min_load_fraction": 0.0},
    ("generators", "initial_output_mw"): {"capacity_mw": 50.0, "initial_on": True, "min_load_fraction": 0.0, "dispatch": "economic",
                                          "min_up_hours": 0.0},
    ("battery", "reserve_fraction"): {"initial_fraction": 1.0},
    ("training_jobs", "min_power_fraction"): {"throughput_curve": [[1e-6, 1e-6], [1.0, 1.0]]},
    ("training_jobs", "value_usd_per_gpu_hour"): {"gpus_per_mw": 833.0},
    ("training_jobs", "unfinished_penalty_usd_per_gpu_hour"): {"gpus_per_mw": 833.0,
                                                              "unfinished_penalty_usd_per_mwh": None},
    ("inference", "revenue_usd_per_m_tokens"): {"tokens_per_mwh": 1e9},
    ("inference", "shed_penalty_usd_per_m_tokens"): {"tokens_per_mwh": 1e8, "shed_penalty_usd_per_mwh": None},
}
#: Lower bound used for a field bounded by ``> 0`` (the smallest figure written in practice: 1 W, 1 Wh, ...).
TINY = 1e-6


def _bounds(info) -> tuple[tuple[str, float] | None, float | None]:
    lo = hi = None
    for m in info.metadata:
        if isinstance(m, at.Ge):
            lo = ("ge", float(m.ge))
        elif isinstance(m, at.Gt):
            lo = ("gt", float(m.gt))
        elif isinstance(m, (at.Le, at.Lt)):
            hi = float(getattr(m, "le", getattr(m, "lt", None)))
    return lo, hi


def numeric_fields():
    """(section, sub-table or None, field, lower bound, upper bound) of every number field of every section."""
    tables = [(sec, None, model) for sec, model in SECTION_MODELS.items() if sec != "horizon"]
    tables.append(("cooling", "thermal_storage", ThermalStorage))
    for sec, sub, model in tables:
        for name, info in model.model_fields.items():
            ann = str(info.annotation)
            if ("float" in ann or "int" in ann) and "list" not in ann and "tuple" not in ann:
                yield (sec, sub, name, *_bounds(info))


def _patch(sec, sub, name, value):
    def patch(d):
        for k, v in ADDED.items():
            d.setdefault(k, copy.deepcopy(v))
        d["cooling"].setdefault("thermal_storage", dict(TES))
        table = d[sec][0] if isinstance(d[sec], list) else d[sec]
        table = table[sub] if sub else table
        for k, v in COMPANIONS.get((sec, name), {}).items():
            if v is None:
                table.pop(k, None)
            else:
                table[k] = v
        table[name] = value
    return patch


def sweep_cases(lower: bool = True):
    out = []
    for sec, sub, name, lo, hi in numeric_fields():
        label = f"{sec}.{sub + '.' if sub else ''}{name}"
        out.append(pytest.param(sec, sub, name, hi, id=f"{label}=max"))
        if lower and lo is not None:
            out.append(pytest.param(sec, sub, name, lo[1] if lo[0] == "ge" else TINY, id=f"{label}=min"))
    return out


def test_every_number_field_has_an_upper_bound():
    unbounded = [f"{s}.{n}" for s, _, n, _, hi in numeric_fields() if hi is None]
    assert not unbounded, f"fields without an upper bound (le=...): {unbounded}"


def _solves(toml: Path, sec, sub, name, value):
    inst = load_instance(toml, patch=_patch(sec, sub, name, value))   # a refusal here fails the test
    r = solve(inst, SolveOptions(time_limit_s=60))
    code = outcome(r.status, r.summary.get("termination")).exit_code
    assert code in (0, 4, 5), f"{name} = {value:g}: exit {code}: {r.diagnosis}"
    if code == 4:
        assert r.diagnosis and not any("could not say where" in d for d in r.diagnosis), r.diagnosis
    return r


@pytest.mark.parametrize("sec, sub, name, value", sweep_cases())
def test_small_solves_at_every_bound(sec, sub, name, value):
    _solves(SMALL, sec, sub, name, value)


@pytest.mark.slow
@pytest.mark.parametrize("sec, sub, name, value", sweep_cases(lower=False))
def test_texas_solves_at_every_upper_bound(sec, sub, name, value):
    _solves(TEXAS, sec, sub, name, value)


# -- regressions: findings 8, 9 and 10 ------------------------------------------------------------------------
@pytest.fixture
def texas(tmp_path):
    for f in TEXAS.parent.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / TEXAS.name


@pytest.fixture
def small_copy(tmp_path):
    for f in SMALL.parent.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / SMALL.name


def _refused(toml: Path, old: str, new: str, field: str):
    toml.write_text(toml.read_text().replace(old, new))
    with pytest.raises(InstanceError) as info:
        load_instance(toml)
    hits = [p for p in info.value.problems if p.field == field]
    assert len(hits) == 1, info.value.problems
    assert hits[0].file == toml.name and "less than or equal" in hits[0].message
    return hits[0]


@pytest.mark.parametrize("value", ["1e308", "1e18", "1e7"])
def test_huge_work_is_refused_with_the_field(small_copy, value):
    # Finding 8 (1e308: IndexError, exit 1) and 10 (1e18: exit 4 with a self-contradictory explanation).
    _refused(small_copy, "work_mwh = 18.0", f"work_mwh = {value}", "training_jobs[0] (J1).work_mwh")


@pytest.mark.parametrize("value", ["1e308", "1e18"])
def test_huge_thermal_storage_is_refused_with_the_field(texas, value):
    # Finding 8 (1e308: IndexError) and 10 (1e18: exit 4 "could not say where").
    _refused(texas, "capacity_mwh_th = 60.0", f"capacity_mwh_th = {value}", "cooling.thermal_storage.capacity_mwh_th")


def test_huge_startup_cost_and_shed_penalty_are_refused(small_copy):
    # Finding 9: both gave exit 8 with no message.
    _refused(small_copy, "startup_cost_usd = 50.0", "startup_cost_usd = 1e308", "generators[0] (G1).startup_cost_usd")
    _refused(small_copy, "shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_mwh = 1e308",
             "inference[0] (chat).shed_penalty_usd_per_mwh")


def test_converted_penalty_above_the_bound_is_refused(small_copy):
    # $10,000/Mtok x 1e12 tokens/MWh / 1e6 = 1e10 $/MWh, above the 1e6 bound of shed_penalty_usd_per_mwh.
    small_copy.write_text(small_copy.read_text().replace(
        "shed_penalty_usd_per_mwh = 2000.0", "shed_penalty_usd_per_m_tokens = 10000.0\ntokens_per_mwh = 1e12"))
    with pytest.raises(InstanceError) as info:
        load_instance(small_copy)
    assert any("shed_penalty_usd_per_m_tokens" in p.message and "1e+10" in p.message for p in info.value.problems)


def test_work_at_its_bound_is_left_unfinished_not_infeasible(small_copy):
    # work_mwh = 1e6 (the bound) on a 6 MW job over 6 h: at most 36 MWh can be done, so at least 1e6 - 36 MWh is
    # unfinished; the plan is feasible (exit 0), not "infeasible" as 1e18 was.
    small_copy.write_text(small_copy.read_text().replace("work_mwh = 18.0", "work_mwh = 1e6"))
    r = solve(load_instance(small_copy), SolveOptions(mip_rel_gap=0))
    assert r.status is SolveStatus.OPTIMAL
    assert r.summary["jobs"]["J1"]["unfinished_mwh"] >= 1e6 - 36.0 - 1e-6


def test_thermal_storage_at_its_bound_solves(texas):
    # Finding 10: 1e18 gave exit 4 "could not say where"; 1e5 MWh thermal (the bound) must solve.
    texas.write_text(texas.read_text().replace("capacity_mwh_th = 60.0", "capacity_mwh_th = 1e5"))
    r = solve(load_instance(texas), SolveOptions(time_limit_s=60))
    assert r.status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT_FEASIBLE)


# -- a solver error always says what HiGHS said (finding 9) ----------------------------------------------------
def _unvalidated_huge_startup(path):
    """The instance with a start-up cost the schema refuses, set after validation: HiGHS really fails on it."""
    inst = load_instance(path)
    inst.generators[0].startup_cost_usd = 1e308
    return inst


def test_solver_error_names_what_highs_said():
    r = solve(_unvalidated_huge_startup(SMALL))
    assert r.status is SolveStatus.ERROR
    assert outcome(r.status, r.summary.get("termination")).exit_code == 8
    assert len(r.diagnosis) == 1 and "HiGHS stopped with model status" in r.diagnosis[0]
    assert r.summary["solver"]["highs_status"] in r.diagnosis[0]
    assert r.summary["diagnosis"] == r.diagnosis
    assert r.diagnosis[0] in render(r)          # what the CLI prints


def test_batch_error_column_holds_the_solver_error(monkeypatch):
    import energyopt.inputs as inputs
    monkeypatch.setattr(inputs, "load_instance", _unvalidated_huge_startup)
    case = Case(id="c1", source="small.toml", swept={}, toml=SMALL.read_text(),
                files={"series.csv": (SMALL.parent / "series.csv").read_bytes()})
    out = solve_case(case, {})
    assert out["status"] == "error"
    assert out["error"] and "HiGHS stopped with model status" in out["error"]
