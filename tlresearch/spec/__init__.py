"""What the survey asks, and how each wave spelt it: the variable catalogue, codebooks, data dictionary."""
