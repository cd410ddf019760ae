"""The chat's widgets, one per module; each renders `assistant.types` objects it is given."""
