"""The Streamlit app's pages (UI only) and the UI pieces they share; see app.py."""
