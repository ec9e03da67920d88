"""The work report: what was published, where and when, gathered from the ledger and the stories
(``publisher history``, ``publisher posted``, ``publisher report``).

``period`` (months, quarters, spans), ``history`` (the ledger's lines), ``figures`` (key figures
added up), ``gather`` (counted through each channel), ``charts`` (matplotlib), ``word`` (.docx) and
``write`` (the report folder). The package names no channel: each channel says what it counts.
"""
