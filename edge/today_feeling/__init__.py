"""Today Feeling: an ambient speaker that plays music to fit the listener's facial emotion."""

__version__ = "0.1.0"
