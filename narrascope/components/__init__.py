"""Pipeline components: each reads and writes a ``Document`` and nothing else."""
