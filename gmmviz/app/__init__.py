"""Qt-free application layer: settings, state, pacing, run factories and exports."""
