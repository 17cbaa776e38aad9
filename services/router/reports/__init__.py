"""Feedback-handling reports for the office and each agency (issue 14): the figures
(`figures.py`, SQL aggregates over the router's tables), the period (`period.py`), and the
two downloads, XLSX (`xlsx.py`) and PDF (`pdf.py`). The console's page is
`services/router/console/pages_reports.py`."""
