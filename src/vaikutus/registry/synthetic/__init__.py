"""A deterministic synthetic Finnish employment register, with known causal effects.

``generate(persons=N, start="2015-01", end="2025-12", seed=S, out=DIR)`` writes every register
table of ``vaikutus.registry.schemas`` as ``DIR/<table>.parquet`` (person tables carry an
artificial ``henkilotunnus``), ``DIR/ground_truth.json`` (the injected effects and their realised
size) and ``DIR/manifest.json`` (parameters, row counts, SHA-256 of every file). The same
arguments give the same bytes.

The country is calibrated to real data: municipal labour forces and unemployed shares of StatFin
12r5 (2026M06), the municipalities of the 2021 and 2025 divisions, the 2021 trial areas and the
2025 employment areas of ``vaikutus.reference``. Modules, in the order data flows:
``calibration`` / ``geography`` (the map), ``population`` and ``hetu`` (who), ``timeline`` (when),
``process`` and ``simulate`` (the labour-market process and its counterfactual worlds),
``spells`` (dated spells), ``money`` (earnings, benefits), ``admin`` (plans, offers, caseloads,
Kykyviisari, satisfaction, labour force), ``effects`` / ``truth`` (ground truth), ``writer``.
"""

from vaikutus.registry.synthetic.generate import SyntheticRegister, generate

__all__ = ["generate", "SyntheticRegister"]
