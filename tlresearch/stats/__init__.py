"""Estimates from the panel: indicators with intervals, trends and transitions, the certification survey."""
