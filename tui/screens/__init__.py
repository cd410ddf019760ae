"""The chat's screens: the main chat, and the inspector, history, help and folder dialogs."""
