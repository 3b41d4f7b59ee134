"""Streamlit pages and widgets: the only package, with dashboard/app.py, that imports streamlit."""
