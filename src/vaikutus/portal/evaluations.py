"""Shape the stored ``evaluation_results`` rows into what the evaluation page shows.

A trial study (written by ``vaikutus.evaluation.trials.store``) has one ``synthetic_control``
row per trial area, one pooled ``synthetic_control`` row and one ``did`` row for the trial
group; rows of any other shape are listed as they are. The page draws from a compact copy of
each path (values rounded to what a chart can show), and gives every chart a table of yearly
means as its text alternative.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from vaikutus.portal.data import area_name
from vaikutus.portal.i18n import translator

SORT_KEYS = {"area": "name", "effect": "effect_pp", "p": "p_value", "rmspe": "pre_rmspe"}
TOP_DONORS = 5
CHART_FIELDS = ("observed", "synthetic", "gap", "band_low", "band_high")


def evaluation_view(rows: list[dict], lang: str, sort: str = "area", desc: bool = False) -> dict[str, Any]:
    """``studies``: one dict per trial study (areas, pooled, did, donors, settings); ``other``:
    stored rows that are not part of a trial study."""
    studies: dict[str, dict[str, Any]] = {}
    other = []
    for row in rows:
        kind = (row["area_type"], row["method"])
        study = studies.setdefault(row["study"], {"name": row["study"], "areas": [], "raw": []})
        study["raw"].append({**row, "area_name": area_name(row["area_type"], row["area_code"], lang)})
        if kind == ("trial_area", "synthetic_control"):
            study["areas"].append(_area(row["result"], row["area_code"], lang))
        elif kind == ("trial_group", "synthetic_control"):
            study["pooled"] = _area(row["result"], row["area_code"], lang)
            study["meta"] = _meta(row["result"].get("study", {}), lang)
        elif kind == ("trial_group", "did"):
            study["did"] = _did(row["result"])
    complete = []
    for study in studies.values():
        if "pooled" not in study or len(study["areas"]) + 1 + ("did" in study) != len(study["raw"]):
            other += study["raw"]
            continue
        key = SORT_KEYS.get(sort, "name")
        study["areas"].sort(key=lambda a: (a[key] is None, a[key]), reverse=desc)
        study["synthetic_data"] = study["pooled"]["injected"] is not None
        complete.append(study)
    return {"studies": complete, "other": other}


def _area(result: dict, code: str, lang: str) -> dict[str, Any]:
    path = pd.DataFrame(result.get("path", []))
    weights = result.get("weights", {})
    donors = sorted(weights.items(), key=lambda kv: -kv[1])[:TOP_DONORS]
    name = result.get("name") if code == "trial" else area_name("trial_area", code, lang)
    return {
        "code": code,
        "anchor": f"area-{code}",
        "name": name,
        "effect_pp": result.get("effect_pp"),
        "lower": result.get("lower"),
        "upper": result.get("upper"),
        "level": result.get("level"),
        "p_value": result.get("p_value"),
        "p_value_mean": result.get("p_value_mean"),
        "significant": result.get("significant"),
        "pre_rmspe": result.get("pre_rmspe"),
        "rmspe_ratio": result.get("rmspe_ratio"),
        "rank": result.get("rank"),
        "n_placebos": result.get("n_placebos"),
        "injected": result.get("injected_effect_pp"),
        "donors": [{"code": d, "weight": w} for d, w in donors],
        "n_donors_with_weight": len(weights),
        "warnings": result.get("warnings", []),
        "start": str(result.get("start", ""))[:7],
        "chart": _chart_rows(path),
        "yearly": _yearly(path),
    }


def _chart_rows(path: pd.DataFrame) -> dict[str, list]:
    """The path column by column (a third of the size of one object per month)."""
    if path.empty:
        return {}
    out = {"time": path["time"].astype(str).str[:7].tolist()}
    return out | {c: path[c].round(3).tolist() for c in CHART_FIELDS if c in path}


def _yearly(path: pd.DataFrame) -> list[dict]:
    """Yearly means of the path: the text alternative of the charts."""
    if path.empty:
        return []
    frame = path.assign(year=path["time"].astype(str).str[:4])
    columns = [c for c in CHART_FIELDS if c in frame]
    return frame.groupby("year")[columns].mean().reset_index().to_dict(orient="records")


def _meta(study: dict, lang: str) -> dict[str, Any]:
    t = translator(lang)
    donors = pd.DataFrame(study.get("donors", []))
    if not donors.empty:  # "Helsinki" the donor is the non-trial rest of the Helsinki sub-region
        groups = donors["group"] if "group" in donors else pd.Series("", index=donors.index)
        donors["name"] = [
            t(f"donor_{g}", name=n) if g in ("subregion", "region") else n
            for g, n in zip(groups, donors["name"])
        ]
    settings = study.get("settings", {})
    return {
        "first_month": str(study.get("first_month", ""))[:7],
        "start": str(study.get("start", ""))[:7],
        "end": str(study.get("end", ""))[:7],
        "level": 1 - settings.get("alpha", 0.05),
        "alpha": settings.get("alpha", 0.05),
        "donors": donors.to_dict(orient="records") if not donors.empty else [],
        "donor_names": dict(zip(donors["unit"], donors["name"])) if not donors.empty else {},
        "notes": study.get("notes", []),
        "stored_at": study.get("stored_at", ""),
    }


def _did(result: dict) -> dict[str, Any]:
    event = result.get("event_study", {})
    estimates = event.get("estimates", [])
    return {
        **{k: result.get(k) for k in ("effect_pp", "lower", "upper", "se", "level", "n_treated", "n_control")},
        "chart": {
            k: [e.get(k) if k == "event_time" or e.get(k) is None else round(e[k], 3) for e in estimates]
            for k in ("event_time", "att", "band_low", "band_high")
        },
        "yearly": _event_years(estimates),
    }


def _event_years(estimates: list[dict]) -> list[dict]:
    """Event-study estimates averaged by year relative to the start (the table alternative)."""
    if not estimates:
        return []
    frame = pd.DataFrame(estimates)
    frame["event_year"] = frame["event_time"] // 12
    return frame.groupby("event_year")[["att"]].mean().reset_index().to_dict(orient="records")
