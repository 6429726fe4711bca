"""A training job's fields: power, work, window, power caps on a concave throughput curve, pauses and restarts."""
from __future__ import annotations

from typing import ClassVar

from pydantic import PrivateAttr, field_validator, model_validator

from .schema import (ID_PATTERN, PENALTY_MAX_USD_PER_MWH, Boolean, F, Number, Curve, OptionalDateTime,
                     OptionalNumber, Section, check_curve, check_penalty)


DEFAULT_THROUGHPUT_CURVE: Curve = [(0.6, 0.80), (0.7, 0.90), (0.85, 0.97), (1.0, 1.0)]


class TrainingJob(Section):
    RULES: ClassVar[tuple[str, ...]] = (
        "`throughput_curve`: x strictly increasing, every point in (0, 1] x (0, 1], non-decreasing and concave "
        "(slopes non-increasing), last point (1, 1)",
        "`min_power_fraction` at least the curve's first power fraction (the curve must cover every allowed cap)",
        "`deadline` after `release`, both inside the horizon, with at least one whole step between them "
        "(work due after the horizon cannot be planned yet: extend the horizon)",
        "`initially_running = true` only without `release` (a job running at the horizon start was released "
        "already)",
        "`initial_hours_in_state` with `initially_running = false` means the job was paused that long (it ran "
        "before: its first start is a resume); a job with `can_pause = false` cannot have been paused",
        "give at most one of `unfinished_penalty_usd_per_mwh` or `unfinished_penalty_usd_per_gpu_hour` (the latter "
        "needs `gpus_per_mw`: $/MWh of work = $/GPU-h x GPUs/MW); `value_usd_per_gpu_hour` needs `gpus_per_mw`")
    id: str = F(pattern=ID_PATTERN, desc="name of the job")
    power_mw: Number = F(unit="MW", gt=0, le=1000, desc="power at full speed")
    work_mwh: Number = F(unit="MWh at full speed", gt=0, le=1e6, desc="work to do, as energy at full speed",
                         source="bounds (docs/model.md, Bounds): 1e6 MWh is a 114 MW job running a whole year")
    release: OptionalDateTime = F(None, desc="earliest start (default: horizon start)")
    deadline: OptionalDateTime = F(None, desc="work must be done by then (default: horizon end)")
    min_power_fraction: Number = F(0.6, gt=0, le=1, desc="lowest power cap while running, as a share of full power",
                                  source="domain.md: MIT Lincoln Lab caps GPUs at 60-80% with marginal slowdown")
    throughput_curve: Curve = F(default_factory=lambda: list(DEFAULT_THROUGHPUT_CURVE),
                                unit="[power fraction, throughput fraction] pairs",
                                desc="throughput against power cap; concave, ends at (1, 1)",
                                source="domain.md: Blackwell profiles 97% performance at ~85% power; "
                                       "60-80% caps with marginal slowdown")
    can_pause: Boolean = F(True, desc="may stop and resume; if false it runs in one stretch once started")
    restart_loss_hours: Number = F(0.0, unit="h at full speed", ge=0, le=24,
                                  desc="work lost at each resume after a pause (since the last checkpoint)",
                                  source="domain.md: restart costs lost work since the last checkpoint")
    initially_running: Boolean = F(False, desc="the job is running when the horizon starts: its stretch from step 0 "
                                   "is not a resume (no restart loss or cost); a job that cannot pause may not "
                                   "start a new stretch")
    initial_hours_in_state: OptionalNumber = F(
        None, unit="h", ge=0, le=8784,
        desc="how long the job has been in its state (running, or paused) at the horizon start, counted into "
             "min_run_hours / min_pause_hours; not given: long enough for both, and a job that is not running has "
             "not started yet")
    min_run_hours: Number = F(0.0, unit="h", ge=0, le=168,
                              desc="once started, it runs at least this long, unless it finishes its work sooner "
                                   "(it then stops for good) or its window or the horizon ends",
                              source="figures.md, Training jobs (assumed: a few checkpoint intervals)")
    min_pause_hours: Number = F(0.0, unit="h", ge=0, le=168,
                                desc="once paused, it stays paused at least this long",
                                source="figures.md, Training jobs (assumed)")
    restart_cost_usd: Number = F(0.0, unit="$", ge=0, le=1e7,
                                 desc="cost of each resume after a pause, beside restart_loss_hours' lost work "
                                      "(reload time, the people on call)",
                                 source="figures.md, Training jobs")
    unfinished_penalty_usd_per_mwh: Number = F(10000.0, unit="$/MWh of work", ge=0, le=PENALTY_MAX_USD_PER_MWH,
                                              desc="penalty on work left undone at the deadline; the default is "
                                                   "above the ERCOT offer cap so work is never dropped for price",
                                              source="domain.md: ERCOT offer cap $5,000/MWh; at most 200 times that (docs/model.md, Bounds)")

    @field_validator("throughput_curve")
    @classmethod
    def _throughput(cls, v: Curve) -> Curve:
        check_curve(v, "throughput_curve")
        if abs(v[-1][0] - 1.0) > 1e-9 or abs(v[-1][1] - 1.0) > 1e-9:
            raise ValueError("the last point must be (1.0, 1.0): full power gives full speed")
        if any(not (0 < x <= 1 and 0 < y <= 1) for x, y in v):
            raise ValueError("points must lie in (0, 1] x (0, 1]")
        slopes = [(y2 - y1) / (x2 - x1) for (x1, y1), (x2, y2) in zip(v, v[1:])]
        if any(s < -1e-12 for s in slopes) or any(b > a + 1e-9 for a, b in zip(slopes, slopes[1:])):
            raise ValueError("must be non-decreasing and concave (slopes non-increasing)")
        return v

    @model_validator(mode="after")
    def _initial_state(self) -> "TrainingJob":
        if self.initially_running and self.release is not None:
            raise ValueError("initially_running: a job running at the horizon start has been released; leave "
                             "`release` out")
        if not self.can_pause and not self.initially_running and self.initial_hours_in_state is not None:
            raise ValueError("initial_hours_in_state: a job that cannot pause (can_pause = false) cannot have been "
                             "paused at the horizon start; set initially_running = true or leave it out")
        return self

    @property
    def started_before(self) -> bool:
        """It ran before the horizon (running at its start, or paused with ``initial_hours_in_state``): then every
        start inside the horizon is a resume."""
        return self.initially_running or self.initial_hours_in_state is not None

    # Economics in the business's units (docs/model.md, "Economics in the business's units"): all optional.
    value_usd_per_gpu_hour: OptionalNumber = F(None, unit="$/GPU-h", ge=0, le=1000,
                                               desc="value of one GPU-hour of the job's work (summary only)",
                                               source="figures.md, Economics: ~$2/h amortized, $3.5-4/h rented "
                                                      "(from the issue)")
    gpus_per_mw: OptionalNumber = F(None, unit="GPUs/MW", gt=0, le=10000,
                                    desc="GPUs per MW of the job's power, all in (1 MWh of work at full speed is "
                                         "this many GPU-hours)",
                                    source="figures.md, Economics: ~1.2 kW per GPU all in -> ~833 GPUs/MW")
    unfinished_penalty_usd_per_gpu_hour: OptionalNumber = F(
        None, unit="$/GPU-h", ge=0, le=1000,
        desc="penalty per GPU-hour of work left undone, instead of `unfinished_penalty_usd_per_mwh` "
             "(needs `gpus_per_mw`; $/MWh of work = $/GPU-h x GPUs/MW)")
    _converted: bool = PrivateAttr(default=False)   #: unfinished_penalty_usd_per_mwh was converted from $/GPU-h

    @model_validator(mode="after")
    def _economics(self) -> "TrainingJob":
        per_gpu_h = self.unfinished_penalty_usd_per_gpu_hour
        if per_gpu_h is not None and not self._converted:
            if "unfinished_penalty_usd_per_mwh" in self.model_fields_set:
                raise ValueError("give `unfinished_penalty_usd_per_mwh` or `unfinished_penalty_usd_per_gpu_hour`, "
                                 "not both")
            if self.gpus_per_mw is None:
                raise ValueError("`unfinished_penalty_usd_per_gpu_hour` needs `gpus_per_mw` to convert it to "
                                 "$/MWh of work")
            self.unfinished_penalty_usd_per_mwh = check_penalty(
                per_gpu_h * self.gpus_per_mw, "unfinished_penalty_usd_per_gpu_hour x gpus_per_mw")
            self._converted = True
        if self.value_usd_per_gpu_hour is not None and self.gpus_per_mw is None:
            raise ValueError("`value_usd_per_gpu_hour` needs `gpus_per_mw` (GPU-hours = MWh of work x GPUs/MW)")
        return self
