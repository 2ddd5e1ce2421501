"""vaikutus: monitoring, evaluation and reporting of Finnish employment services.

Data flows one way through the stages: ``registry`` -> ``warehouse`` -> ``indicators`` ->
``evaluation`` / ``profiling`` -> ``reports`` / ``portal``. Lower stages never import higher ones.
"""

__version__ = "0.1.0"
