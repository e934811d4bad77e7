"""From raw exports to the panel: harmonise each wave, validate, link places across waves, classify roles, write the tables."""
