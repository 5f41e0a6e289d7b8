"""Presentation: the terminal live view and the Streamlit dashboard's pieces."""
