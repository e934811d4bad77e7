"""Constants of the embedded demo survey: its waves and its seed."""

#: First and last waves of the embedded demo survey.
DEMO_WAVES = tuple(range(2017, 2026))

#: Seed of the demo survey: the same seed gives the same raw files, byte for byte.
DEMO_SEED = 20170601
