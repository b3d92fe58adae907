"""Samling."""
