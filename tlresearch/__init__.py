"""tlresearch: the survey of tiers-lieux in Nouvelle-Aquitaine as one clean panel."""
__version__ = "0.1.0"
