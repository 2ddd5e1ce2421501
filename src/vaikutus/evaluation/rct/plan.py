"""Pre-analysis plan from a study file, as Markdown and PDF, sealed with a SHA-256 hash.

The plan content is the part of the study file that must be fixed before outcomes are seen:
``[study]`` title, ``[population]``, ``[design]`` (the seed only as a SHA-256 commitment, since
the seed generates the concealed allocation sequence), ``[rct]`` (outcomes,
hypotheses, estimator settings, covariates, subgroups, multiple testing) and ``[power]`` with the
power calculation it implies. Its canonical JSON is hashed; the hash is printed in the plan and
recorded in every analysis result, so any later change to these tables shows as a different hash.
The Markdown is rendered to HTML with ``markdown`` and to PDF with WeasyPrint.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaikutus.evaluation.rct.analysis import TrialSpec
from vaikutus.evaluation.rct.chain import canonical_json
from vaikutus.evaluation.rct.poweranalysis import mde, sample_size
from vaikutus.evaluation.rct.randomise import RandomisationDesign

POWER_TARGETS = ("n", "mde")

ESTIMATOR_TEXT = (
    "Intention-to-treat effect of assignment, estimated by OLS of the outcome on assignment, "
    "centred baseline covariates and stratum indicators and their interactions with assignment "
    "(Lin 2013), with HC2 heteroskedasticity-robust standard errors{cluster}. Persons with a "
    "missing outcome are reported as lost to follow-up and left out of that outcome's analysis."
)


@dataclass(frozen=True)
class PreAnalysisPlan:
    """The plan's canonical content, its hash and its Markdown text."""

    content: dict[str, Any]
    sha256: str
    markdown: str

    def html(self) -> str:
        import markdown

        body = markdown.markdown(self.markdown, extensions=["tables"])
        return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(self.content["title"])}</title>
<style>
@page {{ size: A4; margin: 2cm; }}
body {{ font-family: sans-serif; font-size: 10pt; line-height: 1.4; }}
code {{ font-family: monospace; font-size: 8.5pt; }}
table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #999; padding: 2px 6px; }}
</style></head><body>{body}</body></html>"""

    def write(self, out_dir: Path) -> tuple[Path, Path]:
        """Write ``pre_analysis_plan.md`` and ``.pdf`` into ``out_dir``."""
        from weasyprint import HTML

        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        md_path, pdf_path = out_dir / "pre_analysis_plan.md", out_dir / "pre_analysis_plan.pdf"
        md_path.write_text(self.markdown, encoding="utf-8")
        HTML(string=self.html()).write_pdf(pdf_path)
        return md_path, pdf_path


def plan_content(study: dict[str, Any]) -> dict[str, Any]:
    """The hashed part of a study file, validated, with the power calculation it implies."""
    where = study.get("_path", "study file")
    missing = [t for t in ("design", "rct") if t not in study]
    if missing:
        raise ValueError(
            f"{where}: a pre-analysis plan needs the table(s) "
            + ", ".join(f"[{t}]" for t in missing)
        )
    design = RandomisationDesign.from_table(study["design"], f"{where} [design]")
    spec = TrialSpec.from_table(study["rct"], f"{where} [rct]")
    public_design = design.to_dict()
    public_design["seed_sha256"] = seed_commitment(public_design.pop("seed"))
    content = {
        "title": study.get("study", {}).get("title", "Randomised trial"),
        "population": study.get("population", {}),
        "design": public_design,
        "analysis": spec.to_dict(),
        "hypotheses": list(study["rct"].get("hypotheses", [])),
    }
    if "power" in study:
        content["power"] = power_calculation(study["power"], f"{where} [power]")
    return content


def seed_commitment(seed: int) -> str:
    """SHA-256 of the seed: the plan binds the seed without revealing the concealed sequence.

    Only a seed with enough entropy (``vaikutus trial init`` draws 62 random bits) cannot be
    recovered from its hash by trying every value.
    """
    return hashlib.sha256(f"vaikutus-trial-seed:{seed}".encode()).hexdigest()


def power_calculation(table: dict[str, Any], where: str) -> dict[str, Any]:
    """Solve the ``[power]`` table for whichever of ``n`` and ``mde`` is missing."""
    given = [key for key in POWER_TARGETS if key in table]
    if len(given) != 1:
        raise ValueError(
            f"{where}: give exactly one of n (to get the MDE) or mde (to get the sample size)"
        )
    design = {k: v for k, v in table.items() if k not in (*POWER_TARGETS, "power")}
    target = table.get("power", 0.8)
    try:
        if "n" in table:
            solved = {"mde": mde(n=table["n"], power=target, **design)}
        else:
            solved = {"n": sample_size(mde=table["mde"], power=target, **design)}
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from exc
    return {"inputs": dict(table), "power": target, **{k: round(v, 6) for k, v in solved.items()}}


def pre_analysis_plan(study: dict[str, Any]) -> PreAnalysisPlan:
    """Build the plan of ``study`` (a loaded study file)."""
    content = plan_content(study)
    digest = hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
    return PreAnalysisPlan(content=content, sha256=digest, markdown=_markdown(content, digest))


def _markdown(content: dict[str, Any], digest: str) -> str:
    design, spec = content["design"], content["analysis"]
    population = content["population"]
    lines = [
        f"# Pre-analysis plan: {content['title']}",
        "",
        f"**Plan hash (SHA-256 of the plan content):** `{digest}`",
        "",
        "Any change to the population, design, outcomes, hypotheses or analysis changes this hash.",
        "",
        "## Population",
        "",
        population.get("description", "See the eligibility rules below."),
        "",
        *[
            f"- {key.replace('_', ' ')}: {value}"
            for key, value in population.items()
            if key != "description"
        ],
        "",
        "## Hypotheses",
        "",
        *([f"{i}. {h}" for i, h in enumerate(content["hypotheses"], start=1)] or ["(none stated)"]),
        "",
        "## Outcomes",
        "",
        *[
            f"- {'primary' if i == 0 else 'secondary'}: `{o}`"
            for i, o in enumerate(spec["outcomes"])
        ],
        "",
        "## Random assignment",
        "",
        f"- design: {design['kind']}"
        + (f", strata: {', '.join(design['strata'])}" if design["strata"] else "")
        + (f", clusters: `{design['cluster']}`" if design["cluster"] else ""),
        f"- share assigned to the service: {design['allocation']}",
        *(
            [
                f"- block sizes: {', '.join(map(str, design['block_sizes']))} "
                "(chosen at random per block)"
            ]
            if design["kind"] == "blocked"
            else []
        ),
        f"- seed: committed as SHA-256 `{design['seed_sha256']}`; the seed itself stays with the "
        "trial statistician until enrolment ends, then it is published so anyone can re-derive "
        "every assignment",
        "",
        "## Estimator",
        "",
        ESTIMATOR_TEXT.format(
            cluster=f", clustered by `{spec['cluster']}`" if spec["cluster"] else ""
        ),
        "",
        f"- covariates: {', '.join(spec['covariates']) or 'none'}",
        f"- strata adjusted for: {', '.join(spec['strata']) or 'none'}",
        f"- randomisation inference: {spec['ri_draws']} re-drawn assignments (seed {spec['seed']})",
    ]
    if spec["take_up"]:
        lines.append(
            f"- effect on those who received the service: 2SLS with assignment as the instrument "
            f"for `{spec['take_up']}`"
        )
    lines += [
        f"- multiple testing across outcomes: {spec['multiple_testing']} "
        f"at alpha = {spec['alpha']}",
        f"- pre-registered subgroups: {', '.join(spec['subgroups']) or 'none'}"
        " (effects per level and a test of equal effects)",
    ]
    if "power" in content:
        calc = content["power"]
        lines += ["", "## Power calculation", "", "| input | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in calc["inputs"].items()]
        if "mde" in calc:
            lines += [
                "",
                f"Minimum detectable effect at power {calc['power']}: "
                f"**{calc['mde']:.4g}** (outcome units).",
            ]
        else:
            lines += [
                "",
                f"Persons to randomise for power {calc['power']}: **{calc['n']:.1f}** (round up).",
            ]
    return "\n".join(lines) + "\n"
