"""The docs cannot drift: the format reference is regenerated from the schema, model.md's names exist."""
from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest

from energyopt.inputs import load_instance
from energyopt.inputs import docs as gen
from energyopt.inputs.instance import Instance
from energyopt.inputs.schema import SeriesInput
from energyopt.inputs.battery import Battery
from energyopt.inputs.cooling import ThermalStorage
from energyopt.model import build_model
from energyopt.model.component import Role
from energyopt.model.solar import SolarArray
from energyopt.registry import COMPONENTS

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "instances" / "small" / "small.toml"
BLOCKS = {c.name for c in COMPONENTS if not c.role & Role.STAGE}   # a block per component, named as it
# `block.Name[index]`, `m.name[index]` or `section.field`: a dotted name, optionally indexed.
CITED = re.compile(r"^(?:m\.)?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\[[^\]]*\])?$")


def test_instance_format_is_generated_from_the_schema():
    committed = (ROOT / "docs" / "instance-format.md").read_text(encoding="utf-8")
    assert gen.render() == committed, (
        "docs/instance-format.md is stale: run python -m energyopt.inputs.docs --write docs/instance-format.md")


def test_instance_format_example_is_the_small_instance():
    text = (ROOT / "docs" / "instance-format.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    assert tomllib.loads(example) == tomllib.loads(SMALL.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Models from the small instance, as is and with every optional part switched on, normal and elastic."""
    tmp = tmp_path_factory.mktemp("small")
    for f in SMALL.parent.iterdir():
        shutil.copy(f, tmp / f.name)
    plain = load_instance(tmp / SMALL.name)
    full = load_instance(tmp / SMALL.name)
    full.grid.demand_charge_usd_per_kw = 15.0
    full.grid.ramp_up_mw_per_min, full.grid.ramp_down_mw_per_min, full.grid.max_change_mw_per_15min = 1.0, 1.0, 20.0
    full.grid.initial_import_mw = 5.0
    full.site.load_ramp_up_mw_per_min, full.site.load_ramp_down_mw_per_min = 1.0, 1.0
    full.battery = Battery(energy_mwh=4.0, power_mw=2.0)
    full.cooling.thermal_storage = ThermalStorage(capacity_mwh_th=10.0, max_charge_mw_th=5.0, max_discharge_mw_th=5.0)
    job = full.training_jobs[0]
    full.training_jobs.append(job.model_copy(update={"id": "J2", "can_pause": False}))
    job.restart_loss_hours = 0.5
    g = full.generators[0]
    g.min_down_hours, g.min_up_hours, g.max_hours_per_day, g.max_hours_per_event, g.nox_cap_kg = 2, 2, 4, 2, 100
    pv = SolarArray(id="PV", capacity_mw=1.0, availability=SeriesInput(value=0.2), curtailable=False)
    pv.availability._values = np.full(full.time.n_steps, 0.2)
    full.solar = [pv]
    return [build_model(plain), build_model(full), build_model(full, elastic=True),
            build_model(full, soften_notices=True)]


def _in_schema(path: list[str]) -> bool:
    model = Instance
    for part in path:
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return False
        model = gen._inner(fields[part].annotation)
    return True


def _unknown(cited: set[str], models) -> list[str]:
    """Cited names that are neither a model component (``block.Name``, ``m.name``) nor an instance field."""
    bad = []
    for name in sorted(cited):
        base, _, index = name.partition("[")
        top = base.startswith("m.")
        base = base.removeprefix("m.")
        ok_place = ("." not in base) if top else base.split(".")[0] in BLOCKS
        comps = [c for c in (m.find_component(base) for m in models) if c is not None] if ok_place else []
        if not comps:
            if top or not _in_schema(base.split(".")):
                bad.append(name)
            continue
        key = index.removesuffix("]")
        if key.startswith('"') and not any(key.strip('"') in c for c in comps):
            bad.append(name)
    return bad


def test_model_md_names_exist(models):
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    cited = {s for s in re.findall(r"`([^`\n]+)`", text) if CITED.match(s)}
    assert len(cited) > 50, "model.md should cite the model's components by name"
    unknown = _unknown(cited, models)
    assert not unknown, f"docs/model.md cites names the model and the schema do not have: {unknown}"


@pytest.mark.parametrize("name", ["grid.Import_MWh[t]", "m.power_balancee[t]", 'grid.cost_usd["energyy"]',
                                  "m.grid.Import_MW", "grid.price_usd_per_mwhh", "storage.Stored_MWh_th"])
def test_model_md_check_catches_typos(models, name):
    assert CITED.match(name) and _unknown({name}, models) == [name]
