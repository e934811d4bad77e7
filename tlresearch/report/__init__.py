"""Report pages: the notebooks' helpers, the renderer of an executed notebook, the site."""
