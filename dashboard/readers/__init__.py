"""Readers: from files into the validated model.

`corpus` reads a data folder — curated YAML (`yamlio`) and bulk Parquet
(`bulk`) — and validates every record, naming each problem's file, record and
field; what it returns is what `dashboard.store` writes. Imports of the
field's event streams and drafts from new articles will read into the same
model here.
"""
