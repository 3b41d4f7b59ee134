"""Page-ready data, one module per view: each asks the engine for what it draws.

`map`, `timeline`, `article`, `table` and `details` take an `Atlas` (the
catalog and the engine over its store) and the reader's `Filters`; the
queries they run (`dashboard.query`) return counts, groups and the few rows a
view shows, never the filtered corpus. No module here imports streamlit.
"""
