"""Report pages: helpers the notebooks call, the renderer of an executed notebook, the site index."""
