"""Statistical secrecy (secret statistique): primary and secondary suppression, audit, and the marks results carry."""
