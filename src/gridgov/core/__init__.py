"""The shared core (共享内核): what every front uses and no app owns.

Nothing here imports a gridgov app; apps import the core. The layers are kept by import-linter
(``[tool.importlinter]`` in pyproject.toml, run by ``make test``).
"""
