"""The analyst's report: figures, HTML and PDF built from a `stance run` output folder.

    from stance.report import build_report
    pdf, html = build_report("reports/seeds")
"""
from .build import build_report

__all__ = ["build_report"]
