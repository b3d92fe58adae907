"""Samling's shared kernel: what a domain decides with, and nothing that does I/O.

A domain package may import this package and ``samling_contracts``, nothing else of Samling:
what a decision produces or refuses (``decisions``), the base of a command or request body
(``bodies``), the text types of user input (``text``) and the one id scheme (``ids``). It needs pydantic only, so a rule can
be read, imported and tested without pymongo, FastAPI or FastStream installed.
"""
