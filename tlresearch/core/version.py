"""The package's version, kept in the foundation layer so any stage can stamp its outputs."""

__version__ = "0.1.0"
