"""Foundations every stage uses: errors, data paths, atomic storage, French formats, text folding.

Imports nothing else of the package."""
