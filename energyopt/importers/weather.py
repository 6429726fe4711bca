"""Typical-year weather, TMY3 and EPW, read with pvlib's readers (``pvlib.iotools.read_tmy3`` / ``read_epw``).

Columns: ``outdoor_temp_c`` (dry-bulb), ``ghi_w_per_m2`` (global horizontal irradiance, the hour's mean) and
``availability``, the solar PV output per MW AC by PVWatts (pvlib ``pvwatts_dc``) on the horizontal irradiance:
``GHI / 1000 x (1 + gamma (T_cell - 25 C)) x (1 - losses)``, cell temperature by the SAPM model (open rack,
glass/glass) from the air temperature and wind speed, gamma = -0.47 %/C and losses = 14 % (PVWatts v5's defaults
for a standard module), capped to [0, 1]. A horizontal array: a tilted or tracking one yields more (give its own
availability series then).

The rows are the hours of a composite year in the station's standard time (the file's own UTC offset); they are
laid on a horizon by month, day and hour (:func:`~.grid.to_grid`), Feb 29 taking Feb 28's values.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .base import Imported, ImportError_, check_file

GAMMA_PDC = -0.0047   #: PVWatts v5 standard module, per degC (Dobos 2014, NREL/TP-6A20-62641)
LOSSES = 0.14         #: PVWatts v5 default system losses (same source)


def read_tmy3(path, losses: float = LOSSES) -> Imported:
    """A TMY3 file: rows stamped at the end of each hour (01:00..24:00, local standard time)."""
    from pvlib.iotools import read_tmy3 as pv_read
    data, name = _read(pv_read, path, "TMY3", map_variables=True)
    data.index = data.index - pd.Timedelta(hours=1)   # pvlib stamps each hour at its end
    return _weather(data, name, losses)


def read_epw(path, losses: float = LOSSES) -> Imported:
    """An EnergyPlus weather file (pvlib stamps each hour at its start)."""
    from pvlib.iotools import read_epw as pv_read
    data, name = _read(pv_read, path, "EPW")
    return _weather(data, name, losses)


def _read(reader, path, what: str, **kw):
    path = Path(path)
    check_file(path)
    try:
        data, _meta = reader(str(path), **kw)
    except Exception as exc:  # noqa: BLE001 - a file pvlib cannot parse is the user's
        raise ImportError_(f"{path}: cannot read it as {what} ({type(exc).__name__}: {exc})") from None
    for col in ("temp_air", "ghi"):
        if col not in data.columns:
            raise ImportError_(f"{path}: no {col} column after reading it as {what}")
    return data, str(path)


def availability(ghi: np.ndarray, temp_air: np.ndarray, wind: np.ndarray, losses: float = LOSSES) -> np.ndarray:
    """PV output per MW AC (0-1) by PVWatts on the horizontal irradiance (see the module's docstring)."""
    from pvlib.pvsystem import pvwatts_dc
    from pvlib.temperature import TEMPERATURE_MODEL_PARAMETERS, sapm_cell
    p = TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_glass"]
    cell = sapm_cell(ghi, temp_air, wind, **p)
    dc = pvwatts_dc(ghi, cell, pdc0=1.0, gamma_pdc=GAMMA_PDC)
    return np.clip(np.asarray(dc, dtype=float) * (1 - losses), 0.0, 1.0)


def _weather(data: pd.DataFrame, name: str, losses: float) -> Imported:
    tz = data.index.tz
    # One typical year: the rows keyed by month, day and clock time (their own years differ month by month).
    index = pd.DatetimeIndex([pd.Timestamp(2001, t.month, t.day, t.hour, t.minute) for t in data.index])
    ghi = data["ghi"].to_numpy(dtype=float)
    temp = data["temp_air"].to_numpy(dtype=float)
    wind = data["wind_speed"].to_numpy(dtype=float) if "wind_speed" in data.columns else np.full(len(data), 1.0)
    frame = pd.DataFrame({"outdoor_temp_c": temp, "ghi_w_per_m2": ghi,
                          "availability": availability(ghi, temp, np.nan_to_num(wind, nan=1.0), losses)},
                         index=index.tz_localize(tz))
    frame = frame[~frame.index.duplicated()].sort_index()
    repairs = []
    if "wind_speed" not in data.columns:
        repairs.append(f"{Path(name).name}: no wind speed: the PV cell temperature assumes 1 m/s")
    return Imported(frame, pd.Timedelta(hours=1), tuple(repairs), name, pattern="typical_year")
