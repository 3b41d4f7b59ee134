"""Contact Atlas: the Streamlit entrypoint (`streamlit run dashboard/app.py`)."""

import streamlit as st

from dashboard import corpus

st.set_page_config(page_title="Contact Atlas", layout="wide")
data = corpus.load()
st.title("Contact Atlas")
st.write(data.summary())
