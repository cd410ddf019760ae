"""Veille's headless core: settings, retrieval, answering and citations, without any UI."""
