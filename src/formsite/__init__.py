"""formsite: grant-application annexes as definitions, validated by pydantic everywhere.

The engine runs unchanged in CPython (CLI, tests, build) and in Pyodide (the page's worker).
"""

__version__ = "0.1.0"
