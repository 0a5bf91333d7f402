"""Sigap: a customer-service desk whose SOPs are executed, timed and measured."""

__version__ = "0.1.0"
