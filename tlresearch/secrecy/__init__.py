"""Statistical secrecy (secret statistique): the rules, primary and secondary suppression, the
audit that proves it holds, and the marks indicator results carry."""
