"""From raw exports to the panel: harmonise each wave, validate, link places across waves,
classify job titles into roles, and write the tables."""
