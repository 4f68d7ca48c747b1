"""VBA modules (.bas) for the Excel add-in, shipped as package data."""
