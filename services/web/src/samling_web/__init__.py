"""Samling's web app: the public pages, rendered on the server over the services' HTTP APIs."""
