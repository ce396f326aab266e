"""Qt-free application layer."""
