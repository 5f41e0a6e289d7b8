"""The Streamlit dashboard, one module per part of the page; app.py only arranges them."""
